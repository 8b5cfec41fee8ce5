// todo: the single binary (app/cli.hpp parses the command line and runs the command).
#include "app/cli.hpp"

int main(int argc, char** argv) {
  return todo::app::run_command_line(argc, argv);
}
