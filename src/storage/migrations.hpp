#pragma once
// Versioned migrations compiled into the binary (migrations/<backend>/NNN_name.sql).
#include <string>
#include <string_view>
#include <vector>

namespace todo::storage {

struct Migration {
  int version;
  std::string name;
  std::string_view sql;
};

// A migration whose SQL is followed, in the same transaction, by a step in C++: values SQL
// cannot compute the same way on both backends. Version 5 adds tasks.title_key and
// tasks.search_text, which fill_task_keys (storage/task_store.hpp) computes for every
// existing task with the service's own folding (core/text_fold.hpp) before version 6
// indexes them.
constexpr int kTaskKeysMigration = 5;

// The backend's migrations ("sqlite" or "postgres"), ordered by version.
std::vector<Migration> migrations_for(std::string_view backend);

}  // namespace todo::storage
