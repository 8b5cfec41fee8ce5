#include "reminders/firing.hpp"

#include <algorithm>

#include "core/random.hpp"
#include "reminders/notification_json.hpp"
#include "storage/notification_store.hpp"
#include "storage/reminder_store.hpp"
#include "storage/stream_store.hpp"
#include "storage/task_store.hpp"
#include "tasks/task_writer.hpp"

namespace todo::reminders {

std::string reminder_event_payload(const std::string& event_id, std::int64_t task_id,
                                   const std::string& user_id, const std::string& title,
                                   std::optional<Millis> due_at, Millis remind_at, Millis now) {
  std::string p = "{\"event_id\":";
  append_json_string(p, event_id);
  p += ",\"task_id\":" + std::to_string(task_id) + ",\"user_id\":";
  append_json_string(p, user_id);
  p += ",\"title\":";
  append_json_string(p, title);
  p += ",\"due_at\":";
  append_json_time(p, due_at);
  p += ",\"remind_at\":";
  append_json_time(p, remind_at);
  p += ",\"timestamp\":";
  append_json_time(p, now);
  p += '}';
  return p;
}

namespace {

// One due, pending job: stale, missed or fired, as the header says.
void fire_one(storage::Tx& tx, const bus::OutboxWriter& outbox, storage::ReminderJob job,
              Millis now, Millis horizon, FireResult& result) {
  auto& jobs = storage::reminders(tx);
  auto task = storage::tasks(tx).find(job.user_id, job.task_id);
  if (!task || task->completed || task->remind_at != job.remind_at) {
    job.state = storage::ReminderState::cancelled;
    jobs.put(job);
    ++result.stale;
    return;
  }
  if (now - job.fire_at > horizon) {
    job.state = storage::ReminderState::missed;
    jobs.put(job);
    ++result.missed;
    return;
  }
  storage::Notification n;
  n.user_id = job.user_id;
  n.event_id = time_ordered_uuid(now);
  n.kind = "reminder";
  n.task_id = job.task_id;
  n.title = task->title;
  n.due_at = task->due_at;
  n.remind_at = job.remind_at;
  n.created_at = now;
  n.id = storage::notifications(tx).insert(n);
  std::string live;  // the open tabs' toast: the notification as the API returns it
  append_notification_json(live, n);
  storage::stream(tx).append(n.user_id, "notification", live, now);
  result.users.push_back(n.user_id);
  storage::OutboxRow row;
  row.event_id = n.event_id;
  row.user_id = n.user_id;
  row.topic = std::string(kRemindersTopic);
  row.payload = reminder_event_payload(n.event_id, job.task_id, job.user_id, task->title,
                                       task->due_at, job.remind_at, now);
  row.created_at = now;
  outbox.write(tx, row);
  job.state = storage::ReminderState::fired;
  jobs.put(job);
  result.fired_fire_at.push_back(job.fire_at);
}

}  // namespace

void describe_fired_metrics(ops::Metrics& metrics) {
  metrics.describe("todo_reminders_fired_total", "counter",
                   "Reminders that became a notification.");
  metrics.describe("todo_reminders_missed_total", "counter",
                   "Reminders due while nothing could fire them, older than the horizon.");
  metrics.describe("todo_reminders_stale_total", "counter",
                   "Due reminders whose task was completed, deleted or rescheduled meanwhile.");
  metrics.describe("todo_reminder_lag_seconds", "histogram",
                   "A reminder's time to the commit of its notification.");
  for (const char* m :
       {"todo_reminders_fired_total", "todo_reminders_missed_total", "todo_reminders_stale_total"})
    metrics.add(m, "", 0);
}

void count_fired(ops::Metrics& metrics, const FireResult& result, Millis committed) {
  for (Millis fire_at : result.fired_fire_at)
    metrics.observe("todo_reminder_lag_seconds", "",
                    std::max<double>(0, double(committed - fire_at) / 1000.0));
  if (!result.fired_fire_at.empty())
    metrics.add("todo_reminders_fired_total", "", result.fired_fire_at.size());
  if (result.missed) metrics.add("todo_reminders_missed_total", "", std::uint64_t(result.missed));
  if (result.stale) metrics.add("todo_reminders_stale_total", "", std::uint64_t(result.stale));
}

FireResult fire_due(storage::Tx& tx, const bus::OutboxWriter& outbox, Millis now, Millis horizon,
                    int limit) {
  FireResult result;
  auto due = storage::reminders(tx).due(now, limit);
  result.more = int(due.size()) == limit;
  for (auto& job : due) fire_one(tx, outbox, std::move(job), now, horizon, result);
  return result;
}

FireResult fire_job(storage::Tx& tx, const bus::OutboxWriter& outbox, std::int64_t task_id,
                    Millis now, Millis horizon) {
  FireResult result;
  auto job = storage::reminders(tx).find(task_id);
  // Fired, missed or cancelled already (a repeated trigger), or moved to a later time (the
  // trigger of the job's earlier schedule): nothing to do.
  if (!job || job->state != storage::ReminderState::pending || job->fire_at > now + kEarlyTrigger)
    return result;
  fire_one(tx, outbox, std::move(*job), now, horizon, result);
  return result;
}

}  // namespace todo::reminders
