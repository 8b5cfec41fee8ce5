// The live-update log's part of the repository contract (storage/stream_store.hpp), on every
// backend: a user's seqs are 1, 2, 3... in commit order with no gaps, even with concurrent
// writers and rolled-back transactions, so a reader that has seen seq N and reads `seq > N`
// never misses a row; retention pruning; account deletion. On PostgreSQL also: the NOTIFY
// todo_stream '<user_id>' of an append arrives after its commit (never after a rollback).
#include <algorithm>
#include <atomic>
#include <thread>

#include "storage/stream_store.hpp"
#include "storage_fixture.hpp"

namespace todo::storage {
namespace {

using namespace fixture;

constexpr Millis kNow = 1'769'767'200'000;

class StreamStorageTest : public StorageTest {
 protected:
  void append(std::string_view user, const std::string& kind, const std::string& payload,
              Millis now = kNow) {
    ASSERT_TRUE(ok(write([&](Tx& tx) { stream(tx).append(user_id(user), kind, payload, now); })));
  }
  std::vector<StreamRow> after(std::string_view user, std::int64_t seq, int limit = 1000) {
    std::vector<StreamRow> rows;
    EXPECT_TRUE(ok(read([&](Tx& tx) { rows = stream(tx).read_after(user_id(user), seq, limit); })));
    return rows;
  }
  StreamPosition position(std::string_view user) {
    StreamPosition p;
    EXPECT_TRUE(ok(read([&](Tx& tx) { p = stream(tx).position(user_id(user)); })));
    return p;
  }
  static std::vector<std::int64_t> seqs(const std::vector<StreamRow>& rows) {
    std::vector<std::int64_t> out;
    for (const auto& r : rows) out.push_back(r.seq);
    return out;
  }
};

TEST_P(StreamStorageTest, EachUsersSeqsCountFromOneWithTheirRowsIntact) {
  EXPECT_EQ(position("a").last_seq, 0);
  EXPECT_FALSE(position("a").oldest_seq);
  append("a", "task", R"({"n":1})");
  append("b", "notification", R"({"n":"b1"})");
  append("a", "task", R"({"n":2})");
  // Two appends of one user in one transaction.
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    stream(tx).append(user_id("a"), "notifications", R"({"unread_count":3})", kNow + 1);
    stream(tx).append(user_id("a"), "task", R"({"n":4})", kNow + 2);
  })));
  auto rows = after("a", 0);
  ASSERT_EQ(seqs(rows), (std::vector<std::int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(rows[0].kind, "task");
  EXPECT_EQ(rows[0].payload, R"({"n":1})");
  EXPECT_EQ(rows[2].kind, "notifications");
  EXPECT_EQ(rows[2].payload, R"({"unread_count":3})");
  EXPECT_EQ(rows[3].created_at, kNow + 2);
  EXPECT_EQ(seqs(after("a", 2)), (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(seqs(after("a", 0, 2)), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(seqs(after("b", 0)), (std::vector<std::int64_t>{1}));
  auto p = position("a");
  EXPECT_EQ(p.last_seq, 4);
  EXPECT_EQ(p.oldest_seq, 1);
}

TEST_P(StreamStorageTest, ARolledBackAppendLeavesNoGap) {
  append("a", "task", "{}");
  auto failed = write([&](Tx& tx) {
    stream(tx).append(user_id("a"), "task", R"({"lost":true})", kNow);
    throw DbError("on purpose");
  });
  EXPECT_FALSE(failed.ok());
  append("a", "task", R"({"n":2})");
  auto rows = after("a", 0);
  ASSERT_EQ(seqs(rows), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(rows[1].payload, R"({"n":2})");
}

// The property the SSE stream relies on: whenever a reader sees seq N, it has seen (or can
// still read) every seq below N. Writers append concurrently (two writer connections on
// PostgreSQL, group commit on both) while a reader polls `seq > last seen`: every read must
// continue exactly where the previous one ended.
TEST_P(StreamStorageTest, AReaderFollowingTheLogNeverSkipsASeqWhileWritersCommit) {
  constexpr int kWriters = 4, kPerWriter = 60;
  std::atomic<bool> done{false};
  std::vector<std::string> problems;
  std::int64_t seen = 0;
  std::thread reader([&] {
    while (!done.load() || seen < kWriters * kPerWriter) {
      auto rows = after("a", seen);
      for (const auto& r : rows) {
        if (r.seq != seen + 1)
          problems.push_back("after " + std::to_string(seen) + " came " + std::to_string(r.seq));
        seen = r.seq;
      }
      if (done.load() && rows.empty() && seen < kWriters * kPerWriter) {
        problems.push_back("the log ends at " + std::to_string(seen));
        break;
      }
    }
  });
  std::atomic<int> committed{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w)
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        db_->write(
            [&, w, i](Tx& tx) {
              // Another user in the same transaction: batches of several users lock their
              // counters in one order (no deadlock between the two writers).
              stream(tx).append(user_id(w % 2 ? "b" : "c"), "task", "{}", kNow);
              stream(tx).append(user_id("a"), "task", R"({"w":)" + std::to_string(w) + "}", kNow);
            },
            [&](Status s) {
              if (s.ok()) ++committed;
            });
        if (i % 10 == 0) std::this_thread::yield();
      }
    });
  for (auto& t : writers) t.join();
  // Every unit committed (or the deadline: the reader then reports the end of the log).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (committed.load() < kWriters * kPerWriter && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  done = true;
  reader.join();
  EXPECT_TRUE(problems.empty()) << problems.front();
  EXPECT_EQ(seen, kWriters * kPerWriter);
  EXPECT_EQ(position("b").last_seq + position("c").last_seq, kWriters * kPerWriter);
}

TEST_P(StreamStorageTest, PruneDeletesOldRowsInBoundedBatchesAndKeepsTheCounter) {
  // prune is not scoped by user: this test works far in the past, where no other test's rows
  // are (the PostgreSQL database is shared).
  constexpr Millis kLongAgo = -7'000'000'000'000'000;
  for (int i = 0; i < 5; ++i) append("a", "task", "{}", kLongAgo + i);
  append("a", "task", "{}", kLongAgo + 100);
  std::int64_t removed = 0;
  ASSERT_TRUE(ok(write([&](Tx& tx) { removed = stream(tx).prune(kLongAgo + 5, 3); })));
  EXPECT_EQ(removed, 3);  // bounded
  ASSERT_TRUE(ok(write([&](Tx& tx) { removed = stream(tx).prune(kLongAgo + 5, 3); })));
  EXPECT_EQ(removed, 2);
  auto p = position("a");
  EXPECT_EQ(p.oldest_seq, 6);
  EXPECT_EQ(p.last_seq, 6);
  EXPECT_EQ(seqs(after("a", 0)), (std::vector<std::int64_t>{6}));
  append("a", "task", "{}");
  EXPECT_EQ(position("a").last_seq, 7);  // seqs never go back
}

TEST_P(StreamStorageTest, ListeningUsersAreThoseWhoListenedWithinTheWindow) {
  constexpr Millis kWindow = 300'000;
  auto listen = [&](std::string_view user, Millis now) {
    StreamPosition p;
    EXPECT_TRUE(
        ok(write([&](Tx& tx) { p = stream(tx).listen(user_id(user), now, now - kWindow); })));
    return p;
  };
  auto listening = [&](std::vector<std::string> users, Millis since) {
    for (auto& u : users) u = user_id(u);
    std::vector<std::string> out;
    EXPECT_TRUE(ok(read([&](Tx& tx) { out = stream(tx).listening(users, since); })));
    std::sort(out.begin(), out.end());
    return out;
  };
  // Nobody listens before listen(); a user with only appended rows does not either.
  append("c", "notification", "{}");
  EXPECT_TRUE(listening({"a", "b", "c"}, kNow - kWindow).empty());
  // A first listen on a user with no counter row starts at 0, with no floor.
  auto p = listen("a", kNow);
  EXPECT_EQ(p.last_seq, 0);
  EXPECT_EQ(p.floor, 0);
  listen("b", kNow - 2 * kWindow);  // long ago
  EXPECT_EQ(listening({"a", "b", "c", "nobody"}, kNow - kWindow),
            (std::vector<std::string>{user_id("a")}));
  EXPECT_TRUE(listening({}, kNow - kWindow).empty());
  // listeners(): every recent listener with its mark (other tests' users may be there too).
  std::vector<std::pair<std::string, Millis>> all;
  ASSERT_TRUE(ok(read([&](Tx& tx) { all = stream(tx).listeners(kNow - kWindow); })));
  auto has = [&](std::string_view u) {
    return std::count(all.begin(), all.end(), std::pair<std::string, Millis>(user_id(u), kNow));
  };
  EXPECT_EQ(has("a"), 1);
  EXPECT_EQ(has("b"), 0);
  // touch() keeps open streams' users listening.
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    stream(tx).touch({user_id("b"), user_id("nobody")}, kNow);
  })));
  auto both = std::vector<std::string>{user_id("a"), user_id("b")};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(listening({"a", "b"}, kNow - kWindow), both);
}

