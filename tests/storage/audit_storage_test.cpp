// The audit part of the repository contract (storage/tx.hpp): idempotent inserts, the
// audit query (filters, newest first, keyset pages) and bounded retention. Runs on every
// backend like storage_test.cpp (fixture: storage_fixture.hpp).
#include <algorithm>
#include <map>
#include <set>

#include "storage/audit_store.hpp"
#include "storage_fixture.hpp"

namespace todo::storage {
namespace {

using namespace fixture;

// purge_audit is not scoped by user. Its test works far in the past, where no real event
// is, so that on the shared PostgreSQL database it touches only rows it wrote.
constexpr Millis kPurgeEpoch = -7'000'000'000'000'000;

class AuditStorageTest : public StorageTest {
 protected:
  AuditRecord record(std::string_view user, std::string_view name, std::string type,
                     std::int64_t task_id, Millis timestamp) const {
    return AuditRecord{0,
                       prefix_ + std::string(name),
                       std::move(type),
                       user_id(user),
                       task_id,
                       R"({"name":")" + std::string(name) + R"(","q":"a\"b,{c}"})",
                       timestamp};
  }
  // Inserts them all in one unit; returns each one's id by name.
  std::map<std::string, std::int64_t> insert(const std::vector<AuditRecord>& records) {
    EXPECT_TRUE(ok(write([&](Tx& tx) {
      for (const auto& r : records) EXPECT_TRUE(storage::audit_log(tx).insert(r)) << r.event_id;
    })));
    std::map<std::string, std::int64_t> ids;
    std::set<std::string> users;
    for (const auto& r : records) users.insert(r.user_id);
    for (const auto& user : users) {
      AuditQuery q;
      q.limit = 100000;
      for (const auto& r : page(user, q).items) ids[r.event_id.substr(prefix_.size())] = r.id;
    }
    return ids;
  }
  // The page read as a unit; on PostgreSQL also read pipelined on this test's io_context
  // (storage/async_reads.hpp), which must give the same page.
  AuditPage page(const std::string& user_id, const AuditQuery& q) {
    AuditPage p;
    EXPECT_TRUE(ok(read([&](Tx& tx) { p = storage::audit_log(tx).list(user_id, q); })));
    if (is_postgres()) {
      auto piped =
          pipelined<AuditPage>([&](AsyncReads& reads) { return reads.audit_page(user_id, q); });
      EXPECT_TRUE(piped.has_value()) << "the pipelined read declined";
      if (piped) EXPECT_EQ(page_text(*piped), page_text(p));
    }
    return p;
  }
  // Every field of every record, and the cursor: two pages are the same when these are.
  static std::string page_text(const AuditPage& page) {
    std::string out;
    for (const auto& r : page.items)
      out += std::to_string(r.id) + "|" + r.event_id + "|" + r.event_type + "|" + r.user_id + "|" +
             std::to_string(r.task_id) + "|" + r.event_data + "|" + std::to_string(r.timestamp) +
             "\n";
    out += "next " + (page.next_before_id ? std::to_string(*page.next_before_id) : "none");
    return out;
  }
  // One page big enough for everything: the ids, in the order returned.
  std::vector<std::int64_t> list_ids(std::string_view user, AuditQuery q) {
    q.limit = 1000;
    AuditPage p = page(user_id(user), q);
    EXPECT_FALSE(p.next_before_id);
    std::vector<std::int64_t> ids;
    for (const auto& r : p.items) ids.push_back(r.id);
    return ids;
  }
};

// The ids of `names`, newest (highest id) first.
std::vector<std::int64_t> newest_first(const std::map<std::string, std::int64_t>& ids,
                                       const std::vector<std::string>& names) {
  std::vector<std::int64_t> out;
  for (const auto& n : names) out.push_back(ids.at(n));
  std::sort(out.rbegin(), out.rend());
  return out;
}

