#pragma once
// The command line (app/cli.cpp): `todo serve` and `todo migrate` with the core options and
// every module's, from flags and TODO_* environment variables. Returns the exit code: 0, 1
// on a failure while running, 2 on a bad configuration (one clear line on stderr).

namespace todo::app {

int run_command_line(int argc, char** argv);

}  // namespace todo::app
