#pragma once
// The contract between the chat (src/chat: routes, conversations, the LLM agent) and the
// agents that answer a message: the LLM agent (any OpenAI-compatible Chat Completions
// endpoint) and the built-in English command assistant (src/assistant). An agent reads the
// conversation so far, runs tools of the one registry (src/tools) for the caller, and says
// what it did. It never stores anything itself: the chat stores the user's message before
// calling it and the reply and tool calls after.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "tools/tool.hpp"

namespace todo::chat {

// One tool call an agent made, in the order made: the tool's name, the arguments it was
// called with (after validation; never a user_id), and what it answered (the tool's
// structuredContent, or {"error": message} when is_error or refused). These are the
// `tool_calls` of the chat's answer and are stored with the assistant's message.
struct ToolCallRecord {
  std::string name;
  boost::json::object arguments;
  boost::json::value result;
  bool is_error = false;
};

// A stored message of the conversation, oldest first. role: "user" or "assistant";
// an assistant message carries the tool calls it made (empty for a user message).
struct ChatMessage {
  std::string role;
  std::string content;
  std::vector<ToolCallRecord> tool_calls;
};

// What an agent is given for one message.
struct AgentContext {
  tools::ToolDeps& tools;
  const tools::Caller& caller;           // user and scopes from the credential; source "chat"
  std::span<const ChatMessage> history;  // the conversation before this message, oldest first,
                                         // already cut to the configured history limit
  std::string timezone;                  // IANA zone for the user's dates ("Europe/Paris"; "UTC")
  std::chrono::system_clock::time_point now;  // the clock (fixed in tests)
};

// The agent answered: the reply text and the tool calls it made (possibly none).
struct AgentReply {
  std::string response;
  std::vector<ToolCallRecord> tool_calls;
};

// The agent could not answer (the LLM unreachable, failing, timing out or answering
// nonsense): the chat answers 503 with Retry-After, keeps the user's message, and says which
// tool calls were already applied (`applied`, in order) before the failure.
struct AgentUnavailable {
  std::string detail;  // for the problem's detail; never a secret, never the LLM's raw body
  std::chrono::seconds retry_after{30};
  std::vector<ToolCallRecord> applied;
};

using AgentResult = std::variant<AgentReply, AgentUnavailable>;

// An agent. Implementations are stateless between messages (the history is all they know)
// and safe to call from several coroutines at once.
class Agent {
 public:
  virtual ~Agent() = default;
  virtual boost::asio::awaitable<AgentResult> reply(AgentContext& context, std::string message) = 0;
};

}  // namespace todo::chat
