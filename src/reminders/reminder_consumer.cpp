#include "reminders/reminder_consumer.hpp"

#include <boost/json/value.hpp>

#include "core/log.hpp"
#include "core/time.hpp"
#include "events/task_event_reader.hpp"
#include "reminders/reminder_plan.hpp"
#include "storage/reminder_store.hpp"

namespace todo::reminders {
namespace {

// nullopt: an event type this build does not know (a newer producer's): nothing to plan.
Result<std::optional<TaskState>> task_state_from_event(const bus::Event& event) {
  auto event_view = read_task_event(event.json());
  if (!event_view) return event_view.error();
  if (!event_view->type) return std::optional<TaskState>();
  if (!event_view->task_version)
    return Error::field(ErrorKind::validation, "task_version", "is missing or invalid");
  TaskState t;
  t.task_id = event_view->task_id;
  t.user_id = event.user_id;
  t.version = *event_view->task_version;
  t.deleted = *event_view->type == EventType::deleted;
  const auto& task = event_view->task_data->as_object();
  auto* completed = task.if_contains("completed");
  t.completed = completed && completed->is_bool() && completed->as_bool();
  auto* remind_at = task.if_contains("remind_at");
  if (remind_at && remind_at->is_string()) {
    t.remind_at = parse_rfc3339(remind_at->as_string());
    if (!t.remind_at)
      return Error::field(ErrorKind::validation, "task_data.remind_at", "is not RFC 3339");
  }
  return std::optional<TaskState>(std::move(t));
}

}  // namespace

ReminderConsumer::ReminderConsumer(ops::Metrics& metrics, std::function<void()> changed)
    : metrics_(metrics), changed_(std::move(changed)) {
  metrics_.describe("todo_reminders_scheduled_total", "counter",
                    "Reminders scheduled or moved (a task's remind_at set or changed).");
  metrics_.add("todo_reminders_scheduled_total", "", 0);
}

bool ReminderConsumer::wants(const bus::Event& event) const {
  // created, completed, deleted without a reminder time: nothing to schedule, and nothing to
  // cancel — events come in order, so the update that cleared remind_at was handled before.
  if (event.facts.known) return event.facts.event_type == "updated" || event.facts.has_remind_at;
  const auto* o = event.json().if_object();
  if (!o) return true;
  const auto* type = o->if_contains("event_type");
  const auto* data = o->if_contains("task_data");
  if (!type || !type->is_string() || type->as_string() == "updated" || !data || !data->is_object())
    return true;
  const auto* remind_at = data->as_object().if_contains("remind_at");
  return remind_at && !remind_at->is_null();
}

std::vector<Outcome> ReminderConsumer::handle(storage::Tx& tx, std::span<const bus::Event> events) {
  std::vector<Outcome> outcomes;
  outcomes.reserve(events.size());
  const Millis now = now_millis();
  for (const auto& event : events) {
    auto parsed = task_state_from_event(event);
    if (!parsed) {
      log::error("reminders: event {} given up: {}", event.event_id, parsed.error().detail);
      outcomes.push_back(Outcome::give_up);
      continue;
    }
    if (!*parsed) {
      outcomes.push_back(Outcome::done);
      continue;
    }
    const TaskState* task = &**parsed;
    auto& jobs = storage::reminders(tx);
    auto existing = jobs.find(task->task_id);
    if (existing && existing->user_id != task->user_id) {  // never another user's row
      outcomes.push_back(Outcome::give_up);
      continue;
    }
    ReminderPlan plan = plan_reminder(existing, *task, now);
    if (plan.effect == ReminderPlan::Effect::put) {
      jobs.put(plan.job);
      bool moved =
          !existing || existing->state != plan.job.state || existing->fire_at != plan.job.fire_at;
      if (moved && plan.job.state == storage::ReminderState::pending) ++scheduled_;
    }
    outcomes.push_back(Outcome::done);
  }
  return outcomes;
}

void ReminderConsumer::committed(std::span<const bus::Event> events,
                                 std::span<const Outcome> outcomes, Millis now) {
  (void)events, (void)outcomes, (void)now;
  if (auto n = scheduled_.exchange(0))
    metrics_.add("todo_reminders_scheduled_total", "", std::uint64_t(n));
  if (changed_) changed_();
}

}  // namespace todo::reminders