TEST_P(AuditStorageTest, InsertIsIdempotentOnTheEventId) {
  AuditRecord first = record("a", "e1", "created", 7, 1000);
  // A redelivery: the same event (event_id and timestamp) with other content. (An id reused
  // with another timestamp is the consumer contract's to catch on PostgreSQL, whose unique
  // key is (event_id, timestamp): storage/audit_store.hpp, tests/events/audit_partition_test.)
  AuditRecord again = record("a", "e1", "updated", 8, 1000);
  again.event_data = "{}";
  bool inserted = false, duplicate = true;
  ASSERT_TRUE(ok(write([&](Tx& tx) { inserted = storage::audit_log(tx).insert(first); })));
  ASSERT_TRUE(ok(write([&](Tx& tx) { duplicate = storage::audit_log(tx).insert(again); })));
  EXPECT_TRUE(inserted);
  EXPECT_FALSE(duplicate);

  AuditQuery q;
  AuditPage p = page(user_id("a"), q);
  ASSERT_EQ(p.items.size(), 1u);
  const AuditRecord& stored = p.items[0];
  EXPECT_GT(stored.id, 0);
  EXPECT_EQ(stored.event_id, first.event_id);
  EXPECT_EQ(stored.event_type, "created");
  EXPECT_EQ(stored.user_id, first.user_id);
  EXPECT_EQ(stored.task_id, 7);
  EXPECT_EQ(stored.event_data, first.event_data);
  EXPECT_EQ(stored.timestamp, 1000);
  EXPECT_FALSE(p.next_before_id);

  // Many at once: duplicates of stored rows and within the list itself count once.
  int added = -1;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    added = storage::audit_log(tx).insert_many({record("a", "e2", "created", 1, 1), again,
                                                record("a", "e3", "created", 1, 2),
                                                record("a", "e2", "deleted", 1, 3)});
  })));
  EXPECT_EQ(added, 2);
  std::vector<std::string> events;
  for (const auto& r : page(user_id("a"), q).items) {
    events.push_back(r.event_id.substr(prefix_.size()) + ":" + r.event_type);
  }
  EXPECT_EQ(events, (std::vector<std::string>{"e3:created", "e2:created", "e1:created"}));
}

TEST_P(AuditStorageTest, ListFiltersAreScopedToTheUser) {
  // name, type, task, timestamp (not in id order).
  std::vector<AuditRecord> records = {
      record("a", "a0", "created", 1, 1000), record("a", "a1", "updated", 1, 2000),
      record("a", "a2", "created", 2, 3000), record("a", "a3", "completed", 1, 4000),
      record("a", "a4", "deleted", 2, 5000), record("a", "a5", "updated", 2, 6000),
      record("a", "a6", "created", 3, 3000), record("b", "b0", "created", 1, 1000),
      record("b", "b1", "updated", 2, 3000),
  };
  auto ids = insert(records);
  ASSERT_EQ(ids.size(), records.size());
  auto expect = [&](const std::vector<std::string>& names) { return newest_first(ids, names); };

  AuditQuery all;
  EXPECT_EQ(list_ids("a", all), expect({"a0", "a1", "a2", "a3", "a4", "a5", "a6"}));
  EXPECT_EQ(list_ids("b", all), expect({"b0", "b1"}));
  EXPECT_TRUE(list_ids("nobody", all).empty());

  AuditQuery q;
  q.event_types = {"created"};
  EXPECT_EQ(list_ids("a", q), expect({"a0", "a2", "a6"}));
  q.event_types = {"created", "deleted"};
  EXPECT_EQ(list_ids("a", q), expect({"a0", "a2", "a4", "a6"}));
  q.event_types = {"no-such-type"};
  EXPECT_TRUE(list_ids("a", q).empty());

  q = {};
  q.task_id = 1;
  EXPECT_EQ(list_ids("a", q), expect({"a0", "a1", "a3"}));
  EXPECT_EQ(list_ids("b", q), expect({"b0"}));
  q.event_types = {"updated", "completed"};
  EXPECT_EQ(list_ids("a", q), expect({"a1", "a3"}));

  q = {};
  q.from = 3000;  // inclusive
  EXPECT_EQ(list_ids("a", q), expect({"a2", "a3", "a4", "a5", "a6"}));
  q = {};
  q.to = 3000;  // exclusive
  EXPECT_EQ(list_ids("a", q), expect({"a0", "a1"}));
  q = {};
  q.from = 2000;
  q.to = 5000;
  EXPECT_EQ(list_ids("a", q), expect({"a1", "a2", "a3", "a6"}));
  q.task_id = 2;
  EXPECT_EQ(list_ids("a", q), expect({"a2"}));
  q = {};
  q.from = 4000;
  q.to = 4000;
  EXPECT_TRUE(list_ids("a", q).empty());

  // before_id alone: strictly older rows.
  q = {};
  q.before_id = ids.at("a3");
  EXPECT_EQ(list_ids("a", q), expect({"a0", "a1", "a2"}));
}

