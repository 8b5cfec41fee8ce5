#include "tasks/task.hpp"

#include <array>
#include <utility>

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
      return task.title;
  }
  return task.created_at;  // unreachable: every enumerator is handled above
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
