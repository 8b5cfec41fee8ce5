#include "events/task_event.hpp"

#include <sodium.h>

#include <charconv>

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

std::string time_ordered_uuid(Millis now) {
  static_cast<void>(sodium_init());  // idempotent, thread-safe
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  // UUID version 7 (RFC 9562): 48-bit Unix milliseconds first, then randomness. Ids made
  // close in time sort close together, so the unique indexes on event_id append instead
  // of touching a random page per event (that alone cost a third of the write path).
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(std::uint64_t(now) >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x70);  // version 7
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 9562 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 15];
  }
  return out;
}

storage::OutboxRow make_task_event(EventType type, const Task& task, Millis now) {
  storage::OutboxRow row;
  row.event_id = time_ordered_uuid(now);
  row.user_id = task.user_id;
  row.topic = std::string(kTaskEventsTopic);
  row.created_at = now;
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
  p += '}';
  return row;
}

}  // namespace todo
