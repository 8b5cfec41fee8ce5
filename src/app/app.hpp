#pragma once
// The commands of the `todo` binary. main() only parses the command line and calls these.
#include "config/config.hpp"

namespace todo {

// Opens the database, registers the role's routes, serves until SIGINT/SIGTERM, then
// drains and closes. Returns the process exit code.
int serve(const Config& config);

// Applies pending migrations and exits.
int migrate(const Config& config);

}  // namespace todo
