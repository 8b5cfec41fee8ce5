#pragma once
// The commands of the `todo` binary. main() parses the command line (the core options and
// every module's, app/roles.hpp) and calls these.
#include <memory>
#include <vector>

#include "app/module.hpp"
#include "config/config.hpp"

namespace todo {

// Opens the database, builds the platform and the role's modules, serves until
// SIGINT/SIGTERM, then drains and closes (app/module.hpp gives the order). `catalog` holds
// every module's spec with its parsed options. Returns the process exit code.
int serve(const Config& config, std::vector<std::unique_ptr<app::ModuleSpec>>& catalog);

// Applies pending migrations and exits.
int migrate(const Config& config);

}  // namespace todo
