// PostgreSQL: chat conversations and messages (storage/chat_store.hpp). Pages read one row
// more than asked to know whether another page follows.
#include "storage/chat_store.hpp"
#include "storage/postgres/pg_handle.hpp"

namespace todo::storage::postgres {
namespace {

constexpr const char* kInsertConversation =
    "INSERT INTO conversations (user_id, title, created_at, updated_at) VALUES ($1, $2, $3, $3) "
    "RETURNING id";
constexpr const char* kFindConversation =
    "SELECT id, user_id, title, created_at, updated_at FROM conversations "
    "WHERE user_id = $1 AND id = $2";
constexpr const char* kListConversations =
    "SELECT id, user_id, title, created_at, updated_at FROM conversations "
    "WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3";
constexpr const char* kInsertMessage =
    "INSERT INTO chat_messages (conversation_id, user_id, role, content, tool_calls, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
constexpr const char* kTouchConversation =
    "UPDATE conversations SET updated_at = GREATEST(updated_at, $1) WHERE user_id = $2 AND id = $3";
constexpr const char* kMessageColumns =
    "SELECT id, conversation_id, user_id, role, content, tool_calls, created_at FROM "
    "chat_messages ";
constexpr const char* kRecentMessages =
    "WHERE user_id = $1 AND conversation_id = $2 ORDER BY id DESC LIMIT $3";
constexpr const char* kMessagesAfter =
    "WHERE user_id = $1 AND conversation_id = $2 AND id > $3 ORDER BY id ASC LIMIT $4";
constexpr const char* kDeleteMessages =
    "DELETE FROM chat_messages WHERE user_id = $1 AND conversation_id = $2";
constexpr const char* kDeleteConversation =
    "DELETE FROM conversations WHERE user_id = $1 AND id = $2";
constexpr const char* kDeleteUserMessages = "DELETE FROM chat_messages WHERE user_id = $1";
constexpr const char* kDeleteUserConversations = "DELETE FROM conversations WHERE user_id = $1";

constexpr std::int64_t kNoUpperBound = INT64_MAX;

ConversationRow conversation(const Rows& r, int i) {
  return {r.int64(i, 0), r.text(i, 1), r.text(i, 2), r.int64(i, 3), r.int64(i, 4)};
}
ChatMessageRow message(const Rows& r, int i) {
  return {r.int64(i, 0), r.int64(i, 1), r.text(i, 2), r.text(i, 3),
          r.text(i, 4),  r.text(i, 5),  r.int64(i, 6)};
}

class PgChat final : public ChatStore {
 public:
  explicit PgChat(Handle& db) : db_(db) {}

  ConversationRow create_conversation(std::string_view user_id, std::string_view title,
                                      Millis now) override {
    auto r = db_.exec(kInsertConversation, Params().add(user_id).add(title).add(now));
    return {r.int64(0, 0), std::string(user_id), std::string(title), now, now};
  }

  std::optional<ConversationRow> find_conversation(std::string_view user_id,
                                                   std::int64_t id) override {
    auto r = db_.exec(kFindConversation, Params().add(user_id).add(id));
    if (r.empty()) return std::nullopt;
    return conversation(r, 0);
  }

  ConversationPage list_conversations(std::string_view user_id,
                                      std::optional<std::int64_t> before_id, int limit) override {
    auto r = db_.exec(
        kListConversations,
        Params().add(user_id).add(before_id.value_or(kNoUpperBound)).add(std::int64_t(limit) + 1));
    ConversationPage page;
    for (int i = 0; i < r.size(); ++i) page.items.push_back(conversation(r, i));
    if (int(page.items.size()) > limit) {
      page.items.resize(std::size_t(limit));
      page.next_cursor = page.items.back().id;
    }
    return page;
  }

  std::int64_t add_message(const ChatMessageRow& m) override {
    auto r = db_.exec(kInsertMessage, Params()
                                          .add(m.conversation_id)
                                          .add(m.user_id)
                                          .add(m.role)
                                          .add(m.content)
                                          .add(m.tool_calls)
                                          .add(m.created_at));
    db_.exec(kTouchConversation, Params().add(m.created_at).add(m.user_id).add(m.conversation_id));
    return r.int64(0, 0);
  }

  std::vector<ChatMessageRow> recent_messages(std::string_view user_id,
                                              std::int64_t conversation_id, int limit) override {
    auto r = db_.exec(std::string(kMessageColumns) + kRecentMessages,
                      Params().add(user_id).add(conversation_id).add(std::int64_t(limit)));
    std::vector<ChatMessageRow> out;
    for (int i = r.size() - 1; i >= 0; --i) out.push_back(message(r, i));
    return out;
  }

  ChatMessagePage messages(std::string_view user_id, std::int64_t conversation_id,
                           std::optional<std::int64_t> after_id, int limit) override {
    auto r =
        db_.exec(std::string(kMessageColumns) + kMessagesAfter, Params()
                                                                    .add(user_id)
                                                                    .add(conversation_id)
                                                                    .add(after_id.value_or(0))
                                                                    .add(std::int64_t(limit) + 1));
    ChatMessagePage page;
    for (int i = 0; i < r.size(); ++i) page.items.push_back(message(r, i));
    if (int(page.items.size()) > limit) {
      page.items.resize(std::size_t(limit));
      page.next_cursor = page.items.back().id;
    }
    return page;
  }

  bool remove_conversation(std::string_view user_id, std::int64_t id) override {
    db_.exec(kDeleteMessages, Params().add(user_id).add(id));
    return db_.exec(kDeleteConversation, Params().add(user_id).add(id)).affected() > 0;
  }

  void remove_user(std::string_view user_id) override {
    db_.exec(kDeleteUserMessages, Params().add(user_id));
    db_.exec(kDeleteUserConversations, Params().add(user_id));
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<ChatStore> make_chat_store(Handle& handle) {
  return std::make_unique<PgChat>(handle);
}

}  // namespace todo::storage::postgres
