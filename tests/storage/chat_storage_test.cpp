// The chat part of the repository contract (storage/chat_store.hpp), on every backend:
// conversations newest first and messages oldest first with their paging, the recent history
// cut, every query filtered by the user, deleting a conversation deletes its messages, and
// account deletion (erase_user_data) removes both.
#include "storage/chat_store.hpp"
#include "storage/user_data.hpp"
#include "storage_fixture.hpp"

namespace todo::storage {
namespace {

using namespace fixture;

constexpr Millis kNow = 1'769'767'200'000;

class ChatStorageTest : public StorageTest {
 protected:
  std::int64_t conversation(std::string_view user, std::string_view title, Millis at = kNow) {
    std::int64_t id = 0;
    EXPECT_TRUE(
        ok(write([&](Tx& tx) { id = chat(tx).create_conversation(user_id(user), title, at).id; })));
    return id;
  }
  std::int64_t message(std::string_view user, std::int64_t conversation_id, std::string role,
                       std::string content, Millis at, std::string calls = "[]") {
    std::int64_t id = 0;
    EXPECT_TRUE(ok(write([&](Tx& tx) {
      id = chat(tx).add_message({0, conversation_id, user_id(user), role, content, calls, at});
    })));
    return id;
  }
  template <class T, class Fn>
  T read_value(Fn fn) {
    T out{};
    EXPECT_TRUE(ok(read([&](Tx& tx) { out = fn(chat(tx)); })));
    return out;
  }
  std::vector<std::string> contents(const std::vector<ChatMessageRow>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.content);
    return out;
  }
};

TEST_P(ChatStorageTest, ConversationsAreListedNewestFirstInPagesAndOnlyTheOwners) {
  create_user("ada");
  create_user("bob");
  auto a1 = conversation("ada", "one");
  auto b1 = conversation("bob", "bob's");
  auto a2 = conversation("ada", "two");
  auto a3 = conversation("ada", "three");
  auto page = read_value<ConversationPage>(
      [&](ChatStore& s) { return s.list_conversations(user_id("ada"), std::nullopt, 2); });
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].id, a3);
  EXPECT_EQ(page.items[1].id, a2);
  ASSERT_TRUE(page.next_cursor);
  EXPECT_EQ(*page.next_cursor, a2);
  auto rest = read_value<ConversationPage>(
      [&](ChatStore& s) { return s.list_conversations(user_id("ada"), page.next_cursor, 2); });
  ASSERT_EQ(rest.items.size(), 1u);
  EXPECT_EQ(rest.items[0].id, a1);
  EXPECT_EQ(rest.items[0].title, "one");
  EXPECT_EQ(rest.items[0].user_id, user_id("ada"));
  EXPECT_FALSE(rest.next_cursor);

  EXPECT_TRUE(read_value<bool>(
      [&](ChatStore& s) { return s.find_conversation(user_id("bob"), b1).has_value(); }));
  EXPECT_FALSE(read_value<bool>(
      [&](ChatStore& s) { return s.find_conversation(user_id("ada"), b1).has_value(); }));
  EXPECT_FALSE(read_value<bool>(
      [&](ChatStore& s) { return s.find_conversation(user_id("bob"), a1).has_value(); }));
}

TEST_P(ChatStorageTest, MessagesComeOldestFirstInPagesAndTheRecentHistoryIsTheLastOnes) {
  create_user("ada");
  auto c = conversation("ada", "talk");
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(message("ada", c, i % 2 ? "assistant" : "user", "m" + std::to_string(i),
                          kNow + i * 1000, i % 2 ? R"([{"name":"list_tasks"}])" : "[]"));
  auto first = read_value<ChatMessagePage>(
      [&](ChatStore& s) { return s.messages(user_id("ada"), c, std::nullopt, 3); });
  EXPECT_EQ(contents(first.items), (std::vector<std::string>{"m0", "m1", "m2"}));
  ASSERT_TRUE(first.next_cursor);
  EXPECT_EQ(*first.next_cursor, ids[2]);
  EXPECT_EQ(first.items[1].role, "assistant");
  EXPECT_EQ(first.items[1].tool_calls, R"([{"name":"list_tasks"}])");
  EXPECT_EQ(first.items[0].tool_calls, "[]");
  EXPECT_EQ(first.items[2].created_at, kNow + 2000);
  auto second = read_value<ChatMessagePage>(
      [&](ChatStore& s) { return s.messages(user_id("ada"), c, first.next_cursor, 3); });
  EXPECT_EQ(contents(second.items), (std::vector<std::string>{"m3", "m4"}));
  EXPECT_FALSE(second.next_cursor);

  auto recent = read_value<std::vector<ChatMessageRow>>(
      [&](ChatStore& s) { return s.recent_messages(user_id("ada"), c, 2); });
  EXPECT_EQ(contents(recent), (std::vector<std::string>{"m3", "m4"}));
  // The conversation's updated_at follows its last message.
  auto conv = read_value<std::optional<ConversationRow>>(
      [&](ChatStore& s) { return s.find_conversation(user_id("ada"), c); });
  ASSERT_TRUE(conv);
  EXPECT_EQ(conv->created_at, kNow);
  EXPECT_EQ(conv->updated_at, kNow + 4000);
}

