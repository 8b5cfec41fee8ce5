// The notifications page of the repository contract (storage/notification_store.hpp), on every
// backend: newest first, the unread filter, paging by before_id, the unread count over all
// pages beside any page (an empty one included), and only the user's own. On PostgreSQL every
// page is also read pipelined on the test's io_context (storage/async_reads.hpp), which must
// give the same page, field by field.
#include <string>
#include <vector>

#include "storage/notification_store.hpp"
#include "storage_fixture.hpp"

namespace todo::storage {
namespace {

using namespace fixture;

constexpr Millis kNow = 1'769'767'200'000;

// Every field of a page, for comparing two reads of it.
std::string page_text(const NotificationPage& page) {
  std::string out = "unread=" + std::to_string(page.unread) +
                    " next=" + (page.next_before_id ? std::to_string(*page.next_before_id) : "-");
  auto opt = [](const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : "-"; };
  for (const auto& n : page.items)
    out += "\n" + std::to_string(n.id) + "|" + n.user_id + "|" + n.event_id + "|" + n.kind + "|" +
           opt(n.task_id) + "|" + n.title + "|" + opt(n.due_at) + "|" + opt(n.remind_at) + "|" +
           std::to_string(n.created_at) + "|" + opt(n.read_at);
  return out;
}

class NotificationStorageTest : public StorageTest {
 protected:
  // Stores `count` notifications for `user`, the i-th titled "<user> i"; returns their ids.
  std::vector<std::int64_t> notify(std::string_view user, int count) {
    std::vector<std::int64_t> ids;
    EXPECT_TRUE(ok(write([&](Tx& tx) {
      ids.clear();  // a unit may be re-run
      for (int i = 0; i < count; ++i) {
        Notification n;
        n.user_id = user_id(user);
        n.event_id = user_id(user) + "-event-" + std::to_string(i);
        n.kind = "reminder";
        n.task_id = i % 2 ? std::optional<std::int64_t>(100 + i) : std::nullopt;
        n.title = std::string(user) + " \"" + std::to_string(i) + "\"";
        n.due_at = i % 3 ? std::optional<Millis>(kNow + i) : std::nullopt;
        n.remind_at = kNow - 60'000 + i;
        n.created_at = kNow + i;
        ids.push_back(notifications(tx).insert(n));
      }
    })));
    return ids;
  }
  void mark_read(std::string_view user, std::int64_t id) {
    bool marked = false;
    EXPECT_TRUE(
        ok(write([&](Tx& tx) { marked = notifications(tx).mark_read(user_id(user), id, kNow); })));
    EXPECT_TRUE(marked);
  }
  // The page read as a unit; on PostgreSQL also pipelined, which must be the same.
  NotificationPage page(std::string_view user, const NotificationQuery& q) {
    NotificationPage page;
    EXPECT_TRUE(ok(read([&](Tx& tx) { page = notifications(tx).list(user_id(user), q); })));
    if (is_postgres()) {
      const std::string uid = user_id(user);
      auto piped = pipelined<NotificationPage>(
          [&](AsyncReads& reads) { return reads.notification_page(uid, q); });
      EXPECT_TRUE(piped.has_value()) << "the pipelined read declined";
      if (piped) {
        EXPECT_EQ(page_text(*piped), page_text(page));
      }
    }
    return page;
  }
  static std::vector<std::int64_t> ids_of(const NotificationPage& page) {
    std::vector<std::int64_t> ids;
    for (const auto& n : page.items) ids.push_back(n.id);
    return ids;
  }
};

TEST_P(NotificationStorageTest, PagesAreNewestFirstWithTheUnreadCountOfAllPages) {
  create_user("a");
  const auto ids = notify("a", 5);  // ascending
  mark_read("a", ids[1]);

  auto first = page("a", {.limit = 2});
  EXPECT_EQ(ids_of(first), (std::vector<std::int64_t>{ids[4], ids[3]}));
  EXPECT_EQ(first.unread, 4);
  ASSERT_TRUE(first.next_before_id.has_value());
  EXPECT_EQ(*first.next_before_id, ids[3]);
  EXPECT_EQ(first.items[0].title, "a \"4\"");
  EXPECT_EQ(first.items[0].created_at, kNow + 4);
  EXPECT_EQ(first.items[1].task_id, std::optional<std::int64_t>(103));
  EXPECT_FALSE(first.items[0].task_id.has_value());

  auto second = page("a", {.before_id = first.next_before_id, .limit = 2});
  EXPECT_EQ(ids_of(second), (std::vector<std::int64_t>{ids[2], ids[1]}));
  EXPECT_EQ(second.items[1].read_at, std::optional<Millis>(kNow));
  EXPECT_EQ(second.unread, 4);
  ASSERT_TRUE(second.next_before_id.has_value());

  auto last = page("a", {.before_id = second.next_before_id, .limit = 2});
  EXPECT_EQ(ids_of(last), (std::vector<std::int64_t>{ids[0]}));
  EXPECT_FALSE(last.next_before_id.has_value()) << "no page follows the last";

  // Exactly a page's worth: no next page announced.
  auto all = page("a", {.limit = 5});
  EXPECT_EQ(all.items.size(), 5u);
  EXPECT_FALSE(all.next_before_id.has_value());
}

TEST_P(NotificationStorageTest, TheUnreadFilterSkipsReadOnesAcrossPages) {
  create_user("a");
  const auto ids = notify("a", 6);
  mark_read("a", ids[5]);
  mark_read("a", ids[3]);
  auto first = page("a", {.unread_only = true, .limit = 2});
  EXPECT_EQ(ids_of(first), (std::vector<std::int64_t>{ids[4], ids[2]}));
  EXPECT_EQ(first.unread, 4);
  auto rest = page("a", {.unread_only = true, .before_id = first.next_before_id, .limit = 10});
  EXPECT_EQ(ids_of(rest), (std::vector<std::int64_t>{ids[1], ids[0]}));
}

TEST_P(NotificationStorageTest, AnEmptyPageStillCarriesTheCount) {
  create_user("a");
  create_user("none");
  const auto ids = notify("a", 3);
  // Past the oldest: no item, the count of all pages still there.
  auto past = page("a", {.before_id = ids[0], .limit = 10});
  EXPECT_TRUE(past.items.empty());
  EXPECT_EQ(past.unread, 3);
  EXPECT_FALSE(past.next_before_id.has_value());
  // A limit below one reads no item, and still the count.
  for (const int limit : {0, -1}) {
    auto none = page("a", {.limit = limit});
    EXPECT_TRUE(none.items.empty()) << "limit " << limit;
    EXPECT_EQ(none.unread, 3);
    EXPECT_FALSE(none.next_before_id.has_value());
  }
  // A user with no notification at all.
  auto nothing = page("none", {.limit = 10});
  EXPECT_TRUE(nothing.items.empty());
  EXPECT_EQ(nothing.unread, 0);
}

TEST_P(NotificationStorageTest, AUserSeesOnlyTheirOwnItemsAndCount) {
  create_user("a");
  create_user("b");
  const auto mine = notify("a", 2);
  const auto theirs = notify("b", 3);
  auto a = page("a", {.limit = 10});
  EXPECT_EQ(ids_of(a), (std::vector<std::int64_t>{mine[1], mine[0]}));
  EXPECT_EQ(a.unread, 2);
  for (const auto& n : a.items) EXPECT_EQ(n.user_id, user_id("a"));
  // A cursor taken from another user's page shows nothing of theirs.
  auto crossed = page("a", {.before_id = theirs[2] + 1, .limit = 10});
  for (const auto& n : crossed.items) EXPECT_EQ(n.user_id, user_id("a"));
  EXPECT_EQ(page("b", {.limit = 10}).unread, 3);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, NotificationStorageTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, NotificationStorageTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace todo::storage
