// Repository and Database contract tests (users, tasks, idempotency keys, group commit),
// run against every backend through the Database interface only (write/read units,
// completion awaited with a promise). Backends and fixture: storage_fixture.hpp; the
// outbox and audit parts of the contract: events_storage_test.cpp.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/database.hpp"
#include "storage/idempotency_store.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/task_store.hpp"
#include "storage/user_store.hpp"
#include "storage_fixture.hpp"
#include "tasks/task_search.hpp"

namespace todo::storage {
namespace {

using namespace fixture;

std::vector<std::int64_t> pick(const std::vector<std::int64_t>& ids, std::vector<int> indexes) {
  std::vector<std::int64_t> out;
  for (int i : indexes) out.push_back(ids[i]);
  return out;
}

void expect_same(const Task& a, const Task& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.user_id, b.user_id);
  EXPECT_EQ(a.title, b.title);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.completed, b.completed);
  EXPECT_EQ(a.priority, b.priority);
  EXPECT_EQ(a.tags, b.tags);
  EXPECT_EQ(a.due_at, b.due_at);
  EXPECT_EQ(a.remind_at, b.remind_at);
  EXPECT_EQ(a.recurrence, b.recurrence);
  EXPECT_EQ(a.timezone, b.timezone);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
  EXPECT_EQ(a.completed_at, b.completed_at);
  EXPECT_EQ(a.version, b.version);
}

// The order the Cursor comment in tasks/task.hpp defines: (sort key, id), both in the
// requested direction, titles by the bytes of their folded key, undated tasks due at
// INT64_MAX.
std::vector<std::int64_t> expected_order(std::vector<Task> tasks, SortField sort, bool ascending) {
  std::stable_sort(tasks.begin(), tasks.end(), [&](const Task& a, const Task& b) {
    auto ka = sort_key(a, sort);
    auto kb = sort_key(b, sort);
    bool less = ka != kb ? ka < kb : a.id < b.id;  // std::string compares as unsigned bytes
    bool greater = ka != kb ? kb < ka : b.id < a.id;
    return ascending ? less : greater;
  });
  std::vector<std::int64_t> ids;
  for (const auto& t : tasks) ids.push_back(t.id);
  return ids;
}

constexpr SortField kAllSorts[] = {SortField::created_at, SortField::updated_at, SortField::due_at,
                                   SortField::priority, SortField::title};

std::string sort_name(SortField s, bool ascending) {
  const char* names[] = {"created_at", "updated_at", "due_at", "priority", "title"};
  return std::string(names[int(s)]) + (ascending ? " asc" : " desc");
}

TEST_P(StorageTest, Users) {
  bool first = false, duplicate = true;
  User alice{user_id("alice"), email("alice"), "Alice", 1000};
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    first = storage::users(tx).insert(alice, "hash-alice");
    // Same e-mail, other id: refused without an error.
    duplicate =
        storage::users(tx).insert(User{user_id("bob"), email("alice"), "Bob", 2000}, "hash-bob");
  })));
  EXPECT_TRUE(first);
  EXPECT_FALSE(duplicate);

  std::optional<UserCredentials> by_email, unknown_email;
  std::optional<User> by_id, bob, unknown_id;
  ASSERT_TRUE(ok(read([&](Tx& tx) {
    by_email = storage::users(tx).find_by_email(email("alice"));
    unknown_email = storage::users(tx).find_by_email(email("nobody"));
    by_id = storage::users(tx).find_by_id(user_id("alice"));
    bob = storage::users(tx).find_by_id(user_id("bob"));
    unknown_id = storage::users(tx).find_by_id(user_id("nobody"));
  })));
  ASSERT_TRUE(by_email);
  EXPECT_EQ(by_email->user.id, alice.id);
  EXPECT_EQ(by_email->user.email, alice.email);
  EXPECT_EQ(by_email->user.name, "Alice");
  EXPECT_EQ(by_email->user.created_at, 1000);
  EXPECT_EQ(by_email->password_hash, "hash-alice");
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->email, alice.email);
  EXPECT_EQ(by_id->name, "Alice");
  EXPECT_FALSE(bob);
  EXPECT_FALSE(unknown_email);
  EXPECT_FALSE(unknown_id);
}

TEST_P(StorageTest, TaskCrudIsScopedToItsUser) {
  create_user("a");
  create_user("b");
  TaskFields fields{
      .title = "Title with 'quotes' and \"double\"",
      .description = "línea\nsecond line \\ backslash",
      .completed = true,
      .priority = Priority::high,
      // Elements that need quoting in a text[] literal, or look like syntax.
      .tags = {"work", "a\"b", "c\\d", "x,y", "{braces}", "NULL", "with space", "ünï", ""},
      .due_at = 1'700'000'000'000,
      .remind_at = -5,
      .recurrence = "FREQ=WEEKLY;BYDAY=MO",
      .timezone = "Europe/Lisbon",
  };
  Task created;
  ASSERT_TRUE(
      ok(write([&](Tx& tx) { created = storage::tasks(tx).insert(user_id("a"), fields, 5000); })));
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.version, 1);
  EXPECT_EQ(created.created_at, 5000);
  EXPECT_EQ(created.updated_at, 5000);
  EXPECT_EQ(created.completed_at, 5000);

  std::optional<Task> found, foreign;
  ASSERT_TRUE(ok(read([&](Tx& tx) {
    found = storage::tasks(tx).find(user_id("a"), created.id);
    foreign = storage::tasks(tx).find(user_id("b"), created.id);
  })));
  ASSERT_TRUE(found);
  expect_same(*found, created);
  EXPECT_FALSE(foreign);

  Task changed = created;
  changed.title = "Renamed";
  changed.description = "";
  changed.completed = false;
  changed.completed_at = std::nullopt;
  changed.priority = Priority::low;
  changed.tags = {};
  changed.due_at = std::nullopt;
  changed.remind_at = 42;
  changed.recurrence = std::nullopt;
  changed.timezone = "UTC";
  changed.updated_at = 6000;
  changed.version = 2;
  Task hijack = changed;
  hijack.user_id = user_id("b");
  hijack.title = "hijacked";
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    storage::tasks(tx).update(changed);
    storage::tasks(tx).update(hijack);  // matches no row: another user's id
  })));
  ASSERT_TRUE(ok(read([&](Tx& tx) { found = storage::tasks(tx).find(user_id("a"), created.id); })));
  ASSERT_TRUE(found);
  expect_same(*found, changed);

  bool foreign_delete = true, own_delete = false, second_delete = true;
  ASSERT_TRUE(ok(write(
      [&](Tx& tx) { foreign_delete = storage::tasks(tx).remove(user_id("b"), created.id); })));
  EXPECT_FALSE(foreign_delete);
  ASSERT_TRUE(ok(read([&](Tx& tx) { found = storage::tasks(tx).find(user_id("a"), created.id); })));
  EXPECT_TRUE(found);
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    own_delete = storage::tasks(tx).remove(user_id("a"), created.id);
    second_delete = storage::tasks(tx).remove(user_id("a"), created.id);
  })));
  EXPECT_TRUE(own_delete);
  EXPECT_FALSE(second_delete);
  ASSERT_TRUE(ok(read([&](Tx& tx) { found = storage::tasks(tx).find(user_id("a"), created.id); })));
  EXPECT_FALSE(found);
}

