#pragma once
// Modules' options (app/options.hpp) as CLI11 options: the one bridge between them and the
// command-line library, so that modules do not compile CLI11 themselves.
#include <CLI/CLI.hpp>

#include "app/options.hpp"

namespace todo::app {

// Adds `group` to `app` as an option group of its own (a section of --help): each option with
// its environment variable, its default (the target's current value) and its range.
void add_to_cli(CLI::App& app, const OptionGroup& group);

// Adds --role (TODO_ROLE) to `app`, its help listing each role's modules (app/roles.hpp).
void add_role_option(CLI::App& app, std::string& role);

}  // namespace todo::app
