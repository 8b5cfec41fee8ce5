#pragma once
// The chat's JSON: the body of POST /api/{user_id}/chat, tool call records, stored messages
// and conversations as the API shows them (openapi/openapi.json: ChatRequest, ChatReply,
// ChatToolCall, Conversation, ChatMessage, ConversationPage, ConversationMessages). Pure.
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chat/agent.hpp"
#include "core/error.hpp"
#include "storage/chat_store.hpp"

namespace todo::chat {

struct ChatInput {
  std::optional<std::int64_t> conversation_id;  // absent or null: a new conversation
  std::string message;                          // as sent (not trimmed), not blank
  std::string timezone = "UTC";                 // IANA name, checked by the caller's rule
};

// `{conversation_id?, message, timezone?}`. A 422 naming each bad field: message missing,
// not a string, blank (only Unicode white space) or over `max_message_chars` characters
// (code points); conversation_id not a positive integer; timezone not a string an IANA zone
// `known_zone` accepts; an unknown member.
Result<ChatInput> parse_chat_input(const boost::json::value& body, int max_message_chars,
                                   bool (*known_zone)(std::string_view));

// A conversation's title from its first message: white space runs folded to one space,
// trimmed, cut to 80 characters (code points) with "…" when cut.
std::string title_from_message(std::string_view message);

// {name, arguments, result, is_error}
boost::json::object tool_call_json(const ToolCallRecord& call);
boost::json::array tool_calls_json(const std::vector<ToolCallRecord>& calls);
// The records stored as JSON text (storage's tool_calls column); malformed text or entries
// give what could be read (never throws: the column is only ever written by us).
std::vector<ToolCallRecord> tool_calls_from_text(std::string_view text);

// {id, title, created_at, updated_at}
boost::json::object conversation_json(const storage::ConversationRow& row);
// {id, role, content, tool_calls, created_at}
boost::json::object message_json(const storage::ChatMessageRow& row);

}  // namespace todo::chat
