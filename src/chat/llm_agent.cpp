#include "chat/llm_agent.hpp"

#include <boost/json.hpp>

#include "chat/openai_wire.hpp"
#include "net/co_send.hpp"
#include "tools/registry.hpp"

namespace todo::chat {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr std::chrono::seconds kDefaultRetryAfter{30};
constexpr std::chrono::seconds kMaxRetryAfter{3600};

std::vector<ToolCallRecord> applied_only(const std::vector<ToolCallRecord>& calls) {
  std::vector<ToolCallRecord> out;
  for (const auto& c : calls)
    if (!c.is_error) out.push_back(c);
  return out;
}

AgentUnavailable unavailable(std::string detail, const net::Response* res,
                             const std::vector<ToolCallRecord>& calls) {
  AgentUnavailable u{std::move(detail), kDefaultRetryAfter, applied_only(calls)};
  if (res)
    if (auto after = res->retry_after(); after && after->count() > 0)
      u.retry_after = std::min(*after, kMaxRetryAfter);
  return u;
}

// One tool call the model asked for: run it (or say why not) and record it. Returns the
// content of the `role: tool` message that goes back to the model.
asio::awaitable<std::string> run_call(AgentContext& ctx, const wire::ModelToolCall& call,
                                      std::vector<ToolCallRecord>& records) {
  ToolCallRecord record{call.name, {}, nullptr, true};
  boost::system::error_code ec;
  json::value args =
      call.arguments.empty() ? json::value(json::object()) : json::parse(call.arguments, ec);
  if (ec || !args.is_object()) {
    std::string why = "the arguments of " + call.name.substr(0, 64) +
                      " are not a JSON object; nothing was done. Call it again with a JSON "
                      "object matching its parameters.";
    record.result = json::object{{"error", why}};
    records.push_back(std::move(record));
    co_return "Error: " + why;
  }
  record.arguments = args.get_object();
  record.arguments.erase("user_id");  // the user comes from the credential, never from here
  tools::CallOutcome outcome = co_await tools::call_tool(ctx.tools, ctx.caller, call.name, args);
  std::string content;
  if (outcome.refused) {
    std::string why = outcome.refused->message;
    if (!outcome.refused->data.is_null()) why += " " + json::serialize(outcome.refused->data);
    record.result = json::object{{"error", why}};
    content = "Error: " + why + " Nothing was done.";
  } else if (outcome.result && outcome.result->is_error) {
    record.result = json::object{{"error", outcome.result->message}};
    content = "Error: " + outcome.result->message;
  } else if (outcome.result) {
    record.is_error = false;
    record.result = outcome.result->structured;
    content = json::serialize(outcome.result->structured);
  }
  records.push_back(std::move(record));
  co_return content;
}

}  // namespace

LlmAgent::LlmAgent(LlmOptions options)
    : options_(std::move(options)),
      url_(options_.base_url),
      client_(net::HttpClientOptions{.max_queue = 4096,
                                     .max_connections_per_host = 32,
                                     .max_total_connections = 32,
                                     .timeout = options_.timeout,
                                     .max_response_bytes = std::size_t{4} << 20,
                                     .ca_file = options_.ca_file,
                                     .user_agent = "todo-platform-chat"}) {
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
  url_ += "/chat/completions";
}

asio::awaitable<AgentResult> LlmAgent::reply(AgentContext& ctx, std::string message) {
  json::array messages;
  messages.push_back(wire::system_message(ctx.now, ctx.timezone));
  for (auto& m : wire::history_messages(ctx.history)) messages.push_back(std::move(m));
  messages.push_back({{"role", "user"}, {"content", message}});
  const json::array tools = wire::tool_definitions();

  std::vector<ToolCallRecord> records;
  for (int round = 0;; ++round) {
    const bool last = round >= options_.max_tool_rounds;
    json::object body{{"model", options_.model},
                      {"messages", messages},
                      {"tools", tools},
                      {"tool_choice", last ? "none" : "auto"}};
    net::Request request{.method = net::Method::post, .url = url_};
    request.headers.push_back({"Content-Type", "application/json"});
    request.headers.push_back({"Accept", "application/json"});
    if (!options_.api_key.empty())
      request.headers.push_back({"Authorization", "Bearer " + options_.api_key});
    request.body = json::serialize(body);
    request.timeout = options_.timeout;
    net::Response res = co_await net::co_send(client_, request);
    if (!res.ok()) {
      std::string why = res.status ? "answered HTTP " + std::to_string(res.status)
                                   : "did not answer (" + res.reason.substr(0, 200) + ")";
      co_return unavailable("the language model " + why + "; try again later", &res, records);
    }
    auto turn = wire::parse_completion(res.body);
    if (!turn)
      co_return unavailable(
          "the language model answered something that is not a Chat Completions response", &res,
          records);
    if (turn->tool_calls.empty() || last) {
      std::string text = turn->content.value_or("");
      if (text.empty() && turn->tool_calls.empty())
        co_return unavailable("the language model answered neither text nor tool calls", &res,
                              records);
      if (text.empty())
        text = "I stopped after " + std::to_string(options_.max_tool_rounds) +
               " rounds of tool calls without finishing; tell me how to go on.";
      co_return AgentReply{std::move(text), std::move(records)};
    }
    messages.push_back(turn->message);
    for (std::size_t i = 0; i < turn->tool_calls.size(); ++i) {
      const auto& call = turn->tool_calls[i];
      std::string content = co_await run_call(ctx, call, records);
      std::string id =
          call.id.empty() ? "call_" + std::to_string(round) + "_" + std::to_string(i) : call.id;
      messages.push_back({{"role", "tool"}, {"tool_call_id", id}, {"content", content}});
    }
  }
}

}  // namespace todo::chat
