#pragma once
// The task model (ARCHITECTURE.md §3) and the list query. Plain data, no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/time.hpp"

namespace todo {

enum class Priority { low = 1, medium = 2, high = 3 };

struct Task {
  std::int64_t id = 0;
  std::string user_id;
  std::string title;
  std::string description;
  bool completed = false;
  Priority priority = Priority::medium;
  std::vector<std::string> tags;
  std::optional<Millis> due_at;
  std::optional<Millis> remind_at;
  std::optional<std::string> recurrence;  // RFC 5545 RRULE, validated with libical
  std::string timezone = "UTC";           // IANA name
  Millis created_at = 0;
  Millis updated_at = 0;
  std::optional<Millis> completed_at;
  std::int64_t version = 1;
  // The recurring series this task is a next occurrence of: the id of the series' first task
  // (src/recurrence); nullopt for a task no completion brought. Not client-writable.
  std::optional<std::int64_t> series_id;
};

// Every client-writable field, validated: the body of POST and PUT.
struct TaskFields {
  std::string title;
  std::string description;
  bool completed = false;
  Priority priority = Priority::medium;
  std::vector<std::string> tags;
  std::optional<Millis> due_at;
  std::optional<Millis> remind_at;
  std::optional<std::string> recurrence;
  std::string timezone = "UTC";
};

// A PATCH body: only the fields present. For nullable fields the outer optional says
// "present", the inner one holds the new value or null.
struct TaskPatch {
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<bool> completed;
  std::optional<Priority> priority;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::optional<Millis>> due_at;
  std::optional<std::optional<Millis>> remind_at;
  std::optional<std::optional<std::string>> recurrence;
  std::optional<std::string> timezone;
};

enum class StatusFilter { all, pending, completed };
enum class SortField { created_at, updated_at, due_at, priority, title };

// Keyset pagination position: the sort key and id of the last item of the previous page.
// The key is an integer for every sort but title, where it is the title's folded sort key
// (tasks/task_search.hpp title_sort_key: the same key the ORDER BY uses on both backends).
// For due_at, a task without a due date sorts as if due at the largest Millis value (after
// every dated task when ascending).
struct Cursor {
  SortField sort = SortField::created_at;
  bool ascending = false;
  std::variant<std::int64_t, std::string> key;
  std::int64_t id = 0;
};

struct TaskQuery {
  StatusFilter status = StatusFilter::all;
  std::optional<Priority> priority;
  std::vector<std::string> tags;     // a task must carry every one of them
  std::optional<Millis> due_before;  // due_at < due_before (tasks without due date excluded)
  std::optional<Millis> due_after;   // due_at > due_after (tasks without due date excluded)
  // From q: needles (tasks/task_search.hpp) that a task's search document must each contain.
  std::vector<std::string> search_terms;
  SortField sort = SortField::created_at;
  bool ascending = false;
  int limit = 50;
  std::optional<Cursor> after;
};

struct TaskPage {
  std::vector<Task> items;
  std::optional<Cursor> next;  // set when more items follow
};

// A new task of `user_id` made of `fields` at `now`: version 1, created_at = updated_at =
// now, completed_at = now when it is created completed. Its id is 0 until a store assigns one.
Task new_task(std::string_view user_id, const TaskFields& fields, Millis now);

constexpr std::int64_t kNoDueDateSortKey = INT64_MAX;

// The direction of a sort when the request gives no `order`: the one people expect — titles
// A to Z and due dates soonest first (ascending); priority highest first, created and
// updated newest first (descending).
bool default_ascending(SortField sort);

// The cursor key of a task under a sort (used to build next cursors).
std::variant<std::int64_t, std::string> sort_key(const Task& task, SortField sort);

// "created_at", "updated_at", "due_at", "priority", "title": the names used by the `sort`
// query parameter and inside cursors.
const char* sort_field_name(SortField sort);
std::optional<SortField> parse_sort_field(std::string_view name);

}  // namespace todo
