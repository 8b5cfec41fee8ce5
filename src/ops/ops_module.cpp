#include "ops/ops_module.hpp"

#include <boost/json.hpp>

#include "app/platform.hpp"
#include "core/embedded_files.hpp"
#include "http/problem.hpp"
#include "storage/migrations.hpp"

namespace todo::ops {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using status = http::beast_http::status;
using Level = app::Readiness::Level;

class OpsModule final : public app::Module {
 public:
  OpsModule(storage::Database& db, Metrics& metrics, CpuPool& cpu,
            const app::ReadinessRegistry& readiness)
      : db_(db), metrics_(metrics), cpu_(cpu), readiness_(readiness) {
    metrics_.add_gauge("todo_db_connections", "Database connections held.",
                       [this] { return double(db_.stats().connections); });
    metrics_.add_gauge("todo_db_connections_busy", "Database connections running a unit now.",
                       [this] { return double(db_.stats().busy_connections); });
    metrics_.add_gauge("todo_db_queued_writes", "Write units waiting for the writer.",
                       [this] { return double(db_.stats().queued_writes); });
    metrics_.add_gauge("todo_db_queued_reads", "Read units waiting for a reader.",
                       [this] { return double(db_.stats().queued_reads); });
  }

  std::string_view name() const override { return "ops"; }

  void add_routes(http::Router& router) override {
    using http::beast_http::verb;
    router.add(verb::get, "/healthz", http::with(*this, &OpsModule::healthz));
    router.add(verb::get, "/readyz", http::with(*this, &OpsModule::readyz));
    router.add(verb::get, "/metrics", http::with(*this, &OpsModule::metrics));
    router.add(verb::get, "/openapi.json", [](http::RequestContext& ctx) { return openapi(ctx); });
  }

 private:
  asio::awaitable<http::Response> healthz(http::RequestContext& ctx) {
    co_return http::json_response(status::ok, json::object{{"status", "ok"}}, ctx.request);
  }

  // The checks wait on database threads: they run on the CPU pool, not the I/O thread.
  json::object run_checks(bool& ready, bool& degraded) {
    bool reachable = db_.ping();
    auto stats = db_.stats();
    auto expected = storage::migrations_for(stats.backend);
    int latest = expected.empty() ? 0 : expected.back().version;
    bool migrated = stats.schema_version >= latest;
    // Reads may work while writes cannot (disk full, read-only storage): not ready either.
    const storage::StorageFault storage =
        reachable ? db_.check_storage() : storage::StorageFault::none;
    ready = reachable && migrated && storage == storage::StorageFault::none;
    degraded = false;
    json::object checks{{"database", reachable ? "ok" : "unreachable"},
                        {"storage", reachable ? storage_fault_name(storage) : "unknown"},
                        {"migrations", migrated ? "ok" : "pending"},
                        {"backend", stats.backend},
                        {"schema_version", stats.schema_version},
                        {"queued_writes", stats.queued_writes},
                        {"queued_reads", stats.queued_reads}};
    for (const auto& c : readiness_.checks()) {
      app::Readiness r = reachable ? c.check() : app::Readiness{Level::ok, "unknown"};
      checks[c.name] = r.state;
      if (!r.detail_key.empty()) checks[r.detail_key] = r.detail;
      ready = ready && r.level != Level::failing;
      degraded = degraded || r.level == Level::degraded;
    }
    return checks;
  }

  asio::awaitable<http::Reply> readyz(http::RequestContext& ctx) {
    bool ready = false, degraded = false;
    auto checks_unit = [this, &ready, &degraded] { return run_checks(ready, degraded); };
    auto checks = co_await cpu_.run(std::move(checks_unit));
    if (!checks) co_return checks.error();
    // "degraded" is still 200: e.g. writes go on into the outbox, and taking the instance
    // out of the load balancer would only refuse them as well.
    const char* verdict = !ready ? "not ready" : degraded ? "degraded" : "ready";
    json::object body{{"status", verdict}, {"checks", std::move(*checks)}};
    co_return http::json_response(ready ? status::ok : status::service_unavailable, body,
                                  ctx.request);
  }

  asio::awaitable<http::Reply> metrics(http::RequestContext& ctx) {
    // Some gauges query the database: render on the CPU pool, not the I/O thread.
    auto render_unit = [this] { return metrics_.render(); };
    auto text = co_await cpu_.run(std::move(render_unit));
    if (!text) co_return text.error();
    http::Response res{status::ok, ctx.request.version()};
    res.set(http::beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.keep_alive(ctx.request.keep_alive());
    res.body() = std::move(*text);
    res.prepare_payload();
    co_return res;
  }

  static asio::awaitable<http::Response> openapi(http::RequestContext& ctx) {
    const auto& files = embedded_files();
    auto it = files.find("openapi/openapi.json");
    std::string body = it == files.end() ? "{}" : std::string(it->second);
    auto res = http::json_response(status::ok, std::move(body), ctx.request);
    res.set(http::beast_http::field::cache_control, "public, max-age=300");
    co_return res;
  }

  storage::Database& db_;
  Metrics& metrics_;
  CpuPool& cpu_;
  const app::ReadinessRegistry& readiness_;
};

}  // namespace

std::unique_ptr<app::ModuleSpec> module_spec() {
  return std::make_unique<app::FunctionSpec<app::NoOptions>>(
      "ops", "Operations", nullptr, nullptr,
      [](app::Platform& p, const app::NoOptions&) -> std::unique_ptr<app::Module> {
        return std::make_unique<OpsModule>(p.db, p.metrics, p.cpu, p.readiness);
      });
}

}  // namespace todo::ops
