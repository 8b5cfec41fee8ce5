#pragma once
// The core configuration: what serve itself needs to build the platform (server, storage,
// role, event bus, tokens). Each module has its own options besides (app/module.hpp), in its
// own section of --help. Loaded once in main from flags and TODO_* environment variables,
// then passed down by const reference. Secrets come only from the environment.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/jwt.hpp"

namespace todo {

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
  std::string database_url;  // empty: SQLite in data_dir
  std::string role = "all";
  std::string jwt_secret;  // from TODO_JWT_SECRET, or generated and kept in data_dir
  int jwt_ttl_seconds = 24 * 3600;
  JwtOptions jwt;                   // iss and aud we issue and require, clock-skew leeway
  int session_resync_seconds = 30;  // re-read the session revocations (auth/revocation_service)
  std::size_t max_body_bytes = std::size_t{1} << 20;
  int max_connections = 10000;
  int io_threads = 0;  // 0: one per usable CPU (core/cpus.hpp)
  int db_readers = 2;
  // PostgreSQL only (SQLite has exactly one writer); 0: chosen by serve (app/serve.cpp's
  // request_writers: one with up to 2 usable CPUs, else 2).
  int db_writers = 0;
  // PostgreSQL only: task pages read on the I/O threads, pipelined (storage/async_reads.hpp).
  bool db_pipelined_reads = true;
  int header_timeout_seconds = 10;
  int request_timeout_seconds = 30;
  int idle_timeout_seconds = 60;
  int shutdown_grace_seconds = 10;
  int max_connections_per_address = 256;  // trusted proxies are exempt
  std::string trusted_proxies;            // IPs/CIDRs whose X-Forwarded-For we believe
  // The site is served over HTTPS (a TLS proxy in front): the session cookie is Secure and our
  // own origin, for the cookie CSRF check, is https:// (auth/authenticate.hpp).
  bool cookie_secure = false;

  // Event bus: "embedded" (in-process relay to local subscribers) or "dapr" (the relay
  // publishes to the Dapr sidecar; consumers receive deliveries from their own sidecar).
  std::string bus = "embedded";
  std::string dapr_host = "127.0.0.1";
  int dapr_http_port = 3500;
  std::string pubsub_name = "kafka-pubsub";
  std::string topic = "task-events";
  int dapr_timeout_ms = 5000;
  // Dapr bulk subscribe for the audit role: the sidecar hands over up to this many events
  // in one request (stored in one transaction), waiting at most dapr_bulk_await_ms for a
  // batch to fill. 0 = one request per event.
  int dapr_bulk_max_messages = 100;
  int dapr_bulk_await_ms = 50;
  std::string dapr_api_token;  // DAPR_API_TOKEN: we send it to the sidecar
  std::string app_api_token;   // APP_API_TOKEN: the sidecar must send it to us
  // Explicitly accept inbound calls from the sidecar without a token (tests, a sidecar that
  // cannot send one): refused otherwise, and warned about at every start.
  bool insecure_no_app_token = false;

  bool uses_dapr() const { return bus == "dapr"; }

  std::string log_level = "info";

  std::string host() const;
  unsigned short port() const;
  bool uses_postgres() const { return !database_url.empty(); }
};

// Checks values CLI11 cannot (listen address form, secret length, role); throws
// std::invalid_argument with one clear line. Loads or creates the JWT secret file.
void finish_config(Config& config);

// "key=value" lines for the start-up log, secrets masked.
std::string describe(const Config& config);
std::string describe_connection_limits(const Config& config);  // " max_connections_per_address=..."

}  // namespace todo
