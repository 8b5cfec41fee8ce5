#pragma once
// Fast task -> JSON text, straight into a string buffer. The list route writes 50+ tasks
// per response; building boost::json trees for them cost more than the query (measured
// with perf). Produces the same document as task_to_json (tests/unit/task_writer_test.cpp).
#include <string>
#include <string_view>

#include "tasks/task.hpp"

namespace todo {

void append_json_string(std::string& out, std::string_view text);
void append_task_json(std::string& out, const Task& task);
std::string task_json_text(const Task& task);

}  // namespace todo
