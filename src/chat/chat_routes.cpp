// POST /api/{user_id}/chat: stateless between requests. The user's message is stored (with
// a new conversation when none is named) and the history read in one transaction BEFORE the
// agent runs, so that a failing agent never loses it; the assistant's reply and its tool
// calls are stored in a second transaction after.
#include "chat/chat_routes.hpp"

#include <boost/json.hpp>

#include "auth/session.hpp"
#include "chat/chat_json.hpp"
#include "core/time.hpp"
#include "http/id_paging.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "storage/await.hpp"
#include "storage/chat_store.hpp"
#include "tasks/recurrence.hpp"

namespace todo::chat {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using status = http::beast_http::status;

constexpr const char* kMessagesMetric = "todo_chat_messages_total";

Error no_such_conversation() {
  return Error::make(ErrorKind::not_found, "no conversation of yours has this id");
}

// The conversation and the history before the new message.
struct Started {
  std::int64_t conversation_id = 0;
  std::vector<storage::ChatMessageRow> history;
};

tools::Caller caller_of(const auth::Principal& principal) {
  tools::Caller caller{principal.user_id, !principal.is_access_token(), {}, "chat"};
  for (const auto& named : auth::kScopeNames)
    if (principal.may(named.scope)) caller.scopes.emplace_back(named.name);
  return caller;
}

std::vector<ChatMessage> history_of(const std::vector<storage::ChatMessageRow>& rows) {
  std::vector<ChatMessage> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back({r.role, r.content, tool_calls_from_text(r.tool_calls)});
  return out;
}

// The 503 of an agent that could not answer: a problem (subtype assistant-unavailable) with
// Retry-After, the conversation the message was kept in and the tool calls already applied.
http::Response unavailable_response(const AgentUnavailable& u, std::int64_t conversation_id,
                                    const http::RequestContext& ctx) {
  Error e = Error::make(ErrorKind::unavailable, u.detail);
  e.subtype = "assistant-unavailable";
  e.title = "Assistant unavailable";
  e.retry_after_seconds = int(std::max<long long>(1, u.retry_after.count()));
  http::Response res = http::problem(e, ctx);
  json::object body = json::parse(res.body()).as_object();
  body["conversation_id"] = conversation_id;
  body["applied_tool_calls"] = tool_calls_json(u.applied);
  res.body() = json::serialize(body);
  res.prepare_payload();
  return res;
}

// Stores the assistant's message (the reply, or a note of the failure with what was applied).
// Takes references only: callers pass named values, so that no temporary std::string lives
// across the co_await (g++ 12, see net/co_send.hpp).
asio::awaitable<Status> store_assistant(ChatDeps& s, const std::string& user,
                                        std::int64_t conversation_id, const std::string& content,
                                        const std::vector<ToolCallRecord>& calls) {
  storage::ChatMessageRow row{0,           conversation_id, user,
                              "assistant", content,         json::serialize(tool_calls_json(calls)),
                              now_millis()};
  auto unit = [row](storage::Tx& tx) -> Result<Unit> {
    auto& store = storage::chat(tx);
    // Deleted while the agent ran: nothing to add the reply to.
    if (!store.find_conversation(row.user_id, row.conversation_id)) return no_such_conversation();
    store.add_message(row);
    return Unit{};
  };
  co_return co_await storage::db_write<Unit>(s.db, s.metrics, std::move(unit));
}

asio::awaitable<http::Reply> post_chat(ChatDeps& s, http::RequestContext& ctx) {
  auto principal = co_await s.authenticator.authorize(ctx, auth::Scope::chat);
  if (!principal) co_return principal.error();
  if (ctx.request.body().size() > s.max_body_bytes)
    co_return Error::make(
        ErrorKind::payload_too_large,
        "a chat request may be at most " + std::to_string(s.max_body_bytes) + " bytes");
  auto body = http::parse_json_body(ctx.request);
  if (!body) co_return body.error();
  auto input = parse_chat_input(*body, s.max_message_chars, &is_known_timezone);
  if (!input) co_return input.error();
  const std::string user = principal->user_id;
  const Millis now = now_millis();
  auto start = [user, in = *input, now,
                limit = s.history_messages](storage::Tx& tx) -> Result<Started> {
    auto& store = storage::chat(tx);
    Started out;
    if (in.conversation_id) {
      if (!store.find_conversation(user, *in.conversation_id)) return no_such_conversation();
      out.conversation_id = *in.conversation_id;
    }
    // A missing reference: the account was deleted meanwhile (its 401), or the conversation
    // (deleted by another request since it was found: its 404).
    try {
      if (!in.conversation_id)
        out.conversation_id =
            store.create_conversation(user, title_from_message(in.message), now).id;
      if (limit > 0) out.history = store.recent_messages(user, out.conversation_id, limit);
      store.add_message({0, out.conversation_id, user, "user", in.message, "[]", now});
    } catch (storage::DbError& e) {
      if (e.missing_reference)
        e.answer = in.conversation_id ? no_such_conversation() : account_deleted_error();
      throw;
    }
    return out;
  };
  auto started = co_await storage::db_write<Started>(s.db, s.metrics, std::move(start));
  if (!started) co_return started.error();

  const tools::Caller caller = caller_of(*principal);
  const std::vector<ChatMessage> history = history_of(started->history);
  AgentContext context{s.tools, caller, history, input->timezone, std::chrono::system_clock::now()};
  // The call as its own statement, the awaitable a named local: no temporary (the message's
  // copy) lives across the co_await (g++ 12, see net/co_send.hpp).
  auto pending = s.agent->reply(context, input->message);
  AgentResult result = co_await std::move(pending);

  const std::int64_t id = started->conversation_id;
  if (auto* failed = std::get_if<AgentUnavailable>(&result)) {
    s.metrics.add(kMessagesMetric, "outcome=\"unavailable\"", 1);
    if (!failed->applied.empty()) {
      // The history must say what was done, or the next request would do it again.
      const std::string note = "(The assistant stopped before answering: " + failed->detail + ")";
      Status stored = co_await store_assistant(s, user, id, note, failed->applied);
      if (!stored && stored.error().kind != ErrorKind::not_found) co_return stored.error();
    }
    co_return unavailable_response(*failed, id, ctx);
  }
  auto& reply = std::get<AgentReply>(result);
  Status stored = co_await store_assistant(s, user, id, reply.response, reply.tool_calls);
  if (!stored) co_return stored.error();
  s.metrics.add(kMessagesMetric, "outcome=\"ok\"", 1);
  json::object out{{"conversation_id", id},
                   {"response", reply.response},
                   {"tool_calls", tool_calls_json(reply.tool_calls)}};
  co_return http::json_response(status::ok, json::value(std::move(out)), ctx.request);
}

Result<http::IdPage> parse_page(const boost::urls::params_view& params) {
  http::IdPage page;
  std::vector<FieldError> errors;
  http::refuse_repeated_params(params, errors);
  for (const auto& p : params) {
    if (p.key.empty() && p.value.empty()) continue;
    if (!http::read_id_page_param(p.key, p.value, page, errors))
      errors.push_back({std::string(std::string_view(p.key).substr(0, 64)),
                        "is not a known parameter (limit, cursor)"});
  }
  if (errors.empty()) return page;
  return http::query_error(std::move(errors));
}

std::optional<std::int64_t> path_id(const http::RequestContext& ctx) {
  return http::parse_positive_id(ctx.param("id"));
}

asio::awaitable<http::Reply> list_conversations(ChatDeps& s, http::RequestContext& ctx) {
  auto user = co_await s.authenticator.authorize_user(ctx, auth::Scope::chat);
  if (!user) co_return user.error();
  auto page = parse_page(ctx.url.params());
  if (!page) co_return page.error();
  auto unit = [u = *user, p = *page](storage::Tx& tx) {
    return Result<storage::ConversationPage>(
        storage::chat(tx).list_conversations(u, p.before_id, p.limit));
  };
  auto rows =
      co_await storage::db_read<storage::ConversationPage>(s.db, s.metrics, std::move(unit));
  if (!rows) co_return rows.error();
  json::array items;
  for (const auto& c : rows->items) items.push_back(conversation_json(c));
  json::object out{{"items", std::move(items)}, {"next_cursor", nullptr}};
  if (rows->next_cursor) out["next_cursor"] = std::to_string(*rows->next_cursor);
  co_return http::json_response(status::ok, json::value(std::move(out)), ctx.request);
}

struct ConversationView {
  storage::ConversationRow conversation;
  storage::ChatMessagePage messages;
};

asio::awaitable<http::Reply> get_conversation(ChatDeps& s, http::RequestContext& ctx) {
  auto user = co_await s.authenticator.authorize_user(ctx, auth::Scope::chat);
  if (!user) co_return user.error();
  auto id = path_id(ctx);
  if (!id) co_return no_such_conversation();
  auto page = parse_page(ctx.url.params());
  if (!page) co_return page.error();
  // Oldest first: the cursor is the last (highest) id of the previous page.
  auto unit = [u = *user, id = *id, p = *page](storage::Tx& tx) -> Result<ConversationView> {
    auto& store = storage::chat(tx);
    auto conversation = store.find_conversation(u, id);
    if (!conversation) return no_such_conversation();
    return ConversationView{*conversation, store.messages(u, id, p.before_id, p.limit)};
  };
  auto view = co_await storage::db_read<ConversationView>(s.db, s.metrics, std::move(unit));
  if (!view) co_return view.error();
  json::array items;
  for (const auto& m : view->messages.items) items.push_back(message_json(m));
  json::object out{{"conversation", conversation_json(view->conversation)},
                   {"items", std::move(items)},
                   {"next_cursor", nullptr}};
  if (view->messages.next_cursor) out["next_cursor"] = std::to_string(*view->messages.next_cursor);
  co_return http::json_response(status::ok, json::value(std::move(out)), ctx.request);
}

asio::awaitable<http::Reply> delete_conversation(ChatDeps& s, http::RequestContext& ctx) {
  auto user = co_await s.authenticator.authorize_user(ctx, auth::Scope::chat);
  if (!user) co_return user.error();
  auto id = path_id(ctx);
  if (!id) co_return no_such_conversation();
  auto unit = [u = *user, id = *id](storage::Tx& tx) -> Result<Unit> {
    if (!storage::chat(tx).remove_conversation(u, id)) return no_such_conversation();
    return Unit{};
  };
  auto removed = co_await storage::db_write<Unit>(s.db, s.metrics, std::move(unit));
  if (!removed) co_return removed.error();
  co_return http::empty_response(status::no_content, ctx.request);
}

}  // namespace

void describe_chat_metrics(ops::Metrics& metrics) {
  metrics.describe(kMessagesMetric, "counter",
                   "Chat messages by outcome: ok, unavailable (the agent failed: 503)");
  metrics.add(kMessagesMetric, "outcome=\"ok\"", 0);
}

void add_chat_routes(http::Router& router, ChatDeps& deps) {
  using http::beast_http::verb;
  router.add(verb::post, "/api/{user_id}/chat", http::with(deps, post_chat));
  router.add(verb::get, "/api/{user_id}/conversations", http::with(deps, list_conversations));
  router.add(verb::get, "/api/{user_id}/conversations/{id}", http::with(deps, get_conversation));
  router.add(verb::delete_, "/api/{user_id}/conversations/{id}",
             http::with(deps, delete_conversation));
}

}  // namespace todo::chat
