#include "config/config.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "app/roles.hpp"
#include "config/redact.hpp"
#include "core/random.hpp"

namespace todo {

std::string Config::host() const {
  return listen.substr(0, listen.rfind(':'));
}

unsigned short Config::port() const {
  return static_cast<unsigned short>(std::stoi(listen.substr(listen.rfind(':') + 1)));
}

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
  std::string roles_help = "Role to run, a list of modules (app/roles.cpp):";
  std::vector<std::string> role_names;
  for (const auto& role : app::roles()) {
    roles_help += " " + role.name + " (" + fmt::format("{}", fmt::join(role.modules, ", ")) + ")";
    role_names.push_back(role.name);
  }
  app.add_option("--role", c.role, roles_help)
      ->envname("TODO_ROLE")
      ->check(CLI::IsMember(role_names))
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
  app.add_option("--io-threads", c.io_threads, "Network I/O threads (0 = one per core)")
      ->envname("TODO_IO_THREADS")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  app.add_option("--db-readers", c.db_readers, "Database reader threads/connections")
      ->envname("TODO_DB_READERS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--db-writers", c.db_writers,
                 "PostgreSQL writer connections, each group-committing (SQLite always has one)")
      ->envname("TODO_DB_WRITERS")
      ->check(CLI::Range(1, 32))
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
  app.add_option("--log-level", c.log_level, "trace | debug | info | warn | error")
      ->envname("TODO_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  app.footer(
      "Secrets only from the environment: TODO_JWT_SECRET (at least 32 characters; when unset "
      "a random key is generated once and kept in <data-dir>/jwt-secret).");
}

namespace {

std::string load_or_create_secret(const std::string& data_dir) {
  std::filesystem::create_directories(data_dir);
  auto path = std::filesystem::path(data_dir) / "jwt-secret";
  if (std::ifstream in(path); in) {
    std::string secret;
    std::getline(in, secret);
    if (secret.size() >= 32) return secret;
  }
  std::string secret = random_hex(32);
  auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << secret << '\n';
    if (!out) throw std::invalid_argument("cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), 0600);
  std::filesystem::rename(tmp, path);
  return secret;
}

// Every form of a secret in a connection string: user:password@, ?password=, ?sslpassword=,
// key=value conninfo (config/redact.hpp).
std::string mask_url(const std::string& url) {
  return redact_connection_string(url);
}

}  // namespace

void finish_config(Config& c) {
  auto colon = c.listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == c.listen.size())
    throw std::invalid_argument("--listen must be HOST:PORT, got '" + c.listen + "'");
  try {
    int port = std::stoi(c.listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    throw std::invalid_argument("--listen port must be 0..65535, got '" + c.listen + "'");
  }
  if (!c.database_url.empty() && !c.database_url.starts_with("postgres://") &&
      !c.database_url.starts_with("postgresql://"))
    throw std::invalid_argument("DATABASE_URL must start with postgres:// or postgresql://");
  // Separate role processes share only the database: a SQLite file has one process.
  if (c.role != "all" && c.database_url.empty())
    throw std::invalid_argument("--role=" + c.role +
                                " needs PostgreSQL (DATABASE_URL): separate roles share the "
                                "database, a SQLite file belongs to one process");
  // Separate role processes exchange events only through Dapr: on the embedded bus an api
  // process would keep every event in its outbox, and an audit process would get none.
  if (c.role != "all" && !c.uses_dapr())
    throw std::invalid_argument("--role=" + c.role +
                                " needs --bus=dapr (TODO_BUS=dapr): separate roles exchange "
                                "events through the Dapr sidecar");
  auto name_ok = [](const std::string& s) {
    return !s.empty() && s.size() <= 100 &&
           s.find_first_not_of(
               "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
               std::string::npos;
  };
  if (!name_ok(c.pubsub_name))
    throw std::invalid_argument("--pubsub-name may hold letters, digits, '-', '_', '.', got '" +
                                c.pubsub_name + "'");
  if (!name_ok(c.topic))
    throw std::invalid_argument("--topic may hold letters, digits, '-', '_', '.', got '" + c.topic +
                                "'");
  if (const char* s = std::getenv("DAPR_API_TOKEN")) c.dapr_api_token = s;
  if (const char* s = std::getenv("APP_API_TOKEN")) c.app_api_token = s;
  if (const char* s = std::getenv("TODO_JWT_SECRET"); s && *s) {
    c.jwt_secret = s;
    if (c.jwt_secret.size() < 32)
      throw std::invalid_argument("TODO_JWT_SECRET must be at least 32 characters");
  } else if (c.role != "all") {
    throw std::invalid_argument("--role=" + c.role +
                                " needs TODO_JWT_SECRET: every role must verify the same tokens");
  } else {
    c.jwt_secret = load_or_create_secret(c.data_dir);
  }
}

std::string describe(const Config& c) {
  std::string text = fmt::format(
      "listen={} role={} storage={} data_dir={} jwt_secret=*** jwt_ttl={}s max_body_bytes={} "
      "max_connections={} io_threads={} db_readers={} db_writers={} header_timeout={}s "
      "request_timeout={}s idle_timeout={}s shutdown_grace={}s log_level={} bus={} dapr={}:{} "
      "pubsub={} topic={} dapr_bulk={}/{}ms dapr_api_token={} app_api_token={}",
      c.listen, c.role, c.uses_postgres() ? mask_url(c.database_url) : "sqlite", c.data_dir,
      c.jwt_ttl_seconds, c.max_body_bytes, c.max_connections, c.io_threads, c.db_readers,
      c.db_writers, c.header_timeout_seconds, c.request_timeout_seconds, c.idle_timeout_seconds,
      c.shutdown_grace_seconds, c.log_level, c.bus, c.dapr_host, c.dapr_http_port, c.pubsub_name,
      c.topic, c.dapr_bulk_max_messages, c.dapr_bulk_await_ms,
      c.dapr_api_token.empty() ? "unset" : "***", c.app_api_token.empty() ? "unset" : "***");
  text += fmt::format(" session_resync={}s", c.session_resync_seconds);
  return text + fmt::format(" jwt_issuer={} jwt_audience={} jwt_leeway={}s", c.jwt.issuer,
                            c.jwt.audience, c.jwt.leeway_seconds);
}

}  // namespace todo
