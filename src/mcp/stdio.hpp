#pragma once
// `todo mcp --stdio`: MCP's stdio transport (MCP 2025-06-18, "Transports" §stdio) for desktop
// clients (Claude Desktop and the like), bridged to a running server's streamable HTTP
// endpoint: each newline-delimited JSON-RPC message read from stdin is POSTed to
// <url>/mcp with `Authorization: Bearer <token>`, and each answer is written to stdout as one
// line. stdout carries only JSON-RPC; diagnostics go to stderr.
//
// Why a bridge rather than opening the database here: a SQLite file has one writing process
// (the server caches list answers on that assumption, tasks/list_cache.hpp), and the server
// already holds every rule (validation, events, audit, scopes, sessions) — the stdio client
// gets exactly the HTTP behaviour.
//
// Session: the Mcp-Session-Id and protocol version of the initialize answer are sent with
// every later message. A message the server refuses at the HTTP level (401, 403, 404 for an
// ended session, ...) is answered, when it was a request, by a JSON-RPC error with its id
// (-32001 for auth, -32000 else) whose message is the problem's detail.
#include <string>

namespace todo::mcp {

struct StdioOptions {
  std::string url;    // the server's base URL, e.g. http://127.0.0.1:8080 (TODO_URL)
  std::string token;  // the bearer token (TODO_TOKEN)
  long timeout_ms = 60'000;
};

// Runs until stdin ends; returns the process exit code (0 at end of input, 1 when the
// HTTP client cannot be set up).
int run_stdio_bridge(const StdioOptions& options);

}  // namespace todo::mcp
