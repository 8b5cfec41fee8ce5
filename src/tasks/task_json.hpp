#pragma once
// JSON <-> task model, with validation of every client-supplied field. Pure functions,
// unit-tested in tests/unit/task_json_test.cpp.
//
// Limits: title 1..500 characters (Unicode code points, after trimming surrounding white
// space), description <= 10 000, at most 20 tags of 1..50 characters each (duplicates
// removed, order kept), priority low|medium|high, due_at/remind_at RFC 3339 or null,
// recurrence a valid RRULE or null, timezone an IANA name known to libical.
// Read-only fields (id, user_id, created_at, updated_at, completed_at, version) are
// ignored in bodies; any other unknown field is a validation error.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/url/params_view.hpp>
#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "tasks/task.hpp"

namespace todo {

Result<TaskFields> parse_task_fields(const boost::json::value& body);  // POST, PUT
Result<TaskPatch> parse_task_patch(const boost::json::value& body);    // PATCH
TaskFields apply_patch(const Task& task, const TaskPatch& patch);

// Task id from the path: a positive decimal integer that fits in int64.
Result<std::int64_t> parse_task_id(std::string_view text);

// Query string of GET /api/{user_id}/tasks: status, priority, tag (repeatable),
// due_before, due_after, q, sort, order, limit (1..200, default 50), cursor.
Result<TaskQuery> parse_task_query(const boost::urls::params_view& params);

boost::json::object task_to_json(const Task& task);
const char* priority_name(Priority p);
std::optional<Priority> parse_priority(std::string_view name);  // "low"|"medium"|"high"

}  // namespace todo