TEST_P(ChatStorageTest, AnotherUsersMessagesAreNeverRead) {
  create_user("ada");
  create_user("bob");
  auto c = conversation("ada", "mine");
  message("ada", c, "user", "secret", kNow);
  EXPECT_TRUE(read_value<std::vector<ChatMessageRow>>([&](ChatStore& s) {
                return s.recent_messages(user_id("bob"), c, 10);
              }).empty());
  EXPECT_TRUE(read_value<ChatMessagePage>([&](ChatStore& s) {
                return s.messages(user_id("bob"), c, std::nullopt, 10);
              }).items.empty());
  EXPECT_FALSE(
      read_value<bool>([&](ChatStore& s) { return s.remove_conversation(user_id("bob"), c); }));
  EXPECT_EQ(read_value<ChatMessagePage>([&](ChatStore& s) {
              return s.messages(user_id("ada"), c, std::nullopt, 10);
            }).items.size(),
            1u);
}

TEST_P(ChatStorageTest, DeletingAConversationDeletesItsMessagesOnly) {
  create_user("ada");
  auto gone = conversation("ada", "gone");
  auto kept = conversation("ada", "kept");
  message("ada", gone, "user", "a", kNow);
  message("ada", gone, "assistant", "b", kNow);
  message("ada", kept, "user", "c", kNow);
  bool removed = false;
  ASSERT_TRUE(
      ok(write([&](Tx& tx) { removed = chat(tx).remove_conversation(user_id("ada"), gone); })));
  EXPECT_TRUE(removed);
  EXPECT_FALSE(read_value<bool>(
      [&](ChatStore& s) { return s.find_conversation(user_id("ada"), gone).has_value(); }));
  EXPECT_TRUE(read_value<ChatMessagePage>([&](ChatStore& s) {
                return s.messages(user_id("ada"), gone, std::nullopt, 10);
              }).items.empty());
  EXPECT_EQ(contents(read_value<ChatMessagePage>([&](ChatStore& s) {
                       return s.messages(user_id("ada"), kept, std::nullopt, 10);
                     }).items),
            (std::vector<std::string>{"c"}));
  ASSERT_TRUE(
      ok(write([&](Tx& tx) { removed = chat(tx).remove_conversation(user_id("ada"), gone); })));
  EXPECT_FALSE(removed);
}

TEST_P(ChatStorageTest, AMissingUserIsAMissingReferenceAndAccountDeletionRemovesEverything) {
  Status s = write([&](Tx& tx) { chat(tx).create_conversation(user_id("nobody"), "x", kNow); });
  ASSERT_FALSE(s.ok());
  create_user("ada");
  create_user("bob");
  auto c = conversation("ada", "mine");
  message("ada", c, "user", "hello", kNow);
  auto b = conversation("bob", "bob's");
  message("bob", b, "user", "hi", kNow);
  bool erased = false;
  ASSERT_TRUE(ok(write([&](Tx& tx) { erased = erase_user_data(tx, user_id("ada")); })));
  EXPECT_TRUE(erased);
  EXPECT_TRUE(read_value<ConversationPage>([&](ChatStore& s) {
                return s.list_conversations(user_id("ada"), std::nullopt, 10);
              }).items.empty());
  EXPECT_TRUE(read_value<std::vector<ChatMessageRow>>([&](ChatStore& s) {
                return s.recent_messages(user_id("ada"), c, 10);
              }).empty());
  EXPECT_EQ(read_value<ConversationPage>([&](ChatStore& s) {
              return s.list_conversations(user_id("bob"), std::nullopt, 10);
            }).items.size(),
            1u);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ChatStorageTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, ChatStorageTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace todo::storage
