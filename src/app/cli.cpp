// The command line of the `todo` binary: its subcommands, the core options (config/config.hpp)
// and every module's (app/options.hpp), parsed with CLI11. The only file that compiles CLI11,
// which is heavy: main.cpp just calls run_command_line.
#include "app/cli.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

#include "app/app.hpp"
#include "app/roles.hpp"
#include "config/config.hpp"
#include "mcp/stdio.hpp"

namespace todo::app {
namespace {

void add_storage_options(CLI::App& app, Config& c) {
  app.add_option("--data-dir", c.data_dir, "Directory for the SQLite database and the JWT key")
      ->envname("TODO_DATA_DIR")
      ->capture_default_str();
  app.add_option("--database-url", c.database_url,
                 "PostgreSQL URL (postgres://user:pass@host:port/db); empty means SQLite")
      ->envname("DATABASE_URL");
}

void add_server_options(CLI::App& app, Config& c) {
  add_storage_options(app, c);
  app.add_option("--listen", c.listen, "Address and port to listen on")
      ->envname("TODO_LISTEN")
      ->capture_default_str();
  app.add_option("--bus", c.bus,
                 "Event bus: embedded (in process) or dapr (publish and consume through the "
                 "Dapr sidecar)")
      ->envname("TODO_BUS")
      ->check(CLI::IsMember({"embedded", "dapr"}))
      ->capture_default_str();
  app.add_option("--dapr-host", c.dapr_host, "Host of the Dapr sidecar")
      ->envname("TODO_DAPR_HOST")
      ->capture_default_str();
  app.add_option("--dapr-http-port", c.dapr_http_port, "HTTP port of the Dapr sidecar")
      ->envname("DAPR_HTTP_PORT")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  app.add_option("--pubsub-name", c.pubsub_name, "Dapr pub/sub component for task events")
      ->envname("TODO_PUBSUB_NAME")
      ->capture_default_str();
  app.add_option("--topic", c.topic, "Topic of task events (its dead letters: <topic>-dlq)")
      ->envname("TODO_TOPIC")
      ->capture_default_str();
  app.add_flag("--insecure-no-app-token", c.insecure_no_app_token,
               "With --bus=dapr: accept deliveries and callbacks from anyone who reaches the port "
               "when APP_API_TOKEN is unset (insecure; warned about at every start)")
      ->envname("TODO_INSECURE_NO_APP_TOKEN");
  app.add_option("--dapr-timeout-ms", c.dapr_timeout_ms, "Timeout of one call to the sidecar")
      ->envname("TODO_DAPR_TIMEOUT_MS")
      ->check(CLI::Range(100, 120000))
      ->capture_default_str();
  app.add_option("--dapr-bulk-max-messages", c.dapr_bulk_max_messages,
                 "Audit role: events the sidecar may deliver in one bulk request (0: one "
                 "request per event)")
      ->envname("TODO_DAPR_BULK_MAX_MESSAGES")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  app.add_option("--dapr-bulk-await-ms", c.dapr_bulk_await_ms,
                 "Audit role: how long the sidecar may wait for a bulk request to fill")
      ->envname("TODO_DAPR_BULK_AWAIT_MS")
      ->check(CLI::Range(1, 60000))
      ->capture_default_str();
  app.add_option("--jwt-ttl", c.jwt_ttl_seconds, "Lifetime of issued tokens, seconds")
      ->envname("TODO_JWT_TTL")
      ->check(CLI::Range(60, 90 * 24 * 3600))
      ->capture_default_str();
  app.add_option("--session-resync", c.session_resync_seconds,
                 "Re-read ended sessions from the database every so many seconds (a safety "
                 "net: on PostgreSQL, LISTEN/NOTIFY tells every role at once)")
      ->envname("TODO_SESSION_RESYNC")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  auto not_empty = CLI::Validator(
      [](std::string& v) { return v.empty() ? std::string("must not be empty") : std::string(); },
      "");
  app.add_option("--jwt-issuer", c.jwt.issuer, "iss of issued tokens; tokens must carry it")
      ->envname("TODO_JWT_ISSUER")
      ->check(not_empty)
      ->capture_default_str();
  app.add_option("--jwt-audience", c.jwt.audience,
                 "aud of issued tokens; tokens must name it (the same in every role)")
      ->envname("TODO_JWT_AUDIENCE")
      ->check(not_empty)
      ->capture_default_str();
  app.add_option("--jwt-leeway", c.jwt.leeway_seconds,
                 "Clock skew tolerated on token exp, nbf and iat, seconds")
      ->envname("TODO_JWT_LEEWAY")
      ->check(CLI::Range(0, 300))
      ->capture_default_str();
  app.add_option("--max-body-bytes", c.max_body_bytes, "Largest accepted request body")
      ->envname("TODO_MAX_BODY_BYTES")
      ->check(CLI::Range(std::size_t(1024), std::size_t(64) << 20))
      ->capture_default_str();
  app.add_option("--max-connections", c.max_connections, "Open connections at most")
      ->envname("TODO_MAX_CONNECTIONS")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--io-threads", c.io_threads,
                 "Network I/O threads (0 = one per usable CPU: the affinity mask and the cgroup "
                 "CPU quota count)")
      ->envname("TODO_IO_THREADS")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  app.add_option("--db-readers", c.db_readers, "Database reader threads/connections")
      ->envname("TODO_DB_READERS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--db-writers", c.db_writers,
                 "PostgreSQL writer connections for requests, each group-committing, plus one "
                 "for the outbox relay (SQLite always has one writer); 0 = one with up to 2 "
                 "usable CPUs (a pod's CPU limit counts), else 2")
      ->envname("TODO_DB_WRITERS")
      ->check(CLI::Range(0, 32))
      ->capture_default_str();
  app.add_option("--db-pipelined-reads", c.db_pipelined_reads,
                 "PostgreSQL: read task pages on the network I/O threads, one pipelined "
                 "connection each, rather than on reader threads (true | false)")
      ->envname("TODO_DB_PIPELINED_READS")
      ->capture_default_str();
  app.add_option("--header-timeout", c.header_timeout_seconds, "Seconds to receive headers")
      ->envname("TODO_HEADER_TIMEOUT")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--request-timeout", c.request_timeout_seconds,
                 "Seconds to receive a body and send the response")
      ->envname("TODO_REQUEST_TIMEOUT")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--idle-timeout", c.idle_timeout_seconds,
                 "Seconds a keep-alive connection may idle")
      ->envname("TODO_IDLE_TIMEOUT")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--shutdown-grace", c.shutdown_grace_seconds,
                 "Seconds to finish in-flight requests on SIGTERM/SIGINT")
      ->envname("TODO_SHUTDOWN_GRACE")
      ->check(CLI::Range(0, 600))
      ->capture_default_str();
  app.add_option("--max-connections-per-address", c.max_connections_per_address,
                 "Open connections one client address may hold (trusted proxies are exempt); "
                 "past it new connections get 503")
      ->envname("TODO_MAX_CONNECTIONS_PER_ADDRESS")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--trusted-proxies", c.trusted_proxies,
                 "Reverse proxies whose X-Forwarded-For names the client (for logs and "
                 "per-address limits): comma-separated IPs or CIDR blocks, e.g. "
                 "10.0.0.0/8,::1 (default: none; the socket peer is the client)")
      ->envname("TODO_TRUSTED_PROXIES");
  app.add_flag("--cookie-secure", c.cookie_secure,
               "The site is served over HTTPS (by a TLS proxy in front): mark the session cookie "
               "Secure, and take https:// as our origin in the cookie CSRF check (without it, "
               "https only when a trusted proxy says X-Forwarded-Proto: https)")
      ->envname("TODO_COOKIE_SECURE");
  app.add_option("--log-level", c.log_level, "trace | debug | info | warn | error")
      ->envname("TODO_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  app.footer(
      "Secrets only from the environment: TODO_JWT_SECRET (at least 32 characters; when unset "
      "a random key is generated once and kept in <data-dir>/jwt-secret).");
}