// A unit sees the tasks it inserted (PostgreSQL writes them only just before COMMIT, so
// every other method must write them first): found, locked, listed, updated and removed in
// the same unit, and what it left is what is committed.
TEST_P(StorageTest, AUnitSeesTheTasksItInserted) {
  create_user("a");
  Task first, second, third;
  std::optional<Task> found, locked;
  std::vector<std::int64_t> listed;
  bool removed = false;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    auto& tasks = storage::tasks(tx);
    first = tasks.insert(user_id("a"), {.title = "first", .tags = {"x"}}, 1000);
    found = tasks.find(user_id("a"), first.id);
    second = tasks.insert(user_id("a"), {.title = "second"}, 2000);
    locked = tasks.lock(user_id("a"), second.id);
    Task changed = second;
    changed.title = "second, renamed";
    changed.version = 2;
    changed.updated_at = 2500;
    tasks.update(changed);
    third = tasks.insert(user_id("a"), {.title = "third"}, 3000);
    removed = tasks.remove(user_id("a"), third.id);
    TaskQuery q;
    q.limit = 10;
    listed.clear();
    for (const auto& t : tasks.list(user_id("a"), q).items) listed.push_back(t.id);
  })));
  ASSERT_TRUE(found);
  expect_same(*found, first);
  ASSERT_TRUE(locked);
  expect_same(*locked, second);
  EXPECT_TRUE(removed);
  EXPECT_EQ(listed, (std::vector<std::int64_t>{second.id, first.id}));  // newest first
  EXPECT_EQ(all_tasks("a"), (std::vector<std::int64_t>{second.id, first.id}));
  ASSERT_TRUE(ok(read([&](Tx& tx) { found = storage::tasks(tx).find(user_id("a"), second.id); })));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->title, "second, renamed");
  EXPECT_EQ(found->version, 2);
}

// A unit that fails after inserting leaves no task (PostgreSQL drops its buffered rows), and
// the next unit's tasks are written as usual.
TEST_P(StorageTest, ARolledBackUnitLeavesNoTask) {
  create_user("a");
  std::vector<std::int64_t> lost;
  Status failed = write([&](Tx& tx) {
    lost.clear();
    for (int i = 0; i < 3; ++i)
      lost.push_back(storage::tasks(tx).insert(user_id("a"), {.title = "lost"}, 1000 + i).id);
    DbError e("injected failure after the inserts");
    e.transient = false;
    throw e;
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_TRUE(all_tasks("a").empty());
  auto kept = insert_all("a", {{.title = "kept"}, {.title = "kept too"}}, {2000, 2001});
  EXPECT_EQ(all_tasks("a"), (std::vector<std::int64_t>{kept[1], kept[0]}));
  EXPECT_EQ(lost.size(), 3u);
}

// 100 tasks in one unit (PostgreSQL writes them in INSERTs of 64, 32 and 4 rows): every field
// of every one as given, each under its own id.
TEST_P(StorageTest, ManyTasksInOneUnitKeepEveryField) {
  create_user("a");
  constexpr int kTasks = 100;
  std::vector<Task> inserted;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    inserted.clear();
    for (int i = 0; i < kTasks; ++i) {
      TaskFields f{.title = "task " + std::to_string(i) + (i % 7 ? "" : " 'q' \"aa\" ünï"),
                   .description = i % 3 ? "" : "line\nnext \\ " + std::to_string(i),
                   .completed = i % 5 == 0,
                   .priority = static_cast<Priority>(i % 3),
                   .tags = {},
                   .due_at = i % 2 ? std::optional<Millis>(1'700'000'000'000 + i) : std::nullopt,
                   .remind_at = i % 4 ? std::nullopt : std::optional<Millis>(-i),
                   .recurrence = i % 6 ? std::nullopt : std::optional<std::string>("FREQ=DAILY"),
                   .timezone = i % 2 ? "UTC" : "Asia/Kolkata"};
      for (int t = 0; t < i % 4; ++t) f.tags.push_back("t" + std::to_string(t) + (t ? ",{x}" : ""));
      std::optional<std::int64_t> series;
      if (i % 10 == 9) series = inserted.front().id;
      inserted.push_back(storage::tasks(tx).insert(user_id("a"), f, 10'000 + i, series));
    }
  })));
  std::set<std::int64_t> ids;
  for (const auto& t : inserted) ids.insert(t.id);
  EXPECT_EQ(ids.size(), std::size_t(kTasks));
  for (const auto& t : inserted) {
    std::optional<Task> found;
    ASSERT_TRUE(ok(read([&](Tx& tx) { found = storage::tasks(tx).find(user_id("a"), t.id); })));
    ASSERT_TRUE(found) << t.title;
    expect_same(*found, t);
    EXPECT_EQ(found->series_id, t.series_id) << t.title;
  }
}