TEST_P(StreamStorageTest, ListeningAgainAfterALapseLeavesAGapSeqAndRaisesTheFloor) {
  constexpr Millis kWindow = 300'000;
  append("a", "task", R"({"n":1})");  // appended while "a" had never listened (notifications)
  // Never listened: a lapse. The gap seq 2 has no row; positions below it cannot resume.
  StreamPosition p;
  ASSERT_TRUE(
      ok(write([&](Tx& tx) { p = stream(tx).listen(user_id("a"), kNow, kNow - kWindow); })));
  EXPECT_EQ(p.last_seq, 2);
  EXPECT_EQ(p.floor, 2);
  EXPECT_EQ(position("a").floor, 2);
  append("a", "task", R"({"n":3})");
  EXPECT_EQ(seqs(after("a", 2)), (std::vector<std::int64_t>{3}));
  // Listening again within the window: no gap, the floor stays.
  ASSERT_TRUE(ok(write(
      [&](Tx& tx) { p = stream(tx).listen(user_id("a"), kNow + 1000, kNow + 1000 - kWindow); })));
  EXPECT_EQ(p.last_seq, 3);
  EXPECT_EQ(p.floor, 2);
  // After the window: another gap.
  Millis later = kNow + 2 * kWindow;
  ASSERT_TRUE(
      ok(write([&](Tx& tx) { p = stream(tx).listen(user_id("a"), later, later - kWindow); })));
  EXPECT_EQ(p.last_seq, 4);
  EXPECT_EQ(p.floor, 4);
  EXPECT_EQ(seqs(after("a", 0)), (std::vector<std::int64_t>{1, 3}));
}

TEST_P(StreamStorageTest, RemoveUserDropsTheRowsAndTheCounter) {
  append("a", "task", "{}");
  append("b", "task", "{}");
  ASSERT_TRUE(ok(write([&](Tx& tx) { stream(tx).remove_user(user_id("a")); })));
  EXPECT_TRUE(after("a", 0).empty());
  EXPECT_EQ(position("a").last_seq, 0);
  EXPECT_EQ(position("b").last_seq, 1);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StreamStorageTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, StreamStorageTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace todo::storage
