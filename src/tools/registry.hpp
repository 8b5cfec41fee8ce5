#pragma once
// The one tool registry (issue 12, item 3): add_task, list_tasks, complete_task, delete_task,
// update_task (the hackathon's names and results), get_task, search_tasks, list_audit. MCP's
// tools/list and tools/call (src/mcp) and the chat's LLM tool definitions read it; every
// tool runs the same task operation as the REST route (tasks/task_service.hpp: same
// validation, same event with the caller's `source`, so the same audit entry).
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "tools/tool.hpp"

namespace todo::tools {

// Every tool, in a stable order. Built once (thread-safe static), read-only after.
const std::vector<Tool>& registry();
// The tool named `name`, or null.
const Tool* find_tool(std::string_view name);

// A tool as MCP's tools/list shows it (MCP 2025-06-18 "Tools": name, title, description,
// inputSchema, outputSchema, annotations).
boost::json::object tool_definition(const Tool& tool);

// Why a call could not run at all: a JSON-RPC error (JSON-RPC 2.0 §5.1; MCP 2025-06-18
// "Tools", Error Handling) with the problems in `data` ({field, message} each).
struct CallRefused {
  int code = -32602;  // invalid params: unknown tool, arguments against the inputSchema
  std::string message;
  boost::json::value data;
};

struct CallOutcome {
  std::optional<ToolResult> result;  // the call ran: a result, maybe is_error
  std::optional<CallRefused> refused;
};

// Everything call_tool checks before the handler runs: the tool exists, the arguments
// validate, the caller has the scope and, when `user_id` is given, is that user. nullopt when
// the call may run (`args` then holds the arguments without `user_id`), else the outcome to
// answer. Pure.
std::optional<CallOutcome> check_call(const Caller& caller, std::string_view name,
                                      const boost::json::value& arguments,
                                      boost::json::object& args);

// Declares the counter todo_tool_calls_total{tool, source, outcome=ok|error|refused} that
// call_tool adds to; call once per Metrics before any call.
void describe_tool_metrics(ops::Metrics& metrics);

// Runs tool `name` with `arguments` (null or absent: {}) for `caller`. Refused (JSON-RPC
// error) when the tool is unknown or the arguments do not validate against its inputSchema;
// an is_error result when the caller lacks the tool's scope, when `user_id` is given and is
// not the caller's, and for the operation's own failures (not found, invalid values).
boost::asio::awaitable<CallOutcome> call_tool(ToolDeps& deps, const Caller& caller,
                                              std::string_view name,
                                              const boost::json::value& arguments);

// A tool result as MCP's CallToolResult: content [{type: "text", text: JSON of structured}]
// and structuredContent (or the message as text), isError.
boost::json::object call_result_json(const ToolResult& result);

}  // namespace todo::tools