// A unit sees the updates it made (PostgreSQL writes them only just before COMMIT): found,
// locked, listed, updated again (the later update wins) and removed in the same unit; a task
// updated and then removed stays removed; another unit's task is untouched.
TEST_P(StorageTest, AUnitSeesTheUpdatesItMade) {
  create_user("a");
  create_user("b");
  auto ids =
      insert_all("a", {{.title = "one"}, {.title = "two"}, {.title = "three"}}, {100, 200, 300});
  auto other = insert_all("b", {{.title = "b's"}}, {150});
  std::optional<Task> found, locked;
  std::vector<std::string> listed;
  bool removed = false;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    auto& tasks = storage::tasks(tx);
    auto change = [&](std::int64_t id, const std::string& title, std::int64_t version) {
      auto t = tasks.lock(user_id("a"), id);
      ASSERT_TRUE(t);
      t->title = title;
      t->version = version;
      t->updated_at = 1000 + version;
      tasks.update(*t);
    };
    change(ids[0], "one, renamed", 2);
    found = tasks.find(user_id("a"), ids[0]);
    change(ids[1], "two, renamed", 2);
    change(ids[1], "two, renamed again", 3);
    locked = tasks.lock(user_id("a"), ids[1]);
    change(ids[2], "three, renamed", 2);
    removed = tasks.remove(user_id("a"), ids[2]);
    TaskQuery q;
    q.sort = SortField::title;
    q.ascending = true;
    listed.clear();
    for (const auto& t : tasks.list(user_id("a"), q).items) listed.push_back(t.title);
  })));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->title, "one, renamed");
  EXPECT_EQ(found->version, 2);
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->title, "two, renamed again");
  EXPECT_EQ(locked->version, 3);
  EXPECT_TRUE(removed);
  EXPECT_EQ(listed, (std::vector<std::string>{"one, renamed", "two, renamed again"}));
  EXPECT_EQ(all_tasks("a"), (std::vector<std::int64_t>{ids[1], ids[0]}));
  ASSERT_TRUE(ok(read([&](Tx& tx) {
    found = storage::tasks(tx).find(user_id("a"), ids[1]);
    locked = storage::tasks(tx).find(user_id("b"), other[0]);
  })));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->title, "two, renamed again");
  EXPECT_EQ(found->updated_at, 1003);
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->title, "b's");
  EXPECT_EQ(locked->version, 1);
}

// A unit that fails after updating leaves the tasks as they were (PostgreSQL drops its
// buffered updates), and the next unit's updates are written as usual.
TEST_P(StorageTest, ARolledBackUnitLeavesTheTasksAsTheyWere) {
  create_user("a");
  auto ids = insert_all("a", {{.title = "kept"}}, {100});
  Status failed = write([&](Tx& tx) {
    auto t = storage::tasks(tx).lock(user_id("a"), ids[0]);
    t->title = "lost";
    t->version = 2;
    storage::tasks(tx).update(*t);
    DbError e("injected failure after the update");
    e.transient = false;
    throw e;
  });
  EXPECT_FALSE(failed.ok());
  std::optional<Task> found;
  ASSERT_TRUE(ok(read([&](Tx& tx) { found = storage::tasks(tx).find(user_id("a"), ids[0]); })));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->title, "kept");
  EXPECT_EQ(found->version, 1);
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    auto t = storage::tasks(tx).lock(user_id("a"), ids[0]);
    t->title = "changed";
    t->version = 2;
    storage::tasks(tx).update(*t);
  })));
  ASSERT_TRUE(ok(read([&](Tx& tx) { found = storage::tasks(tx).find(user_id("a"), ids[0]); })));
  EXPECT_EQ(found->title, "changed");
}