// `group` as an option group of its own (a section of --help): each option with its
// environment variable, its default (the target's current value) and its range.
void add_to_cli(CLI::App& app, const OptionGroup& group) {
  if (group.options().empty()) return;
  auto* section = app.add_option_group(group.title());
  for (const auto& spec : group.options()) {
    CLI::Option* option = std::visit(
        [&](auto* target) -> CLI::Option* {
          using T = std::remove_pointer_t<decltype(target)>;
          if constexpr (std::is_same_v<T, bool>)
            return section->add_flag(spec.flag, *target, spec.help);
          else
            return section->add_option(spec.flag, *target, spec.help)->capture_default_str();
        },
        spec.target);
    if (!spec.env.empty()) option->envname(spec.env);
    if (spec.range) option->check(CLI::Range(spec.range->first, spec.range->second));
  }
}

void add_role_option(CLI::App& app, std::string& role) {
  std::string help = "Role to run, a list of modules:";
  std::vector<std::string> names;
  for (const auto& r : roles()) {
    help += fmt::format(" {} ({})", r.name, fmt::join(r.modules, ", "));
    names.push_back(r.name);
  }
  app.add_option("--role", role, help)
      ->envname("TODO_ROLE")
      ->check(CLI::IsMember(names))
      ->capture_default_str();
}

}  // namespace

