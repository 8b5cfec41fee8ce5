// Migration 005 (storage/migrations.hpp kTaskKeysMigration): tasks written before it get
// their title_key and search_text from the migration itself, so that right after an upgrade
// they are found by `q` in every script and sorted as people read, on both backends. Each
// test builds a database at schema version 4 with plain SQL (as the previous release left
// it), then opens it with the current code.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <functional>
#include <string>
#include <vector>

#include "scratch_databases.hpp"
#include "storage/migrations.hpp"
#include "storage_fixture.hpp"
#include "tasks/task_search.hpp"

namespace todo::storage {
namespace {

using namespace fixture;

// Titles and descriptions of the tasks stored at version 4, in id order.
const std::vector<std::pair<const char*, const char*>> kOldTasks = {
    {"Banana", ""},     {"中文测试任务", ""}, {"apple", "Ärger im Büro"},
    {"Éclair", "ΟΔΟΣ"}, {"Zebra", ""},
};

// The statements that build schema version 4 and store kOldTasks for `user`.
std::vector<std::string> version_4_script(std::string_view backend, const std::string& user) {
  std::vector<std::string> sql = {
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at BIGINT NOT NULL)"};
  for (const Migration& m : migrations_for(backend)) {
    if (m.version >= kTaskKeysMigration) break;
    sql.emplace_back(m.sql);
    sql.push_back("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", '" +
                  m.name + "', 0)");
  }
  sql.push_back("INSERT INTO users (id, email, name, password_hash, created_at) VALUES ('" + user +
                "', '" + user + "@example.com', 'Old', 'h', 1)");
  for (std::size_t i = 0; i < kOldTasks.size(); ++i) {
    sql.push_back(
        "INSERT INTO tasks (user_id, title, description, priority, timezone, created_at, "
        "updated_at, version) VALUES ('" +
        user + "', '" + kOldTasks[i].first + "', '" + kOldTasks[i].second + "', 2, 'UTC', " +
        std::to_string(100 + i) + ", 1, 1)");
  }
  return sql;
}

class KeysMigrationTest : public testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam().name == "postgres" && GetParam().url.empty()) GTEST_FAIL() << kMissingPostgres;
  }

  // Opens the upgraded database and checks search and sort over the old rows.
  void expect_upgraded(const std::function<std::unique_ptr<Database>()>& open,
                       const std::string& user) {
    auto db = open();
    auto list = [&](TaskQuery q) {
      std::vector<std::string> titles;
      auto st = await([&](Done d) {
        db->read(
            [&](Tx& tx) {
              titles.clear();
              for (const auto& t : storage::tasks(tx).list(user, q).items)
                titles.push_back(t.title);
            },
            d);
      });
      EXPECT_TRUE(ok(st));
      return titles;
    };
    auto search = [&](std::string_view q) {
      TaskQuery query;
      query.sort = SortField::created_at;
      query.ascending = true;
      query.search_terms = search_needles(q);
      return list(query);
    };
    EXPECT_EQ(search("测试"), std::vector<std::string>{"中文测试任务"});
    EXPECT_EQ(search("arger"), std::vector<std::string>{"apple"});
    EXPECT_EQ(search("οδός"), std::vector<std::string>{"Éclair"});
    EXPECT_EQ(search("eclair"), std::vector<std::string>{"Éclair"});
    TaskQuery by_title;
    by_title.sort = SortField::title;
    by_title.ascending = true;
    EXPECT_EQ(list(by_title),
              (std::vector<std::string>{"apple", "Banana", "Éclair", "Zebra", "中文测试任务"}));
    db->stop();
  }
};

TEST_P(KeysMigrationTest, OldRowsAreSearchableAndSortedAfterTheUpgrade) {
  const std::string user = "km" + random_hex(12) + "_old";
  if (GetParam().name == "sqlite") {
    ScratchSqlite scratch;
    const std::string path = scratch.path();
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    for (const std::string& sql : version_4_script("sqlite", user)) {
      char* err = nullptr;
      ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err << sql;
    }
    sqlite3_close(raw);
    expect_upgraded([&] { return open_sqlite({path, 1, 64}); }, user);
    return;
  }
  ScratchPostgres scratch(GetParam().url, "keys");
  ASSERT_EQ(scratch.created(), "");
  const std::string& url = scratch.url();
  {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
    ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
    for (const std::string& sql : version_4_script("postgres", user)) {
      std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.get(), sql.c_str()), &PQclear);
      ASSERT_EQ(PQresultStatus(r.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn.get()) << sql;
    }
  }
  expect_upgraded([&] { return open_postgres({url, 1, 1, 8}); }, user);
}

// A migration missing below the latest applied version (a branch that added version N landed
// after one that added N+1 and a database was opened in between) is applied at the next
// start, not skipped because a later version is there.
TEST_P(KeysMigrationTest, AMigrationMissingBelowTheLatestIsApplied) {
  const std::string backend = GetParam().name;
  const auto all = migrations_for(backend);
  ASSERT_GE(all.size(), 2u);
  const Migration& missing = all[all.size() - 2];
  std::vector<std::string> sql = {
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at BIGINT NOT NULL)"};
  for (const Migration& m : all) {
    if (m.version == missing.version) continue;
    sql.emplace_back(m.sql);
    sql.push_back("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", '" +
                  m.name + "', 0)");
  }
  auto applied_versions = [&](auto&& query) {
    return query("SELECT count(*) FROM schema_migrations WHERE version = " +
                 std::to_string(missing.version));
  };
  if (backend == "sqlite") {
    ScratchSqlite scratch;
    const std::string path = scratch.path();
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    for (const std::string& statement : sql) {
      char* err = nullptr;
      ASSERT_EQ(sqlite3_exec(raw, statement.c_str(), nullptr, nullptr, &err), SQLITE_OK)
          << err << statement;
    }
    auto count = [&](const std::string& q) {
      sqlite3_stmt* st = nullptr;
      EXPECT_EQ(sqlite3_prepare_v2(raw, q.c_str(), -1, &st, nullptr), SQLITE_OK);
      long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
      sqlite3_finalize(st);
      return n;
    };
    EXPECT_EQ(applied_versions(count), 0);
    open_sqlite({path, 1, 64})->stop();
    EXPECT_EQ(applied_versions(count), 1) << missing.name << " was skipped";
    sqlite3_close(raw);
    return;
  }
  ScratchPostgres scratch(GetParam().url, "gap");
  ASSERT_EQ(scratch.created(), "");
  const std::string& url = scratch.url();
  {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
    ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
    for (const std::string& statement : sql) {
      std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.get(), statement.c_str()),
                                                      &PQclear);
      ASSERT_EQ(PQresultStatus(r.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn.get());
    }
    auto count = [&](const std::string& q) {
      std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.get(), q.c_str()), &PQclear);
      return PQresultStatus(r.get()) == PGRES_TUPLES_OK ? std::atoll(PQgetvalue(r.get(), 0, 0))
                                                        : -1;
    };
    EXPECT_EQ(applied_versions(count), 0);
    open_postgres({url, 1, 1, 8})->stop();
    EXPECT_EQ(applied_versions(count), 1) << missing.name << " was skipped";
  }
}

INSTANTIATE_TEST_SUITE_P(Sqlite, KeysMigrationTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, KeysMigrationTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace todo::storage
