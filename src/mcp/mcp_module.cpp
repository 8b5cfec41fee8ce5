// The HTTP side of MCP: authentication, Origin, sessions, the protocol version header,
// batches, and the JSON or SSE answer. The protocol itself is mcp/protocol.cpp.
#include "mcp/mcp_module.hpp"

#include <boost/algorithm/string.hpp>
#include <boost/json.hpp>

#include "app/platform.hpp"
#include "auth/authenticate.hpp"
#include "config/duration.hpp"
#include "http/problem.hpp"
#include "http/sse.hpp"
#include "mcp/protocol.hpp"
#include "mcp/sessions.hpp"
#include "tools/registry.hpp"
#include "tools/tool.hpp"

namespace todo::mcp {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::Response;
using status = http::beast_http::status;

constexpr const char* kSessionHeader = "Mcp-Session-Id";
constexpr const char* kVersionHeader = "MCP-Protocol-Version";
constexpr std::size_t kMaxBatchMessages = 50;  // messages in one JSON-RPC batch (2025-03-26)

struct McpDeps {
  const auth::Authenticator& authenticator;
  tools::ToolDeps tools;
  SessionTable sessions;
  std::vector<std::string> allowed_origins;
  std::size_t max_body_bytes;
};

std::string_view header(const http::Request& request, std::string_view name) {
  auto it = request.find(name);
  return it == request.end() ? std::string_view() : std::string_view(it->value());
}

// Origin (MCP 2025-06-18 "Transports" §Security Warning): absent is fine (not a browser);
// present, it must be our own origin (auth/authenticate.hpp is_own_origin, http or https:
// TLS ends at a proxy) or one of --mcp-allowed-origins.
bool origin_allowed(const McpDeps& s, const http::RequestContext& ctx) {
  auto origin = header(ctx.request, "Origin");
  if (origin.empty() && ctx.request.find("Origin") == ctx.request.end()) return true;
  auto host = header(ctx.request, "Host");
  if (is_own_origin(origin, host, "http") || is_own_origin(origin, host, "https")) return true;
  for (const auto& allowed : s.allowed_origins)
    if (boost::iequals(allowed, origin)) return true;
  return false;
}

// The caller from `Authorization: Bearer` only: MCP clients are programs, and a browser's
// session cookie must not drive the tools from a page.
// Scopes: a session token (JWT) may use every tool. Personal access tokens (issue 12 item 1,
// branch `tokens`) plug in here: `co_await authenticator.authorize(ctx, <scope>)` gives their
// Principal (no {user_id} in /mcp: whoever the credential says), whose scope names fill
// Caller::scopes (all_scopes = !principal.is_access_token()); each tool then checks its own
// scope (tools/registry.cpp). A coroutine already, so that change stays in this function.
asio::awaitable<Result<tools::Caller>> caller_of(const McpDeps& s,
                                                 const http::RequestContext& ctx) {
  if (ctx.request.find(http::beast_http::field::authorization) == ctx.request.end())
    co_return Error::make(ErrorKind::unauthorized,
                          "send Authorization: Bearer <token> (a "
                          "session token or an access token)");
  // Any credential that may use one of the tools' scopes; each call then checks its own
  // (tools::Caller::may): a tasks:read token lists but cannot delete.
  constexpr auth::ScopeSet kToolScopes = static_cast<auth::ScopeSet>(auth::Scope::tasks_read) |
                                         static_cast<auth::ScopeSet>(auth::Scope::tasks_write) |
                                         static_cast<auth::ScopeSet>(auth::Scope::audit_read);
  auto principal = co_await s.authenticator.authorize_any(ctx, kToolScopes);
  if (!principal) co_return principal.error();
  tools::Caller caller{principal->user_id, !principal->is_access_token(), {}, "mcp"};
  for (const auto& named : auth::kScopeNames)
    if (principal->may(named.scope)) caller.scopes.emplace_back(named.name);
  co_return caller;
}

// JSON unless the client accepts only an event stream.
bool wants_sse(const http::Request& request) {
  std::string accept = boost::to_lower_copy(std::string(header(request, "Accept")));
  return accept.find("text/event-stream") != std::string::npos &&
         accept.find("application/json") == std::string::npos &&
         accept.find("*/*") == std::string::npos;
}

// The JSON-RPC answer: application/json, or one SSE event on a stream that then ends
// (streamable HTTP lets the server close the stream after the response).
Response rpc_response(const http::RequestContext& ctx, const json::value& body,
                      status st = status::ok) {
  if (st == status::ok && wants_sse(ctx.request)) {
    Response res{st, ctx.request.version()};
    res.set(http::beast_http::field::content_type, "text/event-stream");
    res.set(http::beast_http::field::cache_control, "no-store");
    res.keep_alive(ctx.request.keep_alive());
    res.body() = http::sse_message("", "message", json::serialize(body));
    res.prepare_payload();
    return res;
  }
  return http::json_response(st, body, ctx.request);
}

Response accepted(const http::RequestContext& ctx) {
  return http::empty_response(status::accepted, ctx.request);
}

Response problem(const http::RequestContext& ctx, ErrorKind kind, std::string detail) {
  return http::problem(Error::make(kind, std::move(detail)), ctx);
}

// The session named by Mcp-Session-Id for the caller: 400 without the header, 404 when
// unknown, ended, expired or another user's.
Result<Session> session_of(McpDeps& s, const http::RequestContext& ctx,
                           const tools::Caller& caller) {
  auto id = header(ctx.request, kSessionHeader);
  if (id.empty())
    return Error::field(ErrorKind::bad_request, kSessionHeader,
                        "required after initialize (send the id the initialize answer gave)");
  auto session = s.sessions.use(std::string(id), caller.user_id);
  if (!session)
    return Error::make(ErrorKind::not_found,
                       "no such MCP session (ended or expired): initialize a new one");
  return *session;
}

asio::awaitable<Response> initialize(McpDeps& s, http::RequestContext& ctx,
                                     const tools::Caller& caller, const json::object& request) {
  const json::value& id = request.at("id");
  const auto* params = request.if_contains("params");
  const auto* version = params ? params->get_object().if_contains("protocolVersion") : nullptr;
  if (!version || !version->is_string())
    co_return rpc_response(
        ctx, error_response(id, kInvalidParams, "initialize needs params.protocolVersion"));
  json::object result = initialize_result(version->get_string());
  std::string negotiated(result.at("protocolVersion").get_string());
  std::string session = s.sessions.create(caller.user_id, negotiated);
  Response res = rpc_response(ctx, result_response(id, std::move(result)));
  res.set(kSessionHeader, session);
  co_return res;
}

// One message of an established session: the answer, or nullopt (notifications and
// responses get none).
asio::awaitable<std::optional<json::object>> answer(McpDeps& s, const tools::Caller& caller,
                                                    const json::value& message) {
  switch (classify(message)) {
    case MessageKind::notification:
    case MessageKind::response:
      co_return std::nullopt;
    case MessageKind::invalid:
      co_return error_response(nullptr, kInvalidRequest, "not a JSON-RPC 2.0 request");
    case MessageKind::request:
      break;
  }
  co_return co_await answer_request(s.tools, caller, message.get_object());
}

asio::awaitable<Response> post(McpDeps& s, http::RequestContext& ctx) {
  if (!origin_allowed(s, ctx))
    co_return problem(ctx, ErrorKind::forbidden, "Origin not allowed for /mcp");
  auto caller = co_await caller_of(s, ctx);
  if (!caller) co_return http::problem(caller.error(), ctx);
  if (ctx.request.body().size() > s.max_body_bytes)
    co_return problem(
        ctx, ErrorKind::payload_too_large,
        "an MCP message may be at most " + std::to_string(s.max_body_bytes) + " bytes");
  auto version = header(ctx.request, kVersionHeader);
  if (!version.empty() && !supported_version(version))
    co_return http::problem(
        Error::field(ErrorKind::bad_request, kVersionHeader,
                     "unsupported; this server speaks 2025-11-25, 2025-06-18 and 2025-03-26"),
        ctx);
  boost::system::error_code ec;
  json::value message = json::parse(ctx.request.body(), ec);
  if (ec)
    co_return rpc_response(ctx,
                           error_response(nullptr, kParseError, "Parse error: " + ec.message()),
                           status::bad_request);
  // initialize opens a session: it needs none.
  if (classify(message) == MessageKind::request &&
      message.at("method").get_string() == "initialize")
    co_return co_await initialize(s, ctx, *caller, message.get_object());
  auto session = session_of(s, ctx, *caller);
  if (!session) co_return http::problem(session.error(), ctx);
  if (message.is_array()) {
    std::string_view v = version.empty() ? std::string_view(session->protocol_version) : version;
    if (!batches_allowed(v))
      co_return rpc_response(
          ctx,
          error_response(nullptr, kInvalidRequest,
                         "JSON-RPC batches are not supported in protocol " + std::string(v)),
          status::bad_request);
    // JSON-RPC 2.0 §6: an empty array is an invalid request. A batch runs its messages one
    // after another in this request: at most kMaxBatchMessages of them, so that one request
    // cannot hold a connection and the database for thousands of tool calls.
    const std::size_t size = message.get_array().size();
    if (size == 0 || size > kMaxBatchMessages)
      co_return rpc_response(
          ctx,
          error_response(nullptr, kInvalidRequest,
                         size == 0
                             ? std::string("an empty batch is not a JSON-RPC request")
                             : "a batch may hold at most " + std::to_string(kMaxBatchMessages) +
                                   " messages, not " + std::to_string(size)),
          status::bad_request);
    json::array answers;
    for (const auto& m : message.get_array())
      if (auto a = co_await answer(s, *caller, m)) answers.push_back(std::move(*a));
    if (answers.empty()) co_return accepted(ctx);
    co_return rpc_response(ctx, answers);
  }
  // Not JSON-RPC at all: a 400 with the error (streamable HTTP: the server MAY answer
  // input it cannot accept with an HTTP error status).
  if (classify(message) == MessageKind::invalid)
    co_return rpc_response(ctx,
                           error_response(nullptr, kInvalidRequest, "not a JSON-RPC 2.0 request"),
                           status::bad_request);
  auto reply = co_await answer(s, *caller, message);
  if (!reply) co_return accepted(ctx);
  co_return rpc_response(ctx, *reply);
}

asio::awaitable<Response> remove(McpDeps& s, http::RequestContext& ctx) {
  if (!origin_allowed(s, ctx))
    co_return problem(ctx, ErrorKind::forbidden, "Origin not allowed for /mcp");
  auto caller = co_await caller_of(s, ctx);
  if (!caller) co_return http::problem(caller.error(), ctx);
  auto id = header(ctx.request, kSessionHeader);
  if (id.empty())
    co_return http::problem(
        Error::field(ErrorKind::bad_request, kSessionHeader, "names the session to end"), ctx);
  if (!s.sessions.end(std::string(id), caller->user_id))
    co_return problem(ctx, ErrorKind::not_found, "no such MCP session");
  co_return http::empty_response(status::no_content, ctx.request);
}

std::vector<std::string> split_origins(const std::string& text) {
  std::vector<std::string> out;
  boost::split(out, text, boost::is_any_of(","));
  for (auto& o : out) boost::trim(o);
  std::erase_if(out, [](const std::string& o) { return o.empty(); });
  return out;
}

class McpModule final : public app::Module {
 public:
  McpModule(app::Platform& p, const McpOptions& o)
      : deps_{p.authenticator, tools::ToolDeps{p.db, p.metrics, p.outbox, p.task_writes},
              SessionTable(std::size_t(o.max_sessions_per_user),
                           std::chrono::seconds(*parse_duration_seconds(o.session_idle))),
              split_origins(o.allowed_origins), std::size_t(o.max_body_bytes)} {
    tools::describe_tool_metrics(p.metrics);
    p.metrics.add_gauge("todo_mcp_sessions", "Open MCP sessions.",
                        [this] { return double(deps_.sessions.size()); });
  }

