// The plans SQLite picks for the task write path's statements on task_tags, on a migrated
// database: a task's tags by the primary key (task_id, tag), never by a scan of the user's
// tags through the (user_id, tag, task_id) index — which SQLite, without statistics, picked
// for `task_id = ? AND user_id = ?`, so that each update of a user with many tasks scanned
// all of their tags (storage/sqlite/sqlite_task_tags.hpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "storage/database.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/sqlite/sqlite_task_tags.hpp"
#include "storage_fixture.hpp"

namespace todo::storage {
namespace {

namespace fs = std::filesystem;

std::string query_plan(sqlite::Handle& db, const std::string& statement) {
  std::string plan;
  auto s = db.prepare("EXPLAIN QUERY PLAN " + statement);
  while (s.step()) plan += s.text(3) + "\n";
  return plan;
}

TEST(SqlitePlans, ATasksTagsAreFoundByThePrimaryKey) {
  const fs::path dir = fs::temp_directory_path() / ("todo-plans-" + fixture::random_hex(12));
  fs::create_directories(dir);
  const std::string path = (dir / "todo.db").string();
  {
    auto migrated = open_sqlite({path, 1});
    migrated->stop();
  }
  {
    sqlite::Handle db(path);
    const std::string plan = query_plan(db, sqlite::kDeleteTaskTags);
    EXPECT_NE(plan.find("USING PRIMARY KEY (task_id=?)"), std::string::npos) << plan;
    EXPECT_EQ(plan.find("task_tags_user_tag"), std::string::npos) << plan;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace todo::storage
