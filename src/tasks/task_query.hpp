#pragma once
// The query string of GET /api/{user_id}/tasks (ARCHITECTURE.md §3): status, priority,
// tag (repeatable), due_before, due_after, q, sort, order, limit (1..200, default 50),
// cursor. Pure; unit-tested in tests/unit/query_test.cpp. Errors are 400 problems naming
// each bad parameter.
#include <boost/url/params_view.hpp>

#include "core/error.hpp"
#include "tasks/task.hpp"

namespace todo {

Result<TaskQuery> parse_task_query(const boost::urls::params_view& params);

}  // namespace todo
