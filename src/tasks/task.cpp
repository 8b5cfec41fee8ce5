#include "tasks/task.hpp"

#include <array>
#include <utility>

#include "tasks/task_search.hpp"

namespace todo {
namespace {

constexpr std::array<std::pair<SortField, const char*>, 5> kSortNames = {{
    {SortField::created_at, "created_at"},
    {SortField::updated_at, "updated_at"},
    {SortField::due_at, "due_at"},
    {SortField::priority, "priority"},
    {SortField::title, "title"},
}};

}  // namespace

Task new_task(std::string_view user_id, const TaskFields& f, Millis now) {
  Task t;
  t.user_id = std::string(user_id);
  t.title = f.title;
  t.description = f.description;
  t.completed = f.completed;
  t.priority = f.priority;
  t.tags = f.tags;
  t.due_at = f.due_at;
  t.remind_at = f.remind_at;
  t.recurrence = f.recurrence;
  t.timezone = f.timezone;
  t.created_at = t.updated_at = now;
  if (f.completed) t.completed_at = now;
  t.version = 1;
  return t;
}

std::variant<std::int64_t, std::string> sort_key(const Task& task, SortField sort) {
  switch (sort) {
    case SortField::created_at:
      return task.created_at;
    case SortField::updated_at:
      return task.updated_at;
    case SortField::due_at:
      return task.due_at.value_or(kNoDueDateSortKey);
    case SortField::priority:
      return static_cast<std::int64_t>(task.priority);
    case SortField::title:
      return title_sort_key(task.title);
  }
  return task.created_at;  // unreachable: every enumerator is handled above
}

bool default_ascending(SortField sort) {
  return sort == SortField::title || sort == SortField::due_at;
}

const char* sort_field_name(SortField sort) {
  for (const auto& [field, name] : kSortNames) {
    if (field == sort) return name;
  }
  return "created_at";
}

std::optional<SortField> parse_sort_field(std::string_view name) {
  for (const auto& [field, field_name] : kSortNames) {
    if (name == field_name) return field;
  }
  return std::nullopt;
}

}  // namespace todo
