#include "tasks/task_writer.hpp"

#include <charconv>

#include "core/time.hpp"
#include "tasks/task_json.hpp"

namespace todo {
namespace {

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

}  // namespace

void append_json_time(std::string& out, const std::optional<Millis>& t) {
  if (!t) {
    out += "null";
    return;
  }
  out += '"';
  append_rfc3339(out, *t);
  out += '"';
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

void append_task_json(std::string& out, const Task& t) {
  out += "{\"id\":";
  append_int(out, t.id);
  out += ",\"user_id\":";
  append_json_string(out, t.user_id);
  out += ",\"title\":";
  append_json_string(out, t.title);
  out += ",\"description\":";
  append_json_string(out, t.description);
  out += t.completed ? ",\"completed\":true" : ",\"completed\":false";
  out += ",\"priority\":\"";
  out += priority_name(t.priority);
  out += "\",\"tags\":[";
  for (std::size_t i = 0; i < t.tags.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, t.tags[i]);
  }
  out += "],\"due_at\":";
  append_json_time(out, t.due_at);
  out += ",\"remind_at\":";
  append_json_time(out, t.remind_at);
  out += ",\"recurrence\":";
  if (t.recurrence)
    append_json_string(out, *t.recurrence);
  else
    out += "null";
  out += ",\"timezone\":";
  append_json_string(out, t.timezone);
  out += ",\"created_at\":\"";
  append_rfc3339(out, t.created_at);
  out += "\",\"updated_at\":\"";
  append_rfc3339(out, t.updated_at);
  out += "\",\"completed_at\":";
  append_json_time(out, t.completed_at);
  out += ",\"version\":";
  append_int(out, t.version);
  out += ",\"series_id\":";
  if (t.series_id)
    append_int(out, *t.series_id);
  else
    out += "null";
  out += '}';
}

std::string task_json_text(const Task& task) {
  std::string out;
  out.reserve(400);
  append_task_json(out, task);
  return out;
}

}  // namespace todo
