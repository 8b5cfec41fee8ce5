#pragma once
// The SQLite tasks store's statements on task_tags (migrations/sqlite/001_init.sql: primary
// key (task_id, tag), and an index (user_id, tag, task_id) for tag filters), here so that
// tests/storage/sqlite_plans_test.cpp can check the plan SQLite picks for them.
namespace todo::storage::sqlite {

// A task's tags go by the primary key. `+user_id` (a unary plus: the term is still checked,
// but cannot choose an index) keeps the planner, which has no statistics, off the
// (user_id, tag, task_id) index: with it every update scanned all of the user's tags (a user
// with 150 000 tasks: the writer fell seconds behind; found by bench/compare.sh).
inline constexpr const char* kDeleteTaskTags =
    "DELETE FROM task_tags WHERE task_id = ? AND +user_id = ?";
inline constexpr const char* kInsertTaskTag =
    "INSERT OR IGNORE INTO task_tags (task_id, user_id, tag) VALUES (?, ?, ?)";

}  // namespace todo::storage::sqlite
