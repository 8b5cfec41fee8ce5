#pragma once
// Roles and the module catalog: the one place that says which modules exist and which
// modules each role runs (ARCHITECTURE.md §2).
#include <memory>
#include <string>
#include <vector>

#include "app/module.hpp"

namespace todo::app {

struct Role {
  std::string name;
  std::string summary;               // for --help
  std::vector<std::string> modules;  // names in the catalog, in build order
};

// every role: all (every module, one process, the embedded bus by default), api, audit.
const std::vector<Role>& roles();
const Role* find_role(const std::string& name);

// One spec of every module there is, in build order (a role builds the ones it lists, in
// this order).
std::vector<std::unique_ptr<ModuleSpec>> module_catalog();

}  // namespace todo::app
