#include "recurrence/recurrence_consumer.hpp"

#include <algorithm>

#include <boost/json/value.hpp>

#include "core/log.hpp"
#include "core/time.hpp"
#include "events/task_event.hpp"
#include "events/task_event_reader.hpp"
#include "recurrence/series.hpp"
#include "storage/recurrence_store.hpp"
#include "storage/task_store.hpp"
#include "storage/user_store.hpp"
#include "tasks/task_validation.hpp"

namespace todo::recurrence {
namespace {

// The completed occurrence as its event describes it.
struct Completion {
  std::string user_id;
  std::int64_t task_id = 0;
  std::optional<std::int64_t> series_id;
  Millis completed_at = 0;
  TaskFields fields;
};

// nullopt: the event is not a completion (done, no effect). An Error: poison.
Result<std::optional<Completion>> completion_from_event(const bus::Event& event) {
  auto event_view = read_task_event(event.json());
  if (!event_view) return event_view.error();
  if (event_view->type != EventType::completed) return std::optional<Completion>();
  const auto& task = event_view->task_data->as_object();
  auto* recurrence = task.if_contains("recurrence");
  if (!recurrence || recurrence->is_null()) return std::optional<Completion>();
  auto fields = parse_task_fields(*event_view->task_data);
  if (!fields) return fields.error();
  Completion c;
  c.user_id = event.user_id;
  c.task_id = event_view->task_id;
  c.fields = std::move(*fields);
  if (!c.fields.completed) return std::optional<Completion>();  // not a completion after all
  auto* completed_at = task.if_contains("completed_at");
  std::optional<Millis> when;
  if (completed_at && completed_at->is_string()) when = parse_rfc3339(completed_at->as_string());
  c.completed_at = when.value_or(event.created_at);
  auto* series = task.if_contains("series_id");
  if (series && series->is_int64() && series->as_int64() > 0) c.series_id = series->as_int64();
  return std::optional<Completion>(std::move(c));
}

}  // namespace

RecurrenceConsumer::RecurrenceConsumer(const bus::OutboxWriter& outbox,
                                       const TaskWrites& task_writes, ops::Metrics& metrics)
    : outbox_(outbox), task_writes_(task_writes), metrics_(metrics) {
  metrics_.describe("todo_recurrence_created_total", "counter",
                    "Next occurrences of recurring tasks created.");
  metrics_.add("todo_recurrence_created_total", "", 0);
  metrics_.describe("todo_recurrence_ended_total", "counter",
                    "Completions of the last occurrence of a series (COUNT, UNTIL): none created.");
  metrics_.add("todo_recurrence_ended_total", "", 0);
  metrics_.describe("todo_recurrence_rejected_events_total", "counter",
                    "Completed events whose task snapshot was not valid (given up).");
  metrics_.add("todo_recurrence_rejected_events_total", "", 0);
  metrics_.describe("todo_recurrence_lag_seconds", "histogram",
                    "Completion commit to the commit of the next occurrence.");
}

bool RecurrenceConsumer::wants(const bus::Event& event) const {
  if (event.facts.known)
    return event.facts.event_type == event_type_name(EventType::completed) &&
           event.facts.has_recurrence;
  const auto* o = event.json().if_object();
  if (!o) return true;  // handle() gives it up
  const auto* type = o->if_contains("event_type");
  if (type && type->is_string() && type->as_string() != event_type_name(EventType::completed))
    return false;
  const auto* data = o->if_contains("task_data");
  const auto* rule =
      data && data->is_object() ? data->as_object().if_contains("recurrence") : nullptr;
  return !(data && data->is_object() && (!rule || rule->is_null()));
}

Outcome RecurrenceConsumer::handle_one(storage::Tx& tx, const bus::Event& event, bool& created) {
  auto parsed = completion_from_event(event);
  if (!parsed) {
    log::error("recurrence: event {} given up: {}", event.event_id, parsed.error().detail);
    metrics_.add("todo_recurrence_rejected_events_total", "", 1);
    return Outcome::give_up;
  }
  if (!*parsed) return Outcome::done;
  const Completion& c = **parsed;
  if (!storage::users(tx).find_by_id(c.user_id)) return Outcome::done;  // account deleted
  if (!storage::recurrence(tx).claim_next(c.user_id, c.task_id, event.created_at))
    return Outcome::done;  // this occurrence already brought its next one
  const std::int64_t series_id = c.series_id.value_or(c.task_id);
  const Millis dtstart = storage::recurrence(tx).series_dtstart(
      c.user_id, series_id, series_start(c.fields, c.completed_at));
  auto dates = next_dates(c.fields, c.completed_at, dtstart);
  if (!dates) {
    metrics_.add("todo_recurrence_ended_total", "", 1);
    return Outcome::done;  // the series ended: the claim records that nothing follows
  }
  TaskFields next = c.fields;
  next.completed = false;
  next.due_at = dates->due_at;
  next.remind_at = dates->remind_at;
  const Millis now = now_millis();
  Task task = storage::tasks(tx).insert(c.user_id, next, now, series_id);
  storage::recurrence(tx).set_next(c.task_id, task.id);
  outbox_.write(tx, make_task_event(EventType::created, task, now));
  created = true;
  return Outcome::done;
}

std::vector<Outcome> RecurrenceConsumer::handle(storage::Tx& tx,
                                                std::span<const bus::Event> events) {
  std::vector<Outcome> outcomes;
  outcomes.reserve(events.size());
  for (const auto& event : events) {
    bool created = false;
    outcomes.push_back(handle_one(tx, event, created));
    if (created) {
      std::lock_guard lock(mutex_);
      created_.insert(event.event_id);
    }
  }
  return outcomes;
}

void RecurrenceConsumer::committed(std::span<const bus::Event> events,
                                   std::span<const Outcome> outcomes, Millis now) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (outcomes[i] != Outcome::done || created_.erase(events[i].event_id) == 0) continue;
    task_writes_.written(events[i].user_id);
    metrics_.add("todo_recurrence_created_total", "", 1);
    metrics_.observe("todo_recurrence_lag_seconds", "",
                     std::max<double>(0, double(now - events[i].created_at) / 1000.0));
  }
}

}  // namespace todo::recurrence