// 100 tasks updated in one unit (PostgreSQL: UPDATEs of 64, 32 and 4 rows), every field
// changed, NULLs both ways: each task reads back exactly as updated.
TEST_P(StorageTest, ManyUpdatesInOneUnitKeepEveryField) {
  create_user("a");
  constexpr int kTasks = 100;
  std::vector<TaskFields> fields;
  std::vector<Millis> created;
  for (int i = 0; i < kTasks; ++i) {
    fields.push_back({.title = "task " + std::to_string(i),
                      .due_at = i % 2 ? std::nullopt : std::optional<Millis>(5'000 + i),
                      .remind_at = i % 3 ? std::optional<Millis>(7'000 + i) : std::nullopt});
    created.push_back(10'000 + i);
  }
  auto ids = insert_all("a", fields, created);
  std::vector<Task> updated;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    updated.clear();
    for (int i = 0; i < kTasks; ++i) {
      auto t = storage::tasks(tx).lock(user_id("a"), ids[std::size_t(i)]);
      ASSERT_TRUE(t);
      t->title = "renamed " + std::to_string(i) + (i % 7 ? "" : " 'q' \"aa\" ünï");
      t->description = i % 3 ? "" : "line\nnext \\ " + std::to_string(i);
      t->completed = i % 5 == 0;
      t->completed_at = t->completed ? std::optional<Millis>(20'000 + i) : std::nullopt;
      t->priority = static_cast<Priority>((i + 1) % 3);
      t->tags.clear();
      for (int k = 0; k < i % 4; ++k)
        t->tags.push_back("u" + std::to_string(k) + (k ? ",{x}" : ""));
      t->due_at = i % 2 ? std::optional<Millis>(1'700'000'000'000 + i) : std::nullopt;
      t->remind_at = i % 3 ? std::nullopt : std::optional<Millis>(-i);
      t->recurrence = i % 6 ? std::nullopt : std::optional<std::string>("FREQ=WEEKLY");
      t->timezone = i % 2 ? "Europe/Paris" : "UTC";
      t->updated_at = 30'000 + i;
      t->version = 2;
      storage::tasks(tx).update(*t);
      updated.push_back(*t);
    }
  })));
  for (const auto& t : updated) {
    std::optional<Task> found;
    ASSERT_TRUE(ok(read([&](Tx& tx) { found = storage::tasks(tx).find(user_id("a"), t.id); })));
    ASSERT_TRUE(found) << t.title;
    expect_same(*found, t);
  }
  // The title sort key and the search text follow the new titles.
  TaskQuery q;
  q.search_terms = search_needles("renamed 42");
  EXPECT_EQ(list_ids("a", q), (std::vector<std::int64_t>{ids[42]}));
}

// Stores' before_commit() hooks run by rank, then in creation order: rows a unit wrote
// (rank 0, PostgreSQL's buffered tasks) before the flushes that take per-user locks (rank 1,
// the outbox), whichever store the connection happened to create first.
std::vector<std::string>* g_commit_order = nullptr;  // the test below only
struct LockTakingStore : Store {
  static std::unique_ptr<LockTakingStore> make(Tx&) { return std::make_unique<LockTakingStore>(); }
  void before_commit() override { g_commit_order->push_back("locks"); }
};
struct RowStore : Store {
  static std::unique_ptr<RowStore> make(Tx&) { return std::make_unique<RowStore>(); }
  void before_commit() override { g_commit_order->push_back("rows"); }
  int before_commit_rank() const override { return 0; }
};
struct OtherRowStore : RowStore {
  static std::unique_ptr<OtherRowStore> make(Tx&) { return std::make_unique<OtherRowStore>(); }
  void before_commit() override { g_commit_order->push_back("other rows"); }
};

TEST(TxHooks, BeforeCommitRunsRowStoresFirst) {
  const auto dir = fs::temp_directory_path() / ("todo-tx-" + random_hex(12));
  fs::create_directories(dir);
  {
    sqlite::Handle handle((dir / "t.db").string());
    Tx tx(handle);
    std::vector<std::string> order;
    g_commit_order = &order;
    tx.get<LockTakingStore>();
    tx.get<RowStore>();
    tx.get<OtherRowStore>();
    tx.notify_before_commit();
    g_commit_order = nullptr;
    EXPECT_EQ(order, (std::vector<std::string>{"rows", "other rows", "locks"}));
  }
  fs::remove_all(dir);
}

// An update carrying another user's id matches no row, and leaves the task's tags alone too
// (on SQLite the tags also live in task_tags, rewritten by an update).
TEST_P(StorageTest, TagsFollowOnlyTheirOwnUsersWrites) {
  create_user("a");
  create_user("b");
  auto ids = insert_all("a", {{.title = "Water plants", .tags = {"home"}}}, {100});
  ASSERT_EQ(ids.size(), 1u);
  Task hijack;
  ASSERT_TRUE(ok(read([&](Tx& tx) { hijack = *storage::tasks(tx).find(user_id("a"), ids[0]); })));
  hijack.user_id = user_id("b");
  hijack.tags = {"stolen"};
  hijack.version = 2;
  ASSERT_TRUE(ok(write([&](Tx& tx) { storage::tasks(tx).update(hijack); })));
  auto tagged = [](std::string tag) {
    TaskQuery q;
    q.tags = {std::move(tag)};
    return q;
  };
  EXPECT_EQ(list_ids("a", tagged("home")), ids);
  EXPECT_EQ(list_ids("a", tagged("stolen")), std::vector<std::int64_t>{});
  EXPECT_EQ(list_ids("b", tagged("stolen")), std::vector<std::int64_t>{});
}

TEST_P(StorageTest, ListFilters) {
  create_user("a");
  create_user("b");
  auto ids =
      insert_all("a",
                 {
                     {.title = "Buy milk",
                      .priority = Priority::high,
                      .tags = {"home", "errand"},
                      .due_at = 1000},
                     {.title = "Write report", .completed = true, .tags = {"work"}, .due_at = 2000},
                     {.title = "Call mom", .priority = Priority::low, .tags = {"home"}},
                     {.title = "Plan trip", .tags = {"travel", "home"}, .due_at = 3000},
                     {.title = "Fix bike",
                      .completed = true,
                      .priority = Priority::high,
                      .tags = {"home", "errand", "bike"},
                      .due_at = 1500},
                     {.title = "Read book", .priority = Priority::low},
                 },
                 {100, 110, 120, 130, 140, 150});
  ASSERT_EQ(ids.size(), 6u);
  // Another user's task that matches every filter below: must never show up.
  insert_all("b",
             {{.title = "Buy milk",
               .priority = Priority::high,
               .tags = {"home", "errand"},
               .due_at = 1200}},
             {105});

  auto query = [](auto&& configure) {
    TaskQuery q;
    q.sort = SortField::created_at;
    q.ascending = true;
    configure(q);
    return q;
  };
  EXPECT_EQ(list_ids("a", query([](TaskQuery&) {})), ids);
  EXPECT_EQ(list_ids("a", query([](TaskQuery& q) { q.status = StatusFilter::pending; })),
            pick(ids, {0, 2, 3, 5}));
  EXPECT_EQ(list_ids("a", query([](TaskQuery& q) { q.status = StatusFilter::completed; })),
            pick(ids, {1, 4}));
  EXPECT_EQ(list_ids("a", query([](TaskQuery& q) { q.priority = Priority::high; })),
            pick(ids, {0, 4}));
  EXPECT_EQ(list_ids("a", query([](TaskQuery& q) { q.priority = Priority::low; })),
            pick(ids, {2, 5}));
  EXPECT_EQ(list_ids("a", query([](TaskQuery& q) { q.tags = {"home"}; })), pick(ids, {0, 2, 3, 4}));
  EXPECT_EQ(list_ids("a", query([](TaskQuery& q) {
                       q.tags = {"home", "errand"};
                     })),
            pick(ids, {0, 4}));
  EXPECT_EQ(list_ids("a", query([](TaskQuery& q) {
                       q.tags = {"errand", "bike"};
                     })),
            pick(ids, {4}));
  EXPECT_EQ(list_ids("a", query([](TaskQuery& q) {
                       q.tags = {"home", "travel"};
                     })),
            pick(ids, {3}));
  EXPECT_EQ(list_ids("a", query([](TaskQuery& q) { q.tags = {"nope"}; })), pick(ids, {}));
  EXPECT_EQ(list_ids("a", query([](TaskQuery& q) { q.tags = {"hom"}; })), pick(ids, {}));
  // Bounds are exclusive and undated tasks never match.
  EXPECT_EQ(list_ids("a", query([](TaskQuery& q) { q.due_before = 2000; })), pick(ids, {0, 4}));
  EXPECT_EQ(list_ids("a", query([](TaskQuery& q) { q.due_after = 1500; })), pick(ids, {1, 3}));
  EXPECT_EQ(list_ids("a", query([](TaskQuery& q) {
                       q.due_after = 1000;
                       q.due_before = 3000;
                     })),
            pick(ids, {1, 4}));
  EXPECT_EQ(list_ids("a", query([](TaskQuery& q) {
                       q.status = StatusFilter::pending;
                       q.tags = {"home"};
                       q.due_before = 5000;
                     })),
            pick(ids, {0, 3}));
  EXPECT_EQ(list_ids("a", query([](TaskQuery& q) {
                       q.priority = Priority::high;
                       q.search_terms = search_needles("bi");
                     })),
            pick(ids, {4}));
}

// Tasks with ties on every sort key, titles whose byte order differs from any
// linguistic order, negative and missing due dates.
std::vector<Task> insert_sort_fixture(Tx& tx, const std::string& user) {
  struct Row {
    const char* title;
    Priority priority;
    std::optional<Millis> due;
    Millis created, updated;
  };
  const Row rows[] = {
      {"banana", Priority::medium, 5000, 100, 900},   {"Apple", Priority::high, {}, 100, 800},
      {"apple", Priority::low, 3000, 200, 800},       {"_under", Priority::medium, 3000, 300, 700},
      {"Ébène", Priority::high, {}, 300, 950},        {"banana", Priority::medium, 1000, 400, 600},
      {"Zebra", Priority::low, 5000, 500, 1000},      {"10 items", Priority::high, -5, 600, 650},
      {"apple pie", Priority::medium, {}, 600, 1000}, {"Apple", Priority::low, 1000, 700, 900},
  };
  std::vector<Task> out;
  for (const auto& r : rows) {
    Task t = storage::tasks(tx).insert(
        user, {.title = r.title, .priority = r.priority, .due_at = r.due}, r.created);
    t.updated_at = r.updated;
    storage::tasks(tx).update(t);
    out.push_back(t);
  }
  return out;
}

TEST_P(StorageTest, EverySortInBothDirections) {
  create_user("a");
  std::vector<Task> tasks;
  ASSERT_TRUE(ok(write([&](Tx& tx) { tasks = insert_sort_fixture(tx, user_id("a")); })));
  for (SortField sort : kAllSorts) {
    for (bool ascending : {true, false}) {
      TaskQuery q;
      q.sort = sort;
      q.ascending = ascending;
      EXPECT_EQ(list_ids("a", q), expected_order(tasks, sort, ascending))
          << sort_name(sort, ascending);
    }
  }
  // Spot check of the title order (folded keys: case and accents do not count; ties by id),
  // independent of expected_order. More in search_storage_test.cpp.
  TaskQuery q;
  q.sort = SortField::title;
  q.ascending = true;
  std::vector<std::string> titles;
  for (const auto& t : list("a", q).items) titles.push_back(t.title);
  EXPECT_EQ(titles, (std::vector<std::string>{"10 items", "_under", "Apple", "apple", "Apple",
                                              "apple pie", "banana", "banana", "Ébène", "Zebra"}));
}

TEST_P(StorageTest, KeysetPaginationWalksAllPages) {
  create_user("a");
  std::vector<Task> tasks;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    tasks = insert_sort_fixture(tx, user_id("a"));
    auto more = insert_sort_fixture(tx, user_id("a"));  // duplicates every key
    tasks.insert(tasks.end(), more.begin(), more.end());
    tasks.push_back(storage::tasks(tx).insert(user_id("a"), {.title = "odd one"}, 650));
  })));
  ASSERT_EQ(tasks.size(), 21u);
  for (SortField sort : kAllSorts) {
    for (bool ascending : {true, false}) {
      for (int limit : {1, 4, 7, 21}) {
        SCOPED_TRACE(sort_name(sort, ascending) + " limit " + std::to_string(limit));
        TaskQuery q;
        q.sort = sort;
        q.ascending = ascending;
        q.limit = limit;
        std::vector<std::int64_t> walked;
        int pages = 0;
        for (;;) {
          TaskPage page = list("a", q);
          ++pages;
          ASSERT_LE(page.items.size(), std::size_t(limit));
          for (const auto& t : page.items) walked.push_back(t.id);
          if (!page.next) break;
          ASSERT_EQ(page.items.size(), std::size_t(limit)) << "short page before the end";
          EXPECT_EQ(page.next->sort, sort);
          EXPECT_EQ(page.next->ascending, ascending);
          EXPECT_EQ(page.next->id, page.items.back().id);
          q.after = page.next;
          ASSERT_LE(pages, 30) << "pagination does not end";
        }
        EXPECT_EQ(walked, expected_order(tasks, sort, ascending));
        EXPECT_EQ(pages, (21 + limit - 1) / limit);  // exact multiple: no empty last page
      }
    }
  }
  // With a filter: the cursor composes with the WHERE clause.
  TaskQuery q;
  q.sort = SortField::due_at;
  q.ascending = true;
  q.priority = Priority::medium;
  q.limit = 2;
  std::vector<Task> medium;
  for (const auto& t : tasks)
    if (t.priority == Priority::medium) medium.push_back(t);
  std::vector<std::int64_t> walked;
  for (;;) {
    TaskPage page = list("a", q);
    for (const auto& t : page.items) walked.push_back(t.id);
    if (!page.next) break;
    q.after = page.next;
  }
  EXPECT_EQ(walked, expected_order(medium, SortField::due_at, true));
}

