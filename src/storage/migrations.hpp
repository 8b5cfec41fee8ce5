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

// The backend's migrations ("sqlite" or "postgres"), ordered by version.
std::vector<Migration> migrations_for(std::string_view backend);

}  // namespace todo::storage
