#include "tools/registry.hpp"

#include <boost/json.hpp>

#include "ops/metrics.hpp"
#include "tools/json_schema.hpp"
#include "tools/task_tools.hpp"
#include "tools/tool_schemas.hpp"

namespace todo::tools {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr const char* kTasksRead = "tasks:read";
constexpr const char* kTasksWrite = "tasks:write";
constexpr const char* kAuditRead = "audit:read";

std::vector<Tool> build_registry() {
  namespace s = schemas;
  namespace h = handlers;
  std::vector<Tool> tools;
  tools.push_back({"add_task", "Add a task",
                   "Create a task for the user. Only title is required; priority defaults to "
                   "medium, times are RFC 3339 (e.g. 2026-12-01T09:00:00Z). Returns the new "
                   "task's id (task_id) and the whole task.",
                   s::add_task_input(), s::change_output(), ToolHints{false, false, false},
                   kTasksWrite, h::add_task});
  tools.push_back({"list_tasks", "List tasks",
                   "List the user's tasks, newest first (up to 200), optionally only pending or "
                   "only completed ones. Use search_tasks to filter, sort or page further.",
                   s::list_tasks_input(), s::task_list_output(), ToolHints{true, false, true},
                   kTasksRead, h::list_tasks});
  tools.push_back({"complete_task", "Complete a task",
                   "Mark a task as done (or, with completed: false, as not done). Completing a "
                   "recurring task creates its next occurrence.",
                   s::complete_task_input(), s::change_output(), ToolHints{false, false, true},
                   kTasksWrite, h::complete_task});
  tools.push_back({"delete_task", "Delete a task",
                   "Delete a task for good. Ask the user first if there is any doubt about "
                   "which task is meant.",
                   s::task_id_input(), s::deleted_output(), ToolHints{false, true, false},
                   kTasksWrite, h::delete_task});
  tools.push_back({"update_task", "Update a task",
                   "Change some fields of a task: only the fields given change; null clears "
                   "due_at, remind_at or recurrence.",
                   s::update_task_input(), s::change_output(), ToolHints{false, false, true},
                   kTasksWrite, h::update_task});
  tools.push_back({"get_task", "Get a task", "Read one task by its id.", s::task_id_input(),
                   s::get_task_output(), ToolHints{true, false, true}, kTasksRead, h::get_task});
  tools.push_back({"search_tasks", "Search tasks",
                   "Find tasks by words (q), status, priority, tags and due dates; sort and "
                   "page through them with limit and cursor.",
                   s::search_tasks_input(), s::task_list_output(), ToolHints{true, false, true},
                   kTasksRead, h::search_tasks});
  tools.push_back({"list_audit", "List the audit trail",
                   "The user's history of task changes (created, updated, completed, deleted), "
                   "newest first, optionally for one task or a time range.",
                   s::list_audit_input(), s::audit_output(), ToolHints{true, false, true},
                   kAuditRead, h::list_audit});
  return tools;
}

json::array errors_json(const std::vector<FieldError>& errors) {
  json::array out;
  for (const auto& e : errors)
    out.push_back(json::object{{"field", e.field}, {"message", e.message}});
  return out;
}

std::string errors_text(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : "; ") + e.field + ": " + e.message;
  return out;
}

}  // namespace

const std::vector<Tool>& registry() {
  static const std::vector<Tool> kTools = build_registry();
  return kTools;
}

const Tool* find_tool(std::string_view name) {
  for (const auto& tool : registry())
    if (tool.name == name) return &tool;
  return nullptr;
}

json::object tool_definition(const Tool& tool) {
  return json::object{{"name", tool.name},
                      {"title", tool.title},
                      {"description", tool.description},
                      {"inputSchema", tool.input_schema},
                      {"outputSchema", tool.output_schema},
                      {"annotations", json::object{{"title", tool.title},
                                                   {"readOnlyHint", tool.hints.read_only},
                                                   {"destructiveHint", tool.hints.destructive},
                                                   {"idempotentHint", tool.hints.idempotent},
                                                   {"openWorldHint", false}}}};
}

std::optional<CallOutcome> check_call(const Caller& caller, std::string_view name,
                                      const json::value& arguments, json::object& args) {
  const Tool* tool = find_tool(name);
  if (!tool) {
    std::string known;
    for (const auto& t : registry()) known += (known.empty() ? "" : ", ") + t.name;
    return CallOutcome{
        std::nullopt,
        CallRefused{-32602,
                    "Unknown tool: " + std::string(name.substr(0, 64)) + " (tools: " + known + ")",
                    nullptr}};
  }
  if (!arguments.is_null() && !arguments.is_object())
    return CallOutcome{std::nullopt, CallRefused{-32602, "arguments must be an object", nullptr}};
  args = arguments.is_object() ? arguments.get_object() : json::object{};
  // Validated before anything runs.
  auto errors = validate_json(tool->input_schema, args);
  if (!errors.empty())
    return CallOutcome{
        std::nullopt,
        CallRefused{-32602, "Invalid arguments for tool " + tool->name + ": " + errors_text(errors),
                    errors_json(errors)}};
  if (!caller.may(tool->scope))
    return CallOutcome{ToolResult::error("This credential lacks the scope " + tool->scope +
                                         " that " + tool->name +
                                         " needs; ask the user for a token with it.")};
  // The user comes from the credential; the hackathon's user_id argument may only confirm it.
  if (const auto* user = args.if_contains("user_id")) {
    if (user->get_string() != caller.user_id)
      return CallOutcome{ToolResult::error(
          "user_id does not match the signed-in user: tools act only for the user of the "
          "credential. Omit user_id.")};
    args.erase("user_id");
  }
  return std::nullopt;
}

void describe_tool_metrics(ops::Metrics& metrics) {
  metrics.describe("todo_tool_calls_total", "counter",
                   "Tool calls (MCP, chat) by tool, source and outcome: ok, error (an isError "
                   "result), refused (a JSON-RPC error: unknown tool, invalid arguments)");
}

asio::awaitable<CallOutcome> call_tool(ToolDeps& deps, const Caller& caller, std::string_view name,
                                       const json::value& arguments) {
  json::object args;
  std::optional<CallOutcome> outcome = check_call(caller, name, arguments, args);
  if (!outcome) {
    // A named local, not a temporary around the co_await: g++ 12 relocates such temporaries
    // bitwise (storage/await.hpp), which corrupts the strings inside a ToolResult.
    ToolResult result = co_await find_tool(name)->handler(deps, caller, args);
    outcome.emplace(CallOutcome{std::move(result)});
  }
  const char* word = outcome->refused ? "refused" : outcome->result->is_error ? "error" : "ok";
  // An unknown tool's name is the client's: not a label value.
  std::string tool = find_tool(name) ? std::string(name) : "unknown";
  deps.metrics.add(
      "todo_tool_calls_total",
      "tool=\"" + tool + "\",source=\"" + caller.source + "\",outcome=\"" + word + "\"", 1);
  co_return std::move(*outcome);
}

json::object call_result_json(const ToolResult& result) {
  json::object out;
  if (result.is_error) {
    out["content"] = json::array{json::object{{"type", "text"}, {"text", result.message}}};
    out["isError"] = true;
    return out;
  }
  out["content"] =
      json::array{json::object{{"type", "text"}, {"text", json::serialize(result.structured)}}};
  out["structuredContent"] = result.structured;
  out["isError"] = false;
  return out;
}

}  // namespace todo::tools
