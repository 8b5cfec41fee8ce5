#include "app/app.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>
#include <boost/asio/thread_pool.hpp>
#include <optional>
#include <thread>

#include "audit/audit_routes.hpp"
#include "audit/audit_subscriber.hpp"
#include "audit/dapr_consumer.hpp"
#include "audit/retention.hpp"
#include "auth/auth_routes.hpp"
#include "core/random.hpp"
#include "bus/dapr/dapr_publisher.hpp"
#include "bus/outbox_relay.hpp"
#include "http/server.hpp"
#include "ops/ops_routes.hpp"
#include "storage/database.hpp"
#include "tasks/task_routes.hpp"
#include "web/static_files.hpp"

namespace todo {
namespace {

std::unique_ptr<storage::Database> open_database(const Config& config) {
  if (config.uses_postgres())
    return storage::open_postgres({config.database_url, config.db_readers, config.db_writers});
  return storage::open_sqlite({config.data_dir + "/todo.db", config.db_readers});
}

// Names this process in outbox claims: unique among replicas, readable in the table.
std::string process_name() {
  char host[256] = "host";
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + random_hex(4);
}

}  // namespace

int serve(const Config& config) {
  spdlog::info("starting todo: {}{}", describe(config), describe_connection_limits(config));
  ops::Metrics metrics;
  auto db = open_database(config);
  SignInLimiter limiter;
  boost::asio::thread_pool cpu_pool(2);
  // Only one process writes a SQLite file, so only there can it see every write.
  std::optional<ListCache> list_cache;
  if (!config.uses_postgres() && config.list_cache_mb > 0)
    list_cache.emplace(std::size_t(config.list_cache_mb) << 20);
  Services services{config, *db, metrics, limiter, cpu_pool, list_cache ? &*list_cache : nullptr};

  // The outbox relay runs where tasks are written (the api role). Its subscriber is the
  // audit trail in process (embedded bus) or the Dapr sidecar (distributed shape: the
  // audit role then receives the events from its own sidecar).
  bus::RelayOptions relay_options;
  // Short: the publisher's circuit breaker (cool-down up to 4 s, health probes while the
  // sidecar is unreachable) is what spaces out calls to a sidecar that is down, and a 30 s
  // outage leaves ~60 000 events that should start draining as soon as it is back.
  if (config.uses_dapr()) relay_options.max_backoff = std::chrono::milliseconds(500);
  // Several processes (api replicas) may share a PostgreSQL outbox: claim each batch.
  if (config.uses_postgres()) relay_options.claim_holder = process_name();
  bus::OutboxRelay relay(*db, metrics, relay_options);
  // Woken by its own commits, and through LISTEN when another process releases users
  // whose newer events this one skipped while they were claimed.
  std::unique_ptr<storage::NotificationListener> outbox_listener;
  if (config.runs_api()) {
    if (config.uses_dapr())
      relay.add(std::make_shared<bus::dapr::DaprPublisher>(config, metrics));
    else
      relay.add(std::make_shared<audit::AuditSubscriber>(metrics));
    services.outbox_mask = relay.mask();
    services.relay = &relay;
    db->set_commit_listener([&relay] { relay.wake(); });
    if (config.uses_postgres())
      outbox_listener =
          storage::listen_postgres(config.database_url, "todo_outbox", [&relay] { relay.wake(); });
  }
  std::optional<audit::RetentionJob> retention;
  if (config.runs_audit())
    retention.emplace(*db, metrics, std::chrono::seconds(config.audit_retention_seconds()),
                      std::chrono::seconds(config.audit_retention_interval_seconds()));

  // Each role is a list of modules; "all" mounts every one.
  http::Router router;
  register_ops_routes(router, services);
  if (config.runs_api()) {
    register_auth_routes(router, services);
    register_task_routes(router, services);
    web::register_ui_routes(router, services);
  }
  if (config.runs_audit()) {
    audit::register_audit_routes(router, services);
    if (config.uses_dapr()) audit::register_dapr_consumer_routes(router, services);
  }

  http::ServerOptions options;
  options.host = config.host();
  options.port = config.port();
  options.io_threads = config.io_threads > 0
                           ? config.io_threads
                           : int(std::max(1u, std::thread::hardware_concurrency()));
  options.max_body_bytes = config.max_body_bytes;
  if (config.runs_audit() && config.uses_dapr())
    options.body_limit_rules.push_back({"/dapr/", audit::dapr_delivery_body_limit(config)});
  options.max_connections = config.max_connections;
  options.header_timeout_seconds = config.header_timeout_seconds;
  options.request_timeout_seconds = config.request_timeout_seconds;
  options.idle_timeout_seconds = config.idle_timeout_seconds;
  options.shutdown_grace_seconds = config.shutdown_grace_seconds;
  options.max_connections_per_address = config.max_connections_per_address;
  options.trusted_proxies = http::TrustedProxies::parse(config.trusted_proxies).value();
  http::Server server(options, router, metrics);
  unsigned short port = server.bind();
  spdlog::info("listening on http://{}:{} (role {}, {} storage, {} bus)", options.host, port,
               config.role, config.uses_postgres() ? "PostgreSQL" : "SQLite", config.bus);
  relay.start();
  if (retention) retention->start();
  server.run([&] {
    spdlog::info("connections drained; finishing event deliveries and queued writes");
    outbox_listener.reset();
    relay.stop();  // undelivered events stay in the outbox for the next start
    if (retention) retention->stop();
    db->stop();
    cpu_pool.join();
  });
  spdlog::info("stopped cleanly");
  return 0;
}

int migrate(const Config& config) {
  int version = config.uses_postgres() ? storage::migrate_postgres(config.database_url)
                                       : storage::migrate_sqlite(config.data_dir + "/todo.db");
  spdlog::info("schema is at version {}", version);
  return 0;
}

}  // namespace todo
