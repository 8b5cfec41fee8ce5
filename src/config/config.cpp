#include "config/config.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "config/secret_strength.hpp"
#include "core/random.hpp"
#include "core/redact.hpp"
#include "http/client_address.hpp"

namespace todo {

std::string Config::host() const {
  return listen.substr(0, listen.rfind(':'));
}

unsigned short Config::port() const {
  return static_cast<unsigned short>(std::stoi(listen.substr(listen.rfind(':') + 1)));
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
// key=value conninfo (core/redact.hpp).
std::string mask_url(const std::string& url) {
  return redact_connection_string(url);
}

}  // namespace

void finish_config(Config& c) {
  if (auto proxies = http::TrustedProxies::parse(c.trusted_proxies); !proxies)
    throw std::invalid_argument("--trusted-proxies: " + proxies.error().errors.at(0).message);
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
  // A guessable secret authenticates nothing: refused with the variable's name, never its
  // value (config/secret_strength.hpp). Empty means unset.
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string&>{"DAPR_API_TOKEN", c.dapr_api_token},
        {"APP_API_TOKEN", c.app_api_token}})
    if (!value.empty())
      if (auto why = weak_secret_reason(value))
        throw std::invalid_argument(std::string(name) + " " + *why);
  // Every inbound surface is authenticated unless insecurity is asked for (issue: anyone who
  // reached the port could post forged events into any user's audit trail).
  if (c.uses_dapr() && c.app_api_token.empty() && !c.insecure_no_app_token)
    throw std::invalid_argument(
        "--bus=dapr needs APP_API_TOKEN: the token the Dapr sidecar sends (dapr-api-token) with "
        "every delivery and callback, so that nobody else can post events here. Set the same "
        "value as the sidecar's APP_API_TOKEN, or pass --insecure-no-app-token to run without "
        "it (not for production)");
  if (const char* s = std::getenv("TODO_JWT_SECRET"); s && *s) {
    c.jwt_secret = s;
    if (c.jwt_secret.size() < 32)
      throw std::invalid_argument("TODO_JWT_SECRET must be at least 32 characters");
    if (auto why = weak_secret_reason(c.jwt_secret))
      throw std::invalid_argument("TODO_JWT_SECRET " + *why);
  } else if (c.role != "all") {
    throw std::invalid_argument("--role=" + c.role +
                                " needs TODO_JWT_SECRET: every role must verify the same tokens");
  } else {
    c.jwt_secret = load_or_create_secret(c.data_dir);
  }
}

// The HTTP connection limits, apart from the long list below.
std::string describe_connection_limits(const Config& c) {
  return fmt::format(" max_connections_per_address={} trusted_proxies={} cookie_secure={}",
                     c.max_connections_per_address,
                     c.trusted_proxies.empty() ? "none" : c.trusted_proxies, c.cookie_secure);
}

std::string describe(const Config& c) {
  std::string text = fmt::format(
      "listen={} role={} storage={} data_dir={} jwt_secret=*** jwt_ttl={}s max_body_bytes={} "
      "max_connections={} io_threads={} db_readers={} db_writers={} header_timeout={}s "
      "request_timeout={}s idle_timeout={}s shutdown_grace={}s log_level={} bus={} dapr={}:{} "
      "pubsub={} topic={} dapr_bulk={}/{}ms dapr_api_token={} app_api_token={}{}",
      c.listen, c.role, c.uses_postgres() ? mask_url(c.database_url) : "sqlite", c.data_dir,
      c.jwt_ttl_seconds, c.max_body_bytes, c.max_connections, c.io_threads, c.db_readers,
      c.db_writers, c.header_timeout_seconds, c.request_timeout_seconds, c.idle_timeout_seconds,
      c.shutdown_grace_seconds, c.log_level, c.bus, c.dapr_host, c.dapr_http_port, c.pubsub_name,
      c.topic, c.dapr_bulk_max_messages, c.dapr_bulk_await_ms,
      c.dapr_api_token.empty() ? "unset" : "***", c.app_api_token.empty() ? "unset" : "***",
      c.insecure_no_app_token ? " insecure_no_app_token=true" : "");
  text += fmt::format(" session_resync={}s", c.session_resync_seconds);
  if (c.uses_postgres()) text += fmt::format(" db_pipelined_reads={}", c.db_pipelined_reads);
  return text + fmt::format(" jwt_issuer={} jwt_audience={} jwt_leeway={}s", c.jwt.issuer,
                            c.jwt.audience, c.jwt.leeway_seconds);
}

}  // namespace todo
