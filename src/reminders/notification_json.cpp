#include "reminders/notification_json.hpp"

#include "core/time.hpp"
#include "tasks/task_writer.hpp"

namespace todo::reminders {
void append_notification_json(std::string& out, const storage::Notification& n) {
  out += "{\"id\":" + std::to_string(n.id) + ",\"kind\":";
  append_json_string(out, n.kind);
  out += ",\"task_id\":";
  out += n.task_id ? std::to_string(*n.task_id) : "null";
  out += ",\"title\":";
  append_json_string(out, n.title);
  out += ",\"due_at\":";
  append_json_time(out, n.due_at);
  out += ",\"remind_at\":";
  append_json_time(out, n.remind_at);
  out += ",\"created_at\":";
  append_json_time(out, n.created_at);
  out += ",\"read_at\":";
  append_json_time(out, n.read_at);
  out += n.read_at ? ",\"read\":true}" : ",\"read\":false}";
}

std::string notification_page_json(const storage::NotificationPage& page) {
  std::string out = "{\"items\":[";
  for (std::size_t i = 0; i < page.items.size(); ++i) {
    if (i) out += ',';
    append_notification_json(out, page.items[i]);
  }
  out += "],\"next_cursor\":";
  out += page.next_before_id ? "\"" + std::to_string(*page.next_before_id) + "\"" : "null";
  out += ",\"unread_count\":" + std::to_string(page.unread) + "}";
  return out;
}

}  // namespace todo::reminders