  std::string_view name() const override { return "mcp"; }
  void add_routes(http::Router& router) override {
    using http::beast_http::verb;
    // GET has no route: the router answers 405 with Allow: POST, DELETE (no
    // server-initiated messages to stream).
    router.add(verb::post, "/mcp", http::with(deps_, post));
    router.add(verb::delete_, "/mcp", http::with(deps_, remove));
  }

 private:
  McpDeps deps_;
};

}  // namespace

std::unique_ptr<app::ModuleSpec> module_spec() {
  return std::make_unique<app::FunctionSpec<McpOptions>>(
      "mcp", "MCP server (mcp module)",
      [](app::OptionGroup& group, McpOptions& o) {
        group.integer("--mcp-max-sessions-per-user", "TODO_MCP_MAX_SESSIONS_PER_USER",
                      o.max_sessions_per_user,
                      "MCP sessions one user may hold; a new one ends the least recently used", 1,
                      10000);
        group.text("--mcp-session-idle", "TODO_MCP_SESSION_IDLE", o.session_idle,
                   "An MCP session unused this long ends (e.g. 1h, 30m)");
        group.text("--mcp-allowed-origins", "TODO_MCP_ALLOWED_ORIGINS", o.allowed_origins,
                   "Origins besides our own allowed to call /mcp, comma-separated "
                   "(e.g. https://app.example.com)");
        group.integer("--mcp-max-body-bytes", "TODO_MCP_MAX_BODY_BYTES", o.max_body_bytes,
                      "Largest MCP message accepted (larger: 413)", 1024, 16 << 20);
      },
      [](const McpOptions& o) {
        auto idle = parse_duration_seconds(o.session_idle);
        if (!idle || *idle <= 0)
          throw std::invalid_argument("--mcp-session-idle must look like 1h, 30m or 90s, got '" +
                                      o.session_idle + "'");
      },
      [](app::Platform& p, const McpOptions& o) -> std::unique_ptr<app::Module> {
        return std::make_unique<McpModule>(p, o);
      });
}

}  // namespace todo::mcp
