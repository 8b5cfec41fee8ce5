#include "events/task_event_reader.hpp"

#include <algorithm>

namespace todo {
namespace {

const boost::json::string* string_member(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? &v->as_string() : nullptr;
}

// Control characters (NUL above all) cannot go into a text column.
bool printable(const boost::json::string* v, std::size_t max) {
  return v && !v->empty() && v->size() <= max &&
         std::none_of(v->begin(), v->end(), [](char c) { return (unsigned char)c < 0x20; });
}

std::optional<EventType> known_type(std::string_view name) {
  for (EventType t :
       {EventType::created, EventType::updated, EventType::completed, EventType::deleted})
    if (name == event_type_name(t)) return t;
  return std::nullopt;
}

}  // namespace

Result<TaskEventView> read_task_event(const boost::json::value& payload) {
  const auto* o = payload.if_object();
  if (!o) return Error::field(ErrorKind::validation, "event", "is not a JSON object");
  TaskEventView v;
  const auto* event_id = string_member(*o, "event_id");
  if (!printable(event_id, 64))
    return Error::field(ErrorKind::validation, "event_id", "is missing or invalid");
  const auto* type = string_member(*o, "event_type");
  if (!printable(type, 64))
    return Error::field(ErrorKind::validation, "event_type", "is missing or invalid");
  const auto* user = string_member(*o, "user_id");
  if (!printable(user, 128))
    return Error::field(ErrorKind::validation, "user_id", "is missing or invalid");
  const auto* task_id = o->if_contains("task_id");
  if (!task_id || !task_id->is_int64() || task_id->as_int64() <= 0)
    return Error::field(ErrorKind::validation, "task_id", "is missing or invalid");
  if (const auto* version = o->if_contains("task_version")) {
    if (!version->is_int64() || version->as_int64() <= 0)
      return Error::field(ErrorKind::validation, "task_version", "is invalid");
    v.task_version = version->as_int64();
  }
  const auto* data = o->if_contains("task_data");
  if (!data || !data->is_object())
    return Error::field(ErrorKind::validation, "task_data", "is missing");
  v.event_id = *event_id;
  v.event_type = *type;
  v.type = known_type(*type);
  v.user_id = *user;
  v.task_id = task_id->as_int64();
  if (const auto* timestamp = string_member(*o, "timestamp"))
    v.timestamp = parse_rfc3339(*timestamp);
  v.task_data = data;
  return v;
}

}  // namespace todo
