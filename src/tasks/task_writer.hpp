#pragma once
// Fast task -> JSON text, straight into a string buffer. The list route writes 50+ tasks
// per response; building boost::json trees for them cost more than the query (measured
// with perf). Produces the same document as task_to_json (tests/unit/task_writer_test.cpp).
#include <optional>
#include <string>
#include <string_view>

#include "tasks/task.hpp"

namespace todo {

void append_json_string(std::string& out, std::string_view text);
// A time as a JSON string in RFC 3339 UTC ("2026-12-01T09:00:00Z"), or null.
void append_json_time(std::string& out, const std::optional<Millis>& t);
void append_task_json(std::string& out, const Task& task);
std::string task_json_text(const Task& task);

}  // namespace todo
