#pragma once
// Firing due reminders: the one place that turns a reminder job into a notification, used by
// the embedded scheduler (reminders/scheduler.hpp) and — with the Dapr Jobs API — by the job
// trigger. Inside one write transaction, for each due job (fire_at <= now, earliest first):
//   - the task is gone, completed, or its remind_at is no longer the job's: the job is
//     cancelled, nothing is sent (a stale reminder);
//   - it was due longer ago than `horizon` (the process was down): the job is `missed`;
//   - else: an in-app notification (also appended to the user's live-update log as
//     `event: notification`, storage/stream_store.hpp), and an event on the `reminders` topic
//     ({event_id, task_id, user_id, title, due_at, remind_at, timestamp}, ARCHITECTURE.md §4)
//     through the outbox; the job becomes `fired`.
// The job's state changes in the same transaction as the notification, so a job fires at
// most once, whoever fires it (on PostgreSQL due() skips rows another transaction holds).
#include <vector>

#include "bus/outbox_writer.hpp"
#include "ops/metrics.hpp"
#include "storage/tx.hpp"

namespace todo::reminders {

inline constexpr std::string_view kRemindersTopic = "reminders";

struct FireResult {
  std::vector<Millis> fired_fire_at;  // fire_at of each fired job (for the lag, after commit)
  int missed = 0;
  int stale = 0;
  bool more = false;  // `limit` jobs were due: call again
  // Users whose live-update log got a row (src/stream): after the commit, StreamSignal.
  std::vector<std::string> users;
};

FireResult fire_due(storage::Tx& tx, const bus::OutboxWriter& outbox, Millis now, Millis horizon,
                    int limit);

// A trigger may come this much before the job's fire_at (clocks of the sidecar and of the
// database's host differ a little); an earlier one is taken for a stale schedule and ignored.
inline constexpr Millis kEarlyTrigger = 1000;

// The Dapr Jobs trigger of task `task_id`'s job (POST /job/reminder-{task_id}): fires it as
// fire_due would, if it is pending and due (within kEarlyTrigger); a repeated or stale trigger
// does nothing. Dapr delivers a job at least once: this is what makes it exactly once.
FireResult fire_job(storage::Tx& tx, const bus::OutboxWriter& outbox, std::int64_t task_id,
                    Millis now, Millis horizon);

// Declares todo_reminders_fired_total, _missed_total, _stale_total and
// todo_reminder_lag_seconds (a reminder's time -> its notification committed); once per module.
void describe_fired_metrics(ops::Metrics& metrics);
// Counts a FireResult whose transaction committed at `committed`.
void count_fired(ops::Metrics& metrics, const FireResult& result, Millis committed);

// The reminders event's payload for one notification (pure; unit-tested).
std::string reminder_event_payload(const std::string& event_id, std::int64_t task_id,
                                   const std::string& user_id, const std::string& title,
                                   std::optional<Millis> due_at, Millis remind_at, Millis now);

}  // namespace todo::reminders
