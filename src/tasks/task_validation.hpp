#pragma once
// Validation of every client-supplied task field (ARCHITECTURE.md §3). Pure functions,
// unit-tested in tests/unit/task_json_test.cpp.
//
// Limits: title 1..500 characters (Unicode code points, after trimming surrounding white
// space), description <= 10 000, at most 20 tags of 1..50 characters each (duplicates
// removed, order kept), priority low|medium|high, due_at/remind_at RFC 3339 or null,
// recurrence a valid RRULE or null, timezone an IANA name known to libical.
// Read-only fields (id, user_id, created_at, updated_at, completed_at, version) are
// ignored in bodies; any other unknown field is a validation error. Sizes are checked
// before per-element work, and the error list is bounded (core/field_errors.hpp).
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "tasks/task.hpp"

namespace todo {

inline constexpr std::size_t kMaxTags = 20;
// A body's tags array longer than this is refused before any element is looked at.
inline constexpr std::size_t kMaxTagsInBody = 1000;

// The body of POST and PUT: every field, absent ones at their defaults; 422 naming each
// bad field (at most 20 listed).
Result<TaskFields> parse_task_fields(const boost::json::value& body);
// The body of PATCH: only the fields present.
Result<TaskPatch> parse_task_patch(const boost::json::value& body);
TaskFields apply_patch(const Task& task, const TaskPatch& patch);

// Task id from the path: a positive decimal integer that fits in int64 (400 naming "id").
Result<std::int64_t> parse_task_id(std::string_view text);

// A tag as stored: trimmed, 1..50 characters, single-line; nullopt with `message` set
// when invalid. Shared by bodies and the `tag` filter.
std::optional<std::string> normalize_tag(std::string_view raw, std::string& message);

// A client-chosen name (an unknown key) as echoed back in an error: at most 64 bytes, cut
// at a character boundary.
std::string echoed_name(std::string_view name);

}  // namespace todo
