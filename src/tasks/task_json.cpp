#include "tasks/task_json.hpp"

#include <boost/json/array.hpp>

#include "core/time.hpp"

namespace todo {
namespace json = boost::json;
namespace {

json::value time_or_null(const std::optional<Millis>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

}  // namespace

const char* priority_name(Priority p) {
  switch (p) {
    case Priority::low:
      return "low";
    case Priority::high:
      return "high";
    case Priority::medium:
      break;
  }
  return "medium";
}

std::optional<Priority> parse_priority(std::string_view name) {
  if (name == "low") return Priority::low;
  if (name == "medium") return Priority::medium;
  if (name == "high") return Priority::high;
  return std::nullopt;
}

json::object task_to_json(const Task& task) {
  json::array tags;
  tags.reserve(task.tags.size());
  for (const std::string& tag : task.tags) tags.emplace_back(tag);
  json::object o;
  o.reserve(15);
  o["id"] = task.id;
  o["user_id"] = task.user_id;
  o["title"] = task.title;
  o["description"] = task.description;
  o["completed"] = task.completed;
  o["priority"] = priority_name(task.priority);
  o["tags"] = std::move(tags);
  o["due_at"] = time_or_null(task.due_at);
  o["remind_at"] = time_or_null(task.remind_at);
  o["recurrence"] = task.recurrence ? json::value(*task.recurrence) : json::value(nullptr);
  o["timezone"] = task.timezone;
  o["created_at"] = format_rfc3339(task.created_at);
  o["updated_at"] = format_rfc3339(task.updated_at);
  o["completed_at"] = time_or_null(task.completed_at);
  o["version"] = task.version;
  if (task.series_id)
    o["series_id"] = *task.series_id;
  else
    o["series_id"] = nullptr;
  return o;
}

}  // namespace todo