TEST_P(StorageTest, IdempotencyKeys) {
  const Millis now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  IdempotentResponse first{"fp-1", 201, R"({"id":1,"title":"é \"q\""})"};
  IdempotentResponse second{"fp-2", 200, ""};
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    EXPECT_TRUE(
        storage::idempotency_keys(tx).save(user_id("a"), "key-1", first, 1000));  // long expired
    EXPECT_TRUE(storage::idempotency_keys(tx).save(user_id("a"), "key-2", second, now));
    EXPECT_FALSE(storage::idempotency_keys(tx).save(user_id("a"), "key-2", first, now));  // taken
  })));
  std::optional<IdempotentResponse> found, other_user, other_key;
  ASSERT_TRUE(ok(read([&](Tx& tx) {
    found = storage::idempotency_keys(tx).find(user_id("a"), "key-1");
    other_user = storage::idempotency_keys(tx).find(user_id("b"), "key-1");
    other_key = storage::idempotency_keys(tx).find(user_id("a"), "key-3");
  })));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->request_fingerprint, "fp-1");
  EXPECT_EQ(found->status, 201);
  EXPECT_EQ(found->body, first.body);
  EXPECT_FALSE(other_user);
  EXPECT_FALSE(other_key);

  ASSERT_TRUE(ok(write([&](Tx& tx) { storage::idempotency_keys(tx).purge(now - 3'600'000); })));
  std::optional<IdempotentResponse> purged, kept;
  ASSERT_TRUE(ok(read([&](Tx& tx) {
    purged = storage::idempotency_keys(tx).find(user_id("a"), "key-1");
    kept = storage::idempotency_keys(tx).find(user_id("a"), "key-2");
  })));
  EXPECT_FALSE(purged);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->status, 200);
  EXPECT_EQ(kept->body, "");
}

