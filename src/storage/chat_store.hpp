#pragma once
// Chat conversations and their messages (issue 12, item 4): tables `conversations` and
// `chat_messages` (migrations/<backend>/015_chat.sql). SQL: storage/sqlite/sqlite_chat.cpp,
// storage/postgres/pg_chat.cpp. Every method takes the user id and filters by it: another
// user's conversation is simply not there.
//
// tool_calls is stored as the JSON text of the assistant's tool calls (an array of
// {name, arguments, result, is_error}, chat::ToolCallRecord); the store does not parse it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

struct ConversationRow {
  std::int64_t id = 0;
  std::string user_id;
  std::string title;
  Millis created_at = 0;
  Millis updated_at = 0;  // the last message's time
};

struct ChatMessageRow {
  std::int64_t id = 0;
  std::int64_t conversation_id = 0;
  std::string user_id;
  std::string role;  // "user" or "assistant"
  std::string content;
  std::string tool_calls = "[]";  // JSON array text
  Millis created_at = 0;
};

struct ConversationPage {
  std::vector<ConversationRow> items;       // newest first (by id)
  std::optional<std::int64_t> next_cursor;  // the last id of this page when more follow
};

struct ChatMessagePage {
  std::vector<ChatMessageRow> items;        // oldest first (by id)
  std::optional<std::int64_t> next_cursor;  // the last id of this page when more follow
};

class ChatStore : public Store {
 public:
  static std::unique_ptr<ChatStore> make(Tx& tx);

  // A new conversation of `user_id` titled `title`, created and updated at `now`. Throws
  // DbError with missing_reference when the user is gone.
  virtual ConversationRow create_conversation(std::string_view user_id, std::string_view title,
                                              Millis now) = 0;
  // The user's conversation `id`; nullopt when unknown or another user's.
  virtual std::optional<ConversationRow> find_conversation(std::string_view user_id,
                                                           std::int64_t id) = 0;
  // The user's conversations with an id below `before_id` (all when nullopt), newest first,
  // at most `limit`.
  virtual ConversationPage list_conversations(std::string_view user_id,
                                              std::optional<std::int64_t> before_id, int limit) = 0;
  // Appends a message (its id and created_at as given are ignored / used: created_at is
  // stored, the id is assigned and returned) and moves the conversation's updated_at to the
  // message's created_at. The conversation must be the user's (the caller found it in this
  // transaction). Throws DbError with missing_reference when it or the user is gone.
  virtual std::int64_t add_message(const ChatMessageRow& message) = 0;
  // The last `limit` messages of the user's conversation, returned oldest first (the history
  // an agent is given).
  virtual std::vector<ChatMessageRow> recent_messages(std::string_view user_id,
                                                      std::int64_t conversation_id, int limit) = 0;
  // The messages of the user's conversation with an id above `after_id` (from the first when
  // nullopt), oldest first, at most `limit`.
  virtual ChatMessagePage messages(std::string_view user_id, std::int64_t conversation_id,
                                   std::optional<std::int64_t> after_id, int limit) = 0;
  // Deletes the user's conversation and its messages; false when it is unknown or another
  // user's.
  virtual bool remove_conversation(std::string_view user_id, std::int64_t id) = 0;
  // Deletes every conversation and message of the user (account deletion).
  virtual void remove_user(std::string_view user_id) = 0;
};

namespace sqlite {
std::unique_ptr<ChatStore> make_chat_store(Handle& handle);
}
namespace postgres {
std::unique_ptr<ChatStore> make_chat_store(Handle& handle);
}
inline std::unique_ptr<ChatStore> ChatStore::make(Tx& tx) {
  return tx.sqlite() ? sqlite::make_chat_store(*tx.sqlite())
                     : postgres::make_chat_store(*tx.postgres());
}

inline ChatStore& chat(Tx& tx) {
  return tx.get<ChatStore>();
}

}  // namespace todo::storage
