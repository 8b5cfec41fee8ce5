#pragma once
// The task model as JSON (ARCHITECTURE.md §3) and the names of its enumerations. The list
// route writes tasks straight into a buffer instead (tasks/task_writer.hpp), producing the
// same document.
#include <boost/json/object.hpp>
#include <optional>
#include <string_view>

#include "tasks/task.hpp"

namespace todo {

boost::json::object task_to_json(const Task& task);
const char* priority_name(Priority p);
std::optional<Priority> parse_priority(std::string_view name);  // "low"|"medium"|"high"

}  // namespace todo
