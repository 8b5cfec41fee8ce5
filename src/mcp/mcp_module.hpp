#pragma once
// mcp: the MCP server over streamable HTTP (MCP 2025-06-18, "Transports" §Streamable HTTP) at
// /mcp — POST (JSON-RPC messages, answered as JSON or as an SSE stream), DELETE (ends the
// session), GET (405: we send no server-initiated messages) — serving the tool registry
// (src/tools). src/mcp/README.md has the rules; `todo mcp --stdio` (mcp/stdio.hpp) bridges
// desktop clients to it.
// Options: --mcp-max-sessions-per-user, --mcp-session-idle, --mcp-allowed-origins,
// --mcp-max-body-bytes.
#include <memory>
#include <string>

#include "app/module.hpp"

namespace todo::mcp {

struct McpOptions {
  int max_sessions_per_user = 16;
  std::string session_idle = "1h";
  std::string allowed_origins;  // comma-separated serialized origins, besides our own
  int max_body_bytes = 256 * 1024;
};

std::unique_ptr<app::ModuleSpec> module_spec();

}  // namespace todo::mcp
