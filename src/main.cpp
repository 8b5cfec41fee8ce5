// todo: the single binary. Parses the command line (the core options and every module's),
// loads the configuration once, and hands it to the command (app/app.hpp).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/app.hpp"
#include "app/roles.hpp"
#include "config/config.hpp"

int main(int argc, char** argv) {
  todo::Config config;
  CLI::App app{"todo — a self-hostable, event-driven todo service"};
  app.require_subcommand(1);
  auto* serve = app.add_subcommand("serve", "Run the HTTP service (default role: all)");
  todo::add_server_options(*serve, config);
  // Every module's own options, each in its section of `serve --help`.
  auto catalog = todo::app::module_catalog();
  for (auto& spec : catalog) spec->add_options(*serve);
  auto* migrate = app.add_subcommand("migrate", "Apply pending database migrations and exit");
  todo::add_storage_options(*migrate, config);
  migrate->add_option("--log-level", config.log_level, "Log level")
      ->envname("TODO_LOG_LEVEL")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  auto logger = spdlog::stderr_color_mt("todo");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::from_str(config.log_level));

  try {
    todo::finish_config(config);
    if (*serve) return todo::serve(config, catalog);
    return todo::migrate(config);
  } catch (const std::invalid_argument& e) {
    std::cerr << "todo: configuration error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    spdlog::critical("todo: {}", e.what());
    return 1;
  }
}
