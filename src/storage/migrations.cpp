#include "storage/migrations.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/embedded_files.hpp"

namespace todo::storage {

std::vector<Migration> migrations_for(std::string_view backend) {
  std::vector<Migration> out;
  std::string prefix = std::string(backend) + "/";
  for (const auto& [key, content] : embedded_files()) {
    if (!key.starts_with(prefix) || !key.ends_with(".sql")) continue;
    std::string name(key.substr(prefix.size()));
    int version = std::atoi(name.c_str());
    if (version <= 0) throw std::logic_error("migration without a version number: " + name);
    out.push_back({version, name, content});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.version < b.version; });
  return out;
}

}  // namespace todo::storage
