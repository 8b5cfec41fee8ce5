#pragma once
// One tool of the registry (src/tools/README.md): what MCP's tools/list shows and the chat
// hands an LLM as a function definition, and the handler that runs it. Every tool is defined
// once, in tools/registry.cpp; nothing else spells a tool's name or schema.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace todo {
class TaskWrites;
namespace ops {
class Metrics;
}
namespace storage {
class Database;
}
namespace bus {
class OutboxWriter;
}
}  // namespace todo

namespace todo::tools {

// Who calls a tool, from the credential (never from an argument). `scopes` are the scope
// names of a personal access token ("tasks:read", ...: auth/scopes.hpp of the tokens work);
// a session (a JWT) has every scope (all_scopes).
struct Caller {
  std::string user_id;
  bool all_scopes = true;
  std::vector<std::string> scopes;
  // The "source" of the task events the calls cause (events/task_event.hpp): "mcp", "chat".
  std::string source = "mcp";

  bool may(std::string_view scope) const {
    if (all_scopes) return true;
    for (const auto& s : scopes)
      if (s == scope) return true;
    return false;
  }
};

// What the handlers use; owned by the module that serves the tools (mcp, chat).
struct ToolDeps {
  storage::Database& db;
  ops::Metrics& metrics;
  const bus::OutboxWriter& outbox;
  const TaskWrites& task_writes;  // told of every committed change (the tasks list cache)
};

// MCP's tool annotations (MCP 2025-06-18, "Tools", ToolAnnotations): hints for clients.
// openWorldHint is false for every tool: they touch only this service's data.
struct ToolHints {
  bool read_only = false;
  bool destructive = false;
  bool idempotent = false;
};

// The result of a call that ran: `structured` (an object conforming to the tool's
// outputSchema) or, when is_error, `message`: a business failure (not found, an invalid
// value, a missing scope) in words a model can act on.
struct ToolResult {
  boost::json::value structured;
  bool is_error = false;
  std::string message;

  static ToolResult error(std::string message) { return {nullptr, true, std::move(message)}; }
};

using ToolHandler = std::function<boost::asio::awaitable<ToolResult>(
    ToolDeps& deps, const Caller& caller, const boost::json::object& arguments)>;

struct Tool {
  std::string name;
  std::string title;
  std::string description;
  boost::json::value input_schema;   // JSON Schema (tools/json_schema.hpp subset), type object
  boost::json::value output_schema;  // JSON Schema of `structured`, type object
  ToolHints hints;
  std::string scope;  // the scope a caller needs ("tasks:read", "tasks:write", "audit:read")
  ToolHandler handler;
};

}  // namespace todo::tools