// The outbox relay's units never wait behind the units queued for the writers
// (Database::write_first): behind a queue that clients keep full, a consumer's lag would grow
// with the queue. PostgreSQL: a writer of its own, so the unit commits while every writer of
// write() is held; SQLite (one writer): the front of its queue.
TEST_P(StorageTest, AUnitWrittenFirstRunsBeforeTheUnitsQueuedAheadOfIt) {
  constexpr int kQueued = 40;
  WriterGate gate;
  ASSERT_NO_FATAL_FAILURE(gate.hold(*db_, writers()));
  std::mutex mutex;
  std::map<std::thread::id, std::vector<int>> ran;  // per writer thread, units in run order
  auto unit = [&](int i) {
    return [&, i](Tx&) {
      std::lock_guard lock(mutex);
      ran[std::this_thread::get_id()].push_back(i);
    };
  };
  Completions done(kQueued + 1);
  for (int i = 0; i < kQueued; ++i) db_->write(unit(i), done.done(i));
  if (is_postgres()) {
    // Its own writer: it commits while the others are all held, and a second one too.
    Completions first(2);
    db_->write_first(unit(kQueued), first.done(0));
    db_->write_first(unit(kQueued + 1), first.done(1));
    ASSERT_TRUE(first.wait(30s)) << "a unit written first waited for the writers of write()";
    EXPECT_TRUE(ok(first[0]));
    EXPECT_TRUE(ok(first[1]));
    {
      std::lock_guard lock(mutex);
      EXPECT_EQ(ran.size(), 1u);
      for (const auto& [thread, order] : ran)
        EXPECT_EQ(order, (std::vector<int>{kQueued, kQueued + 1})) << "none of write()'s units";
    }
    db_->write(unit(0), done.done(kQueued));  // the count of `done`
  } else {
    db_->write_first(unit(kQueued), done.done(kQueued));
  }
  gate.open();
  ASSERT_TRUE(done.wait(60s));
  for (int i = 0; i <= kQueued; ++i) EXPECT_TRUE(ok(done[i])) << "unit " << i;
  if (is_postgres()) return;
  bool found = false;
  for (const auto& [thread, order] : ran)
    if (std::find(order.begin(), order.end(), kQueued) != order.end()) {
      found = true;
      EXPECT_EQ(order.front(), kQueued)
          << "its writer ran " << order.size() - 1 << " queued units before it";
      EXPECT_GT(order.size(), 1u) << "nothing was queued on its writer";
    }
  EXPECT_TRUE(found);
}

// ... and all on one writer: the relay's acknowledgements of rows several targets share, in
// transactions of two writers at once, deadlocked on PostgreSQL (a 1 s wait for every write of
// both batches before PostgreSQL broke it).
TEST_P(StorageTest, UnitsWrittenFirstAllRunOnOneWriter) {
  std::mutex mutex;
  std::set<std::thread::id> threads;
  Completions done(40);
  std::vector<std::thread> submitters;
  for (int s = 0; s < 4; ++s)
    submitters.emplace_back([&, s] {
      for (int i = s; i < 40; i += 4) {
        db_->write([](Tx&) {}, [](Status) {});  // the other writers are busy too
        db_->write_first(
            [&](Tx&) {
              std::lock_guard lock(mutex);
              threads.insert(std::this_thread::get_id());
            },
            done.done(i));
      }
    });
  for (auto& t : submitters) t.join();
  ASSERT_TRUE(done.wait(60s));
  EXPECT_EQ(threads.size(), 1u);
}

