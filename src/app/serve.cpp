// `todo serve` and `todo migrate`: composition only. Which modules run is the role's list
// (app/roles.cpp); how each is built is its spec's business (app/module.hpp).
#include <fmt/ranges.h>

#include <unistd.h>
#include <cctype>
#include <optional>

#include "app/app.hpp"
#include "app/platform.hpp"
#include "app/roles.hpp"
#include "auth/revocation_service.hpp"
#include "bus/dapr/subscriptions.hpp"
#include "core/cpus.hpp"
#include "core/log.hpp"
#include "core/random.hpp"
#include "http/server.hpp"

namespace todo {
namespace {

// This process's name among replicas (Platform::instance): host (cut to 40 characters, other
// characters than [A-Za-z0-9.-] dropped), pid and 32 random bits.
std::string instance_name() {
  char host[256] = "host";
  ::gethostname(host, sizeof host - 1);
  std::string name;
  for (const char* p = host; *p && name.size() < 40; ++p)
    if (std::isalnum(static_cast<unsigned char>(*p)) || *p == '.' || *p == '-') name += *p;
  return name + ":" + std::to_string(::getpid()) + ":" + random_hex(4);
}

// PostgreSQL writer connections for requests when not configured (--db-writers 0). The outbox
// relay has a writer of its own, so one request writer already makes two connections
// writing at once: on 2 cores (where PostgreSQL usually shares the machine) a second one only
// adds contention. Measured on 2 cores (bench/RESULTS.md, issue 16, thirteenth session): one
// user's creates 4 225-4 520/s with p99 41 ms against 3 679-4 205/s with p99 58-66 ms with
// two; 1 000 users paced 3 632-3 760 ops/s against 2 788-3 319. Larger machines keep two,
// which let two batches commit at once. `cpus` is usable_cpus() (core/cpus.hpp: the cgroup
// quota counts, so a pod limited to 2 CPUs on a large node gets one).
int request_writers(const Config& config, int cpus) {
  if (config.db_writers > 0) return config.db_writers;
  return cpus <= 2 ? 1 : 2;
}

// `io_threads`: how many I/O threads serve task, audit or notification pages (0 when the role
// has none of the tasks, audit and reminders modules): one pipelined read connection each is
// opened at start.
std::unique_ptr<storage::Database> open_database(const Config& config, const std::string& instance,
                                                 int cpus, int io_threads) {
  if (config.uses_postgres()) {
    storage::PostgresOptions options{config.database_url, config.db_readers,
                                     request_writers(config, cpus), 64, instance};
    options.pipelined_reads = config.db_pipelined_reads && io_threads > 0;
    options.pipelined_connections = io_threads;
    return storage::open_postgres(options);
  }
  return storage::open_sqlite({config.data_dir + "/todo.db", config.db_readers});
}

http::ServerOptions server_options(const Config& config, int cpus) {
  http::ServerOptions options;
  options.host = config.host();
  options.port = config.port();
  options.io_threads = config.io_threads > 0 ? config.io_threads : cpus;
  options.max_body_bytes = config.max_body_bytes;
  options.max_connections = config.max_connections;
  options.header_timeout_seconds = config.header_timeout_seconds;
  options.request_timeout_seconds = config.request_timeout_seconds;
  options.idle_timeout_seconds = config.idle_timeout_seconds;
  options.shutdown_grace_seconds = config.shutdown_grace_seconds;
  options.max_connections_per_address = config.max_connections_per_address;
  options.trusted_proxies = http::TrustedProxies::parse(config.trusted_proxies).value();
  return options;
}

// Starts workers in order; if one fails, stops those already started (in reverse) and
// rethrows.
void start_workers(const std::vector<app::Worker*>& workers) {
  std::size_t started = 0;
  try {
    for (; started < workers.size(); ++started) workers[started]->start();
  } catch (...) {
    while (started > 0) workers[--started]->stop();
    throw;
  }
}

}  // namespace

int serve(const Config& config, std::vector<std::unique_ptr<app::ModuleSpec>>& catalog) {
  const app::Role* role = app::find_role(config.role);
  if (!role) throw std::invalid_argument("unknown role " + config.role);
  std::vector<app::ModuleSpec*> specs;
  for (auto& spec : catalog)
    if (std::find(role->modules.begin(), role->modules.end(), spec->name()) != role->modules.end())
      specs.push_back(spec.get());
  for (auto* spec : specs) spec->validate();

  // The defaults that scale with cores (0 = chosen here) and what they came to.
  const int cpus = usable_cpus();
  auto server_opts = server_options(config, cpus);
  std::string settings = describe(config) + describe_connection_limits(config);
  settings += fmt::format(" usable_cpus={} io_threads_used={}", cpus, server_opts.io_threads);
  if (config.uses_postgres())
    settings += fmt::format(" db_writers_used={}", request_writers(config, cpus));
  for (auto* spec : specs)
    if (auto d = spec->options().describe(); !d.empty()) settings += " " + d;
  log::info("starting todo: {}", settings);
  if (config.uses_dapr() && config.app_api_token.empty())
    log::warn(
        "INSECURE: --insecure-no-app-token: deliveries and callbacks from the Dapr sidecar are "
        "not authenticated; anyone who reaches this port can post events. Set APP_API_TOKEN.");
  ops::Metrics metrics;
  const std::string instance = instance_name();
  // The pages read pipelined on the I/O threads (storage/async_reads.hpp).
  const bool serves_pages = std::any_of(specs.begin(), specs.end(), [](auto* s) {
    return s->name() == "tasks" || s->name() == "audit" || s->name() == "reminders";
  });
  auto db = open_database(config, instance, cpus, serves_pages ? server_opts.io_threads : 0);
  // CPU-heavy work (Argon2id hashing) runs here, never on I/O threads; its size bounds the
  // memory Argon2 may take at once, its queue how much such work may wait.
  CpuPool cpu(2, 256);
  // Ended sessions, refused by this role's Authenticator from memory; the service loads them
  // now and keeps them current (LISTEN/NOTIFY on PostgreSQL, periodic resync).
  auth::RevocationState revocations;
  // Personal access tokens, checked by the Authenticator of every role (a small cache; on
  // PostgreSQL revocations reach every process through LISTEN todo_access_tokens).
  auth::AccessTokens access_tokens(*db, metrics,
                                   {config.uses_postgres() ? config.database_url : std::string()});
  auth::Authenticator authenticator(
      {config.jwt_secret, config.jwt_ttl_seconds, config.jwt, config.cookie_secure}, &revocations,
      &access_tokens);
  auth::RevocationService revocation_service(
      *db, revocations,
      {config.uses_postgres() ? config.database_url : std::string(),
       std::chrono::seconds(config.session_resync_seconds)},
      &metrics);
  revocation_service.load();
  bus::OutboxWriter outbox;
  app::ConsumerDirectory consumers;
  app::ReadinessRegistry readiness;
  TaskWrites task_writes;
  storage::StreamSignal stream_signal;
  app::Platform platform{config, instance,  *db,       metrics,     cpu,          authenticator,
                         outbox, consumers, readiness, task_writes, stream_signal};

  std::vector<std::unique_ptr<app::Module>> modules;
  modules.reserve(specs.size());
  for (auto* spec : specs) modules.push_back(spec->build(platform));
  http::Router router;
  std::vector<app::Worker*> workers{&revocation_service, &access_tokens};
  for (auto& module : modules) {
    module->add_routes(router);
    for (auto& consumer : module->consumers()) consumers.add(consumer);
    for (auto& check : module->readiness_checks()) readiness.add(std::move(check));
    for (auto* worker : module->workers()) workers.push_back(worker);
  }
  // Distributed shape: the role's consumers take their events from the Dapr sidecar through
  // one generic endpoint (in the embedded shape the relay hands them the outbox rows).
  std::optional<bus::dapr::DaprSubscriptions> subscriptions;
  if (config.uses_dapr() && !consumers.all().empty()) {
    subscriptions.emplace(
        *db, metrics,
        bus::dapr::SubscriptionOptions{config.pubsub_name, config.dapr_bulk_max_messages,
                                       config.dapr_bulk_await_ms, config.app_api_token},
        consumers.all());
    subscriptions->add_routes(router);
    server_opts.body_limit_rules.push_back(
        {"/dapr/", subscriptions->body_limit(config.max_body_bytes)});
  }

  http::Server server(server_opts, router, metrics);
  unsigned short port = server.bind();
  start_workers(workers);
  log::info("listening on http://{}:{} (role {}: {}; {} storage, {} bus)", server_opts.host, port,
            role->name, fmt::join(role->modules, ", "),
            config.uses_postgres() ? "PostgreSQL" : "SQLite", config.bus);
  server.run([&] {
    log::info("connections drained; stopping workers and committing queued writes");
    for (auto it = workers.rbegin(); it != workers.rend(); ++it) (*it)->stop();
    db->stop();
    cpu.stop();
  });
  log::info("stopped cleanly");
  return 0;
}

int migrate(const Config& config) {
  int version = config.uses_postgres() ? storage::migrate_postgres(config.database_url)
                                       : storage::migrate_sqlite(config.data_dir + "/todo.db");
  log::info("schema is at version {}", version);
  return 0;
}

}  // namespace todo
