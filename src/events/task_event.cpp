#include "events/task_event.hpp"

#include <charconv>

#include "core/random.hpp"
#include "core/time.hpp"
#include "tasks/task_writer.hpp"

namespace todo {

const char* event_type_name(EventType type) {
  switch (type) {
    case EventType::created:
      return "created";
    case EventType::updated:
      return "updated";
    case EventType::completed:
      return "completed";
    case EventType::deleted:
      return "deleted";
  }
  return "updated";
}

bool is_event_type(std::string_view name) {
  return name == "created" || name == "updated" || name == "completed" || name == "deleted";
}

EventType change_event_type(const Task& before, const Task& after) {
  return !before.completed && after.completed ? EventType::completed : EventType::updated;
}

storage::OutboxRow make_task_event(EventType type, const Task& task, Millis now,
                                   std::string_view source) {
  storage::OutboxRow row;
  row.event_id = time_ordered_uuid(now);
  row.user_id = task.user_id;
  row.topic = std::string(kTaskEventsTopic);
  row.created_at = now;
  row.facts.known = true;
  row.facts.event_type = event_type_name(type);
  row.facts.source = std::string(source);
  row.facts.has_remind_at = task.remind_at.has_value();
  row.facts.has_recurrence = task.recurrence.has_value();
  auto append_int = [](std::string& out, std::int64_t v) {
    char buf[24];
    out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  };
  std::string& p = row.payload;
  p.reserve(600);
  p += "{\"event_id\":\"";
  p += row.event_id;
  p += "\",\"event_type\":\"";
  p += event_type_name(type);
  p += "\",\"timestamp\":\"";
  append_rfc3339(p, now);
  p += "\",\"user_id\":";
  append_json_string(p, task.user_id);
  p += ",\"task_id\":";
  append_int(p, task.id);
  p += ",\"task_data\":";
  append_task_json(p, task);
  p += ",\"schema_version\":";
  append_int(p, kEventSchemaVersion);
  p += ",\"task_version\":";
  append_int(p, task.version);
  if (!source.empty()) {
    p += ",\"source\":";
    append_json_string(p, source);
  }
  p += '}';
  return row;
}

}  // namespace todo