TEST_P(StorageTest, GroupCommitIsolatesAFailingUnit) {
  create_user("a");
  constexpr int kWrites = 200;
  constexpr int kFaulty = 137;
  WriterGate gate;
  ASSERT_NO_FATAL_FAILURE(gate.hold(*db_, writers()));
  Completions done(kWrites);
  std::vector<std::atomic<int>> runs(kWrites);
  // Submitted from several threads at once, as network threads would.
  std::vector<std::thread> submitters;
  for (int s = 0; s < 4; ++s) {
    submitters.emplace_back([&, s] {
      for (int i = s; i < kWrites; i += 4) {
        db_->write(
            [&, i](Tx& tx) {
              ++runs[i];
              storage::tasks(tx).insert(user_id("a"), {.title = "gc-" + std::to_string(i)},
                                        1000 + i);
              if (i == kFaulty) {
                DbError e("injected failure after a partial write");
                e.transient = false;
                throw e;
              }
            },
            done.done(i));
      }
    });
  }
  for (auto& t : submitters) t.join();
  gate.open();
  ASSERT_TRUE(done.wait(60s));

  for (int i = 0; i < kWrites; ++i) {
    if (i == kFaulty) {
      EXPECT_FALSE(done[i].ok()) << "the faulty unit reported success";
    } else {
      EXPECT_TRUE(ok(done[i])) << "unit " << i;
    }
  }
  // The batch holding the faulty unit was rolled back and its units re-run one by one.
  int max_runs = 0;
  for (auto& r : runs) max_runs = std::max(max_runs, r.load());
  EXPECT_GE(max_runs, 2) << "the failure never hit a multi-unit batch";

  std::set<std::string> titles;
  std::size_t count = 0;
  ASSERT_TRUE(ok(read([&](Tx& tx) {
    TaskQuery q;
    q.limit = 1000;
    auto page = storage::tasks(tx).list(user_id("a"), q);
    count = page.items.size();
    titles.clear();
    for (const auto& t : page.items) titles.insert(t.title);
  })));
  EXPECT_EQ(count, std::size_t(kWrites - 1));  // no unit committed twice
  EXPECT_EQ(titles.size(), std::size_t(kWrites - 1));
  EXPECT_FALSE(titles.contains("gc-" + std::to_string(kFaulty)));
}

TEST_P(StorageTest, StopCompletesQueuedWrites) {
  create_user("a");
  constexpr int kWrites = 50;
  WriterGate gate;
  ASSERT_NO_FATAL_FAILURE(gate.hold(*db_, writers()));
  Completions done(kWrites);
  for (int i = 0; i < kWrites; ++i) {
    db_->write(
        [&, i](Tx& tx) { storage::tasks(tx).insert(user_id("a"), {.title = "queued"}, 1000 + i); },
        done.done(i));
  }
  std::thread stopper([&] { db_->stop(); });
  // Wait until stop() refuses new work (its completion runs synchronously), so the
  // queued writes are known to be pending when the writers are released.
  std::optional<Error> refusal;
  for (int attempt = 0; attempt < 5000 && !refusal; ++attempt) {
    auto result = std::make_shared<std::optional<Status>>();
    db_->write([](Tx&) {}, [result](Status s) { *result = std::move(s); });
    if (*result && !(*result)->ok()) refusal = (*result)->error();
    if (!refusal) std::this_thread::sleep_for(1ms);
  }
  gate.open();
  stopper.join();
  ASSERT_TRUE(refusal) << "stop() never refused new writes";
  EXPECT_EQ(refusal->kind, ErrorKind::unavailable);
  ASSERT_TRUE(done.wait(1s)) << "stop() returned before every queued write completed";
  for (int i = 0; i < kWrites; ++i) EXPECT_TRUE(ok(done[i])) << "unit " << i;

  db_ = open();  // a fresh Database sees every write
  EXPECT_EQ(all_tasks("a").size(), std::size_t(kWrites));
}

TEST_P(StorageTest, PingAndStats) {
  EXPECT_TRUE(db_->ping());
  DatabaseStats s = db_->stats();
  EXPECT_EQ(s.backend, GetParam().name);
  EXPECT_GE(s.schema_version, 1);
  // PostgreSQL: write_first's own writer as well (PostgresOptions::first_writer_connection).
  EXPECT_EQ(s.connections, writers() + 2 + (is_postgres() ? 1 : 0));
}

// Not a test of correctness: prints how fast one writer connection commits single-row
// inserts in batches of 100 (group commit) and one per transaction.
TEST_P(StorageTest, GroupCommitThroughputReport) {
  create_user("a");
  constexpr int kBatch = 100, kRounds = 10;
  auto clock = std::chrono::steady_clock::now;
  std::chrono::duration<double> batched{};
  for (int round = 0; round < kRounds; ++round) {
    WriterGate gate;
    ASSERT_NO_FATAL_FAILURE(gate.hold(*db_, writers()));
    Completions done(kBatch);
    for (int i = 0; i < kBatch; ++i)
      db_->write([&](Tx& tx) { storage::tasks(tx).insert(user_id("a"), {.title = "perf"}, 1); },
                 done.done(i));
    auto start = clock();
    gate.open();
    ASSERT_TRUE(done.wait(60s));
    batched += clock() - start;
  }
  constexpr int kSingles = 50;
  auto start = clock();
  for (int i = 0; i < kSingles; ++i)
    ASSERT_TRUE(
        ok(write([&](Tx& tx) { storage::tasks(tx).insert(user_id("a"), {.title = "perf"}, 1); })));
  std::chrono::duration<double> singles = clock() - start;
  std::printf(
      "[   PERF   ] %s: %.0f inserts/s in group-committed batches of %d; %.0f/s with one "
      "commit per insert\n",
      GetParam().name.c_str(), kBatch * kRounds / batched.count(), kBatch,
      kSingles / singles.count());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StorageTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, StorageTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });

