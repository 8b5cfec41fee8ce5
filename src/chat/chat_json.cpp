#include "chat/chat_json.hpp"

#include <boost/json.hpp>

#include "core/text.hpp"
#include "core/time.hpp"
#include "core/utf8.hpp"

namespace todo::chat {
namespace {

namespace json = boost::json;

constexpr std::size_t kTitleChars = 80;

bool is_blank(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = next_code_point(text, i);
    if (!c) return false;  // not text we can judge: let it through as not blank
    if (!is_unicode_space(*c)) return false;
  }
  return true;
}

}  // namespace

Result<ChatInput> parse_chat_input(const json::value& body, int max_message_chars,
                                   bool (*known_zone)(std::string_view)) {
  if (!body.is_object())
    return Error::field(ErrorKind::validation, "body",
                        "must be a JSON object {conversation_id?, message, timezone?}");
  const auto& obj = body.get_object();
  Error errors{ErrorKind::validation};
  ChatInput out;
  for (const auto& [key, value] : obj)
    if (key != "conversation_id" && key != "message" && key != "timezone")
      errors.errors.push_back({std::string(key.substr(0, 64)),
                               "is not a known field (conversation_id, message, timezone)"});

  const auto* message = obj.if_contains("message");
  if (!message || !message->is_string()) {
    errors.errors.push_back({"message", "is required: a string"});
  } else {
    out.message = std::string(message->get_string());
    if (is_blank(out.message))
      errors.errors.push_back({"message", "must not be empty or blank"});
    else if (utf8_length(out.message) > std::size_t(max_message_chars))
      errors.errors.push_back(
          {"message", "must be at most " + std::to_string(max_message_chars) + " characters"});
  }

  if (const auto* id = obj.if_contains("conversation_id"); id && !id->is_null()) {
    std::optional<std::int64_t> value;
    if (id->is_int64() && id->get_int64() > 0) value = id->get_int64();
    if (id->is_uint64() && id->get_uint64() <= std::uint64_t(INT64_MAX))
      value = std::int64_t(id->get_uint64());
    if (!value)
      errors.errors.push_back(
          {"conversation_id", "must be the positive integer id of one of your conversations"});
    else
      out.conversation_id = value;
  }

  if (const auto* tz = obj.if_contains("timezone"); tz && !tz->is_null()) {
    if (!tz->is_string() || !known_zone(std::string_view(tz->get_string())))
      errors.errors.push_back(
          {"timezone", "must be an IANA time zone name such as Europe/Paris or UTC"});
    else
      out.timezone = std::string(tz->get_string());
  }

  if (errors.errors.empty()) return out;
  for (const auto& e : errors.errors)
    errors.detail += (errors.detail.empty() ? "" : "; ") + e.field + " " + e.message;
  return errors;
}

std::string title_from_message(std::string_view message) {
  std::string folded;
  bool space = false;
  std::size_t chars = 0;
  std::size_t i = 0;
  while (i < message.size()) {
    std::size_t start = i;
    auto c = next_code_point(message, i);
    if (!c) {  // cannot happen for JSON text; skip a byte rather than loop
      ++i;
      continue;
    }
    if (is_unicode_space(*c) || *c < 0x20) {
      space = !folded.empty();
      continue;
    }
    if (chars == kTitleChars) return folded + "…";
    if (space) {
      folded += ' ';
      ++chars;
      space = false;
      if (chars == kTitleChars) return folded + "…";
    }
    folded.append(message.substr(start, i - start));
    ++chars;
  }
  return folded;
}

json::object tool_call_json(const ToolCallRecord& call) {
  return {{"name", call.name},
          {"arguments", call.arguments},
          {"result", call.result},
          {"is_error", call.is_error}};
}

json::array tool_calls_json(const std::vector<ToolCallRecord>& calls) {
  json::array out;
  for (const auto& c : calls) out.push_back(tool_call_json(c));
  return out;
}

std::vector<ToolCallRecord> tool_calls_from_text(std::string_view text) {
  std::vector<ToolCallRecord> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& item : v.get_array()) {
    const auto* obj = item.if_object();
    if (!obj) continue;
    ToolCallRecord r;
    if (const auto* n = obj->if_contains("name"); n && n->is_string()) r.name = n->get_string();
    if (const auto* a = obj->if_contains("arguments"); a && a->is_object())
      r.arguments = a->get_object();
    if (const auto* res = obj->if_contains("result")) r.result = *res;
    if (const auto* e = obj->if_contains("is_error"); e && e->is_bool()) r.is_error = e->get_bool();
    out.push_back(std::move(r));
  }
  return out;
}

json::object conversation_json(const storage::ConversationRow& row) {
  return {{"id", row.id},
          {"title", row.title},
          {"created_at", format_rfc3339(row.created_at)},
          {"updated_at", format_rfc3339(row.updated_at)}};
}

json::object message_json(const storage::ChatMessageRow& row) {
  boost::system::error_code ec;
  json::value calls = json::parse(row.tool_calls, ec);
  if (ec || !calls.is_array()) calls = json::array();
  return {{"id", row.id},
          {"role", row.role},
          {"content", row.content},
          {"tool_calls", std::move(calls)},
          {"created_at", format_rfc3339(row.created_at)}};
}

}  // namespace todo::chat