TEST_P(AuditStorageTest, KeysetPagesHaveNoGapsOrDuplicates) {
  constexpr int kRecords = 23;
  std::vector<AuditRecord> records;
  for (int i = 0; i < kRecords; ++i)
    records.push_back(record("a", "p" + std::to_string(i), i % 3 == 0 ? "created" : "updated",
                             1 + i % 2, 1000 + (i * 7) % 10));
  records.push_back(record("b", "other", "created", 1, 1000));  // never on a's pages
  auto ids = insert(records);

  auto walk = [&](AuditQuery q, int limit) {
    std::vector<std::int64_t> seen;
    std::vector<std::size_t> sizes;
    q.limit = limit;
    for (int guard = 0; guard < 100; ++guard) {
      AuditPage p = page(user_id("a"), q);
      sizes.push_back(p.items.size());
      for (const auto& r : p.items) seen.push_back(r.id);
      if (!p.next_before_id) break;
      EXPECT_EQ(*p.next_before_id, p.items.back().id);
      q.before_id = p.next_before_id;
    }
    return std::pair(seen, sizes);
  };
  std::vector<std::string> every, created;
  for (int i = 0; i < kRecords; ++i) {
    every.push_back("p" + std::to_string(i));
    if (i % 3 == 0) created.push_back(every.back());
  }

  auto [seen, sizes] = walk({}, 5);
  EXPECT_EQ(seen, newest_first(ids, every));
  EXPECT_EQ(sizes, (std::vector<std::size_t>{5, 5, 5, 5, 3}));

  // A filter, and a total that is a multiple of the page size: the last full page says so.
  AuditQuery q;
  q.event_types = {"created"};
  std::tie(seen, sizes) = walk(q, 4);
  EXPECT_EQ(seen, newest_first(ids, created));
  EXPECT_EQ(sizes, (std::vector<std::size_t>{4, 4}));

  std::tie(seen, sizes) = walk({}, 1);
  EXPECT_EQ(seen, newest_first(ids, every));
  EXPECT_EQ(sizes.size(), std::size_t(kRecords));
}

TEST_P(AuditStorageTest, PurgeDeletesOldestFirstInBoundedBatches) {
  // Leftovers of a crashed earlier run in this test's time range (PostgreSQL keeps them).
  ASSERT_TRUE(
      ok(write([&](Tx& tx) { storage::audit_log(tx).purge(kPurgeEpoch + 1000, 1'000'000); })));
  const Millis cutoff = kPurgeEpoch + 10;
  // Old rows inserted out of timestamp order; one exactly at the cutoff (kept).
  std::vector<AuditRecord> records;
  for (Millis t : {5, 1, 4, 2, 3, 10, 11, 12})
    records.push_back(record("a", "t" + std::to_string(t), "created", 1, kPurgeEpoch + t));
  insert(records);

  auto remaining = [&] {
    AuditQuery q;
    q.limit = 1000;
    std::vector<Millis> out;
    for (const auto& r : page(user_id("a"), q).items) out.push_back(r.timestamp - kPurgeEpoch);
    std::sort(out.begin(), out.end());
    return out;
  };
  auto purge = [&](int max_rows) {
    int n = -1;
    EXPECT_TRUE(ok(write([&](Tx& tx) { n = storage::audit_log(tx).purge(cutoff, max_rows); })));
    return n;
  };
  EXPECT_EQ(purge(2), 2);
  EXPECT_EQ(remaining(), (std::vector<Millis>{3, 4, 5, 10, 11, 12}));
  EXPECT_EQ(purge(2), 2);
  EXPECT_EQ(remaining(), (std::vector<Millis>{5, 10, 11, 12}));
  EXPECT_EQ(purge(2), 1);
  EXPECT_EQ(purge(2), 0);
  EXPECT_EQ(remaining(), (std::vector<Millis>{10, 11, 12}));
  EXPECT_EQ(purge(1000), 0);
  EXPECT_EQ(remaining(), (std::vector<Millis>{10, 11, 12}));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AuditStorageTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, AuditStorageTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace todo::storage
