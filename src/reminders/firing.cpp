#include "reminders/firing.hpp"

#include "core/random.hpp"
#include "storage/notification_store.hpp"
#include "storage/reminder_store.hpp"
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
  if (due_at) {
    p += '"';
    append_rfc3339(p, *due_at);
    p += '"';
  } else {
    p += "null";
  }
  p += ",\"remind_at\":\"";
  append_rfc3339(p, remind_at);
  p += "\",\"timestamp\":\"";
  append_rfc3339(p, now);
  p += "\"}";
  return p;
}

FireResult fire_due(storage::Tx& tx, const bus::OutboxWriter& outbox, Millis now, Millis horizon,
                    int limit) {
  FireResult result;
  auto& jobs = storage::reminders(tx);
  auto due = jobs.due(now, limit);
  result.more = int(due.size()) == limit;
  for (auto& job : due) {
    auto task = storage::tasks(tx).find(job.user_id, job.task_id);
    if (!task || task->completed || task->remind_at != job.remind_at) {
      job.state = storage::ReminderState::cancelled;
      jobs.put(job);
      ++result.stale;
      continue;
    }
    if (now - job.fire_at > horizon) {
      job.state = storage::ReminderState::missed;
      jobs.put(job);
      ++result.missed;
      continue;
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
    storage::notifications(tx).insert(n);
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
  return result;
}

}  // namespace todo::reminders