int run_command_line(int argc, char** argv) {
  Config config;
  CLI::App app{"todo — a self-hostable, event-driven todo service"};
  app.require_subcommand(1);
  auto* serve_cmd = app.add_subcommand("serve", "Run the HTTP service (default role: all)");
  add_server_options(*serve_cmd, config);
  add_role_option(*serve_cmd, config.role);
  // Every module's own options, each in its section of `serve --help`.
  auto catalog = module_catalog();
  for (auto& spec : catalog) add_to_cli(*serve_cmd, spec->options());
  auto* migrate_cmd = app.add_subcommand("migrate", "Apply pending database migrations and exit");
  add_storage_options(*migrate_cmd, config);
  migrate_cmd->add_option("--log-level", config.log_level, "Log level")
      ->envname("TODO_LOG_LEVEL")
      ->capture_default_str();

  // `todo mcp --stdio`: MCP over stdin/stdout, bridged to a running server (mcp/stdio.hpp).
  mcp::StdioOptions mcp_options;
  mcp_options.url = "http://127.0.0.1:8080";
  bool mcp_stdio = false;
  auto* mcp_cmd = app.add_subcommand(
      "mcp",
      "MCP for desktop clients: JSON-RPC on stdin/stdout, served by a running todo server "
      "(the token comes from TODO_TOKEN)");
  mcp_cmd->add_flag("--stdio", mcp_stdio, "Use the stdio transport (the only one here)")
      ->required();
  mcp_cmd->add_option("--url", mcp_options.url, "Base URL of the running todo server")
      ->envname("TODO_URL")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the message (or the help); --help and --version exit 0, and every other
    // parse error (an unknown option, a value out of range or not a number) exits 2 like the
    // configuration errors below, not with CLI11's own codes (105, 109, …).
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (*mcp_cmd) {
    // Secrets only from the environment; stdout is the protocol's, so nothing else goes there.
    const char* token = std::getenv("TODO_TOKEN");
    if (!token || !*token) {
      std::cerr << "todo mcp: set TODO_TOKEN to a session or access token\n";
      return 2;
    }
    mcp_options.token = token;
    return mcp::run_stdio_bridge(mcp_options);
  }

  auto logger = spdlog::stderr_color_mt("todo");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::from_str(config.log_level));

  try {
    finish_config(config);
    if (*serve_cmd) return todo::serve(config, catalog);
    return todo::migrate(config);
  } catch (const std::invalid_argument& e) {
    std::cerr << "todo: configuration error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    spdlog::critical("todo: {}", e.what());
    return 1;
  }
}

}  // namespace todo::app
