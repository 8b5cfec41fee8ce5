// SQLite: chat conversations and messages (storage/chat_store.hpp). Pages read one row more
// than asked to know whether another page follows.
#include <algorithm>

#include "storage/chat_store.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kInsertConversation =
    "INSERT INTO conversations (user_id, title, created_at, updated_at) VALUES (?, ?, ?, ?)";
constexpr const char* kFindConversation =
    "SELECT id, user_id, title, created_at, updated_at FROM conversations "
    "WHERE user_id = ? AND id = ?";
constexpr const char* kListConversations =
    "SELECT id, user_id, title, created_at, updated_at FROM conversations "
    "WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?";
constexpr const char* kInsertMessage =
    "INSERT INTO chat_messages (conversation_id, user_id, role, content, tool_calls, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?)";
constexpr const char* kTouchConversation =
    "UPDATE conversations SET updated_at = MAX(updated_at, ?) WHERE user_id = ? AND id = ?";
constexpr const char* kMessageColumns =
    "SELECT id, conversation_id, user_id, role, content, tool_calls, created_at FROM "
    "chat_messages ";
constexpr const char* kRecentMessages =
    "WHERE user_id = ? AND conversation_id = ? ORDER BY id DESC LIMIT ?";
constexpr const char* kMessagesAfter =
    "WHERE user_id = ? AND conversation_id = ? AND id > ? ORDER BY id ASC LIMIT ?";
constexpr const char* kDeleteMessages =
    "DELETE FROM chat_messages WHERE user_id = ? AND conversation_id = ?";
constexpr const char* kDeleteConversation =
    "DELETE FROM conversations WHERE user_id = ? AND id = ?";
constexpr const char* kDeleteUserMessages = "DELETE FROM chat_messages WHERE user_id = ?";
constexpr const char* kDeleteUserConversations = "DELETE FROM conversations WHERE user_id = ?";

constexpr std::int64_t kNoUpperBound = INT64_MAX;

ConversationRow conversation(Statement& s) {
  return {s.int64(0), s.text(1), s.text(2), s.int64(3), s.int64(4)};
}
ChatMessageRow message(Statement& s) {
  return {s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4), s.text(5), s.int64(6)};
}

class SqliteChat final : public ChatStore {
 public:
  explicit SqliteChat(Handle& db) : db_(db) {}

  ConversationRow create_conversation(std::string_view user_id, std::string_view title,
                                      Millis now) override {
    db_.prepare(kInsertConversation)
        .bind(1, user_id)
        .bind(2, title)
        .bind(3, now)
        .bind(4, now)
        .run();
    return {db_.last_insert_rowid(), std::string(user_id), std::string(title), now, now};
  }

  std::optional<ConversationRow> find_conversation(std::string_view user_id,
                                                   std::int64_t id) override {
    auto s = db_.prepare(kFindConversation);
    s.bind(1, user_id).bind(2, id);
    if (!s.step()) return std::nullopt;
    return conversation(s);
  }

  ConversationPage list_conversations(std::string_view user_id,
                                      std::optional<std::int64_t> before_id, int limit) override {
    auto s = db_.prepare(kListConversations);
    s.bind(1, user_id).bind(2, before_id.value_or(kNoUpperBound)).bind(3, std::int64_t(limit) + 1);
    ConversationPage page;
    while (s.step()) page.items.push_back(conversation(s));
    if (int(page.items.size()) > limit) {
      page.items.resize(std::size_t(limit));
      page.next_cursor = page.items.back().id;
    }
    return page;
  }

  std::int64_t add_message(const ChatMessageRow& m) override {
    db_.prepare(kInsertMessage)
        .bind(1, m.conversation_id)
        .bind(2, m.user_id)
        .bind(3, m.role)
        .bind(4, m.content)
        .bind(5, m.tool_calls)
        .bind(6, m.created_at)
        .run();
    std::int64_t id = db_.last_insert_rowid();
    db_.prepare(kTouchConversation)
        .bind(1, m.created_at)
        .bind(2, m.user_id)
        .bind(3, m.conversation_id)
        .run();
    return id;
  }

  std::vector<ChatMessageRow> recent_messages(std::string_view user_id,
                                              std::int64_t conversation_id, int limit) override {
    auto s = db_.prepare(std::string(kMessageColumns) + kRecentMessages);
    s.bind(1, user_id).bind(2, conversation_id).bind(3, std::int64_t(limit));
    std::vector<ChatMessageRow> out;
    while (s.step()) out.push_back(message(s));
    std::reverse(out.begin(), out.end());
    return out;
  }

  ChatMessagePage messages(std::string_view user_id, std::int64_t conversation_id,
                           std::optional<std::int64_t> after_id, int limit) override {
    auto s = db_.prepare(std::string(kMessageColumns) + kMessagesAfter);
    s.bind(1, user_id)
        .bind(2, conversation_id)
        .bind(3, after_id.value_or(0))
        .bind(4, std::int64_t(limit) + 1);
    ChatMessagePage page;
    while (s.step()) page.items.push_back(message(s));
    if (int(page.items.size()) > limit) {
      page.items.resize(std::size_t(limit));
      page.next_cursor = page.items.back().id;
    }
    return page;
  }

  bool remove_conversation(std::string_view user_id, std::int64_t id) override {
    db_.prepare(kDeleteMessages).bind(1, user_id).bind(2, id).run();
    db_.prepare(kDeleteConversation).bind(1, user_id).bind(2, id).run();
    return db_.changes() > 0;
  }

  void remove_user(std::string_view user_id) override {
    db_.prepare(kDeleteUserMessages).bind(1, user_id).run();
    db_.prepare(kDeleteUserConversations).bind(1, user_id).run();
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<ChatStore> make_chat_store(Handle& handle) {
  return std::make_unique<SqliteChat>(handle);
}

}  // namespace todo::storage::sqlite