// Outside the suite: needs no server, and checks the promise of database.hpp that a failed
// open is one clear line that names where it tried and never the password.
TEST(PostgresOpen, FailureIsOneLineWithoutThePassword) {
  try {
    open_postgres({"postgres://alice:s3cr%65t-pw@127.0.0.1:1/somedb?connect_timeout=5", 1, 1, 8});
    FAIL() << "connected to port 1";
  } catch (const std::runtime_error& e) {
    std::string message = e.what();
    std::printf("[   INFO   ] %s\n", message.c_str());
    EXPECT_NE(message.find("127.0.0.1"), std::string::npos) << message;
    EXPECT_NE(message.find("somedb"), std::string::npos) << message;
    EXPECT_EQ(message.find("s3cr"), std::string::npos) << message;
    EXPECT_EQ(message.find("secret"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  try {
    open_postgres({"postgres://bob:hunter2%zz@127.0.0.1:1/db", 1, 1, 8});  // bad escape
    FAIL() << "accepted an invalid URL";
  } catch (const std::runtime_error& e) {
    std::printf("[   INFO   ] %s\n", e.what());
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
}

// Durability: every unit of write() commits synchronously (answered after the WAL flush); the
// outbox relay's writer (write_first) does not wait for the flush — its transactions answer
// nobody and, lost in a PostgreSQL crash, are redelivered whole (pg_database.cpp).
TEST_F(PostgresOnly, UserWritesWaitForTheFlushTheRelaysWriterDoesNot) {
  auto db = open_postgres({url_, 1, 2, 64});
  auto setting = [&](bool first) {
    std::string value;
    Work unit = [&](Tx& tx) { value = tx.postgres()->exec("SHOW synchronous_commit").text(0, 0); };
    Status s = first ? await([&](Done d) { db->write_first(unit, d); })
                     : await([&](Done d) { db->write(unit, d); });
    EXPECT_TRUE(ok(s));
    return value;
  };
  for (int i = 0; i < 4; ++i) EXPECT_EQ(setting(false), "on") << "write() unit " << i;
  EXPECT_EQ(setting(true), "off");
  db->stop();
}

// Writers plan each prepared statement once (plan_cache_mode = force_generic_plan,
// pg_database.cpp): PostgreSQL's default plans the first five executions anew, and some batch
// statements (the outbox INSERT for listening users) at every execution.
TEST_F(PostgresOnly, WritersPlanEachStatementOnce) {
  auto db = open_postgres({url_, 1, 1, 64});
  const std::string statement =
      "SELECT count(*) FROM unnest($1::text[]) AS u WHERE u = ANY($2::text[])";
  for (bool first : {false, true}) {
    std::int64_t generic = -1, custom = -1;
    for (int i = 0; i < 8; ++i) {
      Work unit = [&](Tx& tx) {
        auto& pg = *tx.postgres();
        EXPECT_EQ(pg.exec(statement, postgres::Params()
                                         .add_text_array({"a", "b"})
                                         .add_text_array({"b", std::to_string(i)}))
                      .text(0, 0),
                  "1");
        auto r = pg.exec(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
            postgres::Params().add(statement));
        ASSERT_EQ(r.size(), 1);
        generic = r.int64(0, 0);
        custom = r.int64(0, 1);
      };
      Status s = first ? await([&](Done d) { db->write_first(unit, d); })
                       : await([&](Done d) { db->write(unit, d); });
      ASSERT_TRUE(ok(s));
    }
    EXPECT_EQ(custom, 0) << (first ? "write_first" : "write");
    EXPECT_EQ(generic, 8) << (first ? "write_first" : "write");
  }
  db->stop();
}

TEST_F(PostgresOnly, ConcurrentMigrationsAgree) {
  // The advisory lock serializes them; both end at the same version.
  auto a = std::async(std::launch::async, [&] { return migrate_postgres(url_); });
  auto b = std::async(std::launch::async, [&] { return migrate_postgres(url_); });
  int va = a.get(), vb = b.get();
  EXPECT_GE(va, 1);
  EXPECT_EQ(va, vb);
}

// Every session of the pool is terminated by the server (as on a failover or an admin's
// pg_terminate_backend): the next units reconnect, re-prepare their statements and succeed.
TEST_F(PostgresOnly, ReconnectsAfterTheServerEndsItsSessions) {
  // A name of its own so that only this pool's sessions are terminated, not those of
  // tests running in parallel.
  const std::string app = "todo_reconnect_" + random_hex(8);
  const std::string url =
      url_ + (url_.find('?') == std::string::npos ? "?" : "&") + "application_name=" + app;
  auto db = open_postgres({url, 2, 2, 64});
  const std::string user = "st" + random_hex(12) + "_a";
  auto write = [&](Work w) { return await([&](Done d) { db->write(std::move(w), d); }); };
  auto read = [&](Work w) { return await([&](Done d) { db->read(std::move(w), d); }); };
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    storage::users(tx).insert({user, user + "@example.com", "A", 1}, "h");
  })));
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(ok(read([&](Tx& tx) { storage::users(tx).find_by_id(user); })));

  std::unique_ptr<PGconn, decltype(&PQfinish)> admin(PQconnectdb(url_.c_str()), &PQfinish);
  ASSERT_EQ(PQstatus(admin.get()), CONNECTION_OK) << PQerrorMessage(admin.get());
  auto count_sessions = [&](const char* sql) {
    const char* values[] = {app.c_str()};
    std::unique_ptr<PGresult, decltype(&PQclear)> r(
        PQexecParams(admin.get(), sql, 1, nullptr, values, nullptr, nullptr, 0), &PQclear);
    EXPECT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(r.get());
    return PQntuples(r.get()) > 0 ? std::atoi(PQgetvalue(r.get(), 0, 0)) : -1;
  };
  EXPECT_EQ(count_sessions("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE application_name = $1"),
            5)
      << "2 writers, write_first's writer, 2 readers";
  for (int i = 0; i < 500 && count_sessions("SELECT count(*) FROM pg_stat_activity "
                                            "WHERE application_name = $1") > 0;
       ++i)
    std::this_thread::sleep_for(10ms);

  for (int i = 0; i < 4; ++i) {
    std::optional<User> found;
    EXPECT_TRUE(ok(write([&](Tx& tx) { storage::tasks(tx).insert(user, {.title = "after"}, 1); })));
    EXPECT_TRUE(ok(read([&](Tx& tx) { found = storage::users(tx).find_by_id(user); })));
    EXPECT_TRUE(found);
    EXPECT_TRUE(ok(await([&](Done d) {
      db->write_first([&](Tx& tx) { storage::tasks(tx).insert(user, {.title = "first"}, 1); }, d);
    })));
  }
  EXPECT_TRUE(db->ping());
  db->stop();
}

}  // namespace
}  // namespace todo::storage
