#pragma once
// Firing due reminders: the one place that turns a reminder job into a notification, used by
// the embedded scheduler (reminders/scheduler.hpp) and — with the Dapr Jobs API — by the job
// trigger. Inside one write transaction, for each due job (fire_at <= now, earliest first):
//   - the task is gone, completed, or its remind_at is no longer the job's: the job is
//     cancelled, nothing is sent (a stale reminder);
//   - it was due longer ago than `horizon` (the process was down): the job is `missed`;
//   - else: an in-app notification, and an event on the `reminders` topic
//     ({event_id, task_id, user_id, title, due_at, remind_at, timestamp}, ARCHITECTURE.md §4)
//     through the outbox; the job becomes `fired`.
// The job's state changes in the same transaction as the notification, so a job fires at
// most once, whoever fires it (on PostgreSQL due() skips rows another transaction holds).
#include <vector>

#include "bus/outbox_writer.hpp"
#include "storage/tx.hpp"

namespace todo::reminders {

inline constexpr std::string_view kRemindersTopic = "reminders";

struct FireResult {
  std::vector<Millis> fired_fire_at;  // fire_at of each fired job (for the lag, after commit)
  int missed = 0;
  int stale = 0;
  bool more = false;  // `limit` jobs were due: call again
};

FireResult fire_due(storage::Tx& tx, const bus::OutboxWriter& outbox, Millis now, Millis horizon,
                    int limit);

// The reminders event's payload for one notification (pure; unit-tested).
std::string reminder_event_payload(const std::string& event_id, std::int64_t task_id,
                                   const std::string& user_id, const std::string& title,
                                   std::optional<Millis> due_at, Millis remind_at, Millis now);

}  // namespace todo::reminders
