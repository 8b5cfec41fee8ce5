// The processed-events part of the repository contract (storage/processed_event_store.hpp),
// on every backend: claims say which ids are new, per consumer; released ids are new again;
// purge removes only old rows, in bounded batches. And outbox target bits by name
// (storage/outbox_store.hpp).
#include "storage/outbox_store.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/processed_event_store.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage_fixture.hpp"

namespace todo::storage {
namespace {

using namespace fixture;

// purge is not scoped by consumer or user: the test works far in the past, where no real
// row is, so that on the shared PostgreSQL database it touches only rows it wrote.
constexpr Millis kLongAgo = -7'000'000'000'000'000;

class ProcessedEventsTest : public StorageTest {
 protected:
  std::vector<bool> claim(const std::string& consumer, const std::vector<std::string>& ids,
                          Millis now = 1) {
    std::vector<bool> fresh;
    EXPECT_TRUE(ok(write([&](Tx& tx) { fresh = processed_events(tx).claim(consumer, ids, now); })));
    return fresh;
  }
  std::string id(std::string_view name) const { return prefix_ + std::string(name); }
};

TEST_P(ProcessedEventsTest, AClaimSaysWhichEventsAreNewPerConsumer) {
  const std::string a = id("consumer-a"), b = id("consumer-b");
  EXPECT_EQ(claim(a, {id("e1"), id("e2")}), (std::vector<bool>{true, true}));
  EXPECT_EQ(claim(a, {id("e2"), id("e3"), id("e1")}), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(claim(b, {id("e1")}), (std::vector<bool>{true})) << "each consumer has its own";
  // A repeated id within one list is new only at its first position.
  EXPECT_EQ(claim(a, {id("e4"), id("e4")}), (std::vector<bool>{true, false}));
  EXPECT_TRUE(claim(a, {}).empty());
}

TEST_P(ProcessedEventsTest, ARolledBackClaimLeavesNothing) {
  const std::string a = id("consumer-a");
  auto status = write([&](Tx& tx) {
    processed_events(tx).claim(a, {id("e1")}, 1);
    throw DbError("the consumer's effect failed");
  });
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(claim(a, {id("e1")}), (std::vector<bool>{true}));
}

TEST_P(ProcessedEventsTest, ReleasedEventsAreNewAgain) {
  const std::string a = id("consumer-a"), b = id("consumer-b");
  claim(a, {id("e1"), id("e2"), id("e3")});
  claim(b, {id("e1")});
  ASSERT_TRUE(ok(write([&](Tx& tx) { processed_events(tx).release(a, {id("e1"), id("e3")}); })));
  EXPECT_EQ(claim(a, {id("e1"), id("e2"), id("e3")}), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(claim(b, {id("e1")}), (std::vector<bool>{false})) << "another consumer's row stays";
}

TEST_P(ProcessedEventsTest, PurgeRemovesOnlyOldRowsInBoundedBatches) {
  const std::string a = id("consumer-a");
  std::vector<std::string> old_ids, new_ids;
  for (int i = 0; i < 5; ++i) old_ids.push_back(id("old" + std::to_string(i)));
  for (int i = 0; i < 3; ++i) new_ids.push_back(id("new" + std::to_string(i)));
  claim(a, old_ids, kLongAgo);
  claim(a, new_ids, kLongAgo + 1000);
  int first = -1, second = -1, third = -1;
  ASSERT_TRUE(ok(write([&](Tx& tx) { first = processed_events(tx).purge(kLongAgo + 500, 3); })));
  ASSERT_TRUE(ok(write([&](Tx& tx) { second = processed_events(tx).purge(kLongAgo + 500, 3); })));
  ASSERT_TRUE(ok(write([&](Tx& tx) { third = processed_events(tx).purge(kLongAgo + 500, 3); })));
  EXPECT_EQ(first, 3);
  EXPECT_EQ(second, 2);
  EXPECT_EQ(third, 0);
  EXPECT_EQ(claim(a, old_ids), std::vector<bool>(5, true)) << "purged: new again";
  EXPECT_EQ(claim(a, new_ids), std::vector<bool>(3, false)) << "younger rows kept";
}

// Target bits: one per name, the same on every call; a new name gets a bit no other name
// has. The table is shared on PostgreSQL, so only distinctness and stability are asserted.
TEST_P(ProcessedEventsTest, OutboxTargetBitsAreStablePerName) {
  const std::string x = id("target-x"), y = id("target-y");
  std::uint32_t bx = 0, by = 0, bx2 = 0;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    bx = outbox(tx).target_bit(x, false);
    by = outbox(tx).target_bit(y, false);
  })));
  ASSERT_TRUE(ok(write([&](Tx& tx) { bx2 = outbox(tx).target_bit(x, false); })));
  EXPECT_EQ(bx, bx2);
  EXPECT_NE(bx, by);
  EXPECT_EQ(bx & (bx - 1), 0u) << "a single bit";
  EXPECT_EQ(by & (by - 1), 0u) << "a single bit";
  // Clean up: the table holds 31 bits in all and PostgreSQL's is shared by every run.
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    if (tx.sqlite())
      tx.sqlite()
          ->prepare("DELETE FROM outbox_consumers WHERE name IN (?, ?)")
          .bind(1, x)
          .bind(2, y)
          .run();
    else
      tx.postgres()->exec("DELETE FROM outbox_consumers WHERE name IN ($1, $2)",
                          postgres::Params().add(x).add(y));
  })));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ProcessedEventsTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, ProcessedEventsTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace todo::storage
