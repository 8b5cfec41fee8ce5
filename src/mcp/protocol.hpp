#pragma once
// The JSON-RPC 2.0 and MCP protocol parts of the MCP server (src/mcp/README.md), apart from
// HTTP: version negotiation (MCP 2025-06-18 "Lifecycle" §Version Negotiation), message
// classification (JSON-RPC 2.0 §4), error objects (§5.1) and the methods a session answers
// (ping, tools/list, tools/call). Pure but for tools/call, which runs the tool.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "tools/tool.hpp"

namespace todo::mcp {

// Newest first; kLatestVersion is what we answer a client whose version we do not support.
inline constexpr std::string_view kLatestVersion = "2025-11-25";
inline constexpr std::string_view kPreferredVersion = "2025-06-18";
bool supported_version(std::string_view version);
// The client's version when supported, else the latest (the client then decides whether to
// go on).
std::string negotiate_version(std::string_view requested);
// Whether a session of `version` may send JSON-RPC batches (arrays): 2025-03-26 only; the
// 2025-06-18 revision removed them.
bool batches_allowed(std::string_view version);

// JSON-RPC 2.0 §5.1 error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;

enum class MessageKind { request, notification, response, invalid };
// request: {"jsonrpc":"2.0","id":string|number,"method":string,...}; notification: the same
// without id; response: id with result or error (a client answering us); else invalid.
MessageKind classify(const boost::json::value& message);

boost::json::object error_response(const boost::json::value& id, int code, std::string message,
                                   boost::json::value data = nullptr);
boost::json::object result_response(const boost::json::value& id, boost::json::value result);

// The result of initialize for a client that asked for `requested` (its protocolVersion).
boost::json::object initialize_result(std::string_view requested);

// The answer to one request of an established session (ping, tools/list, tools/call; any
// other method: -32601).
boost::asio::awaitable<boost::json::object> answer_request(tools::ToolDeps& deps,
                                                           const tools::Caller& caller,
                                                           const boost::json::object& request);

}  // namespace todo::mcp
