#include "ops/ops_routes.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "core/embedded_files.hpp"
#include "http/problem.hpp"
#include "storage/migrations.hpp"

namespace todo {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using status = http::beast_http::status;

asio::awaitable<http::Response> healthz(Services&, http::RequestContext& ctx) {
  co_return http::json_response(status::ok, json::object{{"status", "ok"}}, ctx.request);
}

asio::awaitable<http::Response> readyz(Services& s, http::RequestContext& ctx) {
  // ping() waits on a database thread: do it from the CPU pool, not the I/O thread.
  auto home = co_await asio::this_coro::executor;
  co_await asio::post(s.cpu_pool, asio::use_awaitable);
  bool reachable = s.db.ping();
  auto stats = s.db.stats();
  double outbox_age = reachable && s.relay ? s.relay->oldest_pending_age_seconds() : 0;
  co_await asio::post(home, asio::use_awaitable);

  auto expected = storage::migrations_for(stats.backend);
  int latest = expected.empty() ? 0 : expected.back().version;
  bool migrated = stats.schema_version >= latest;
  // Events waiting longer than the threshold mean a subscriber (or the Dapr sidecar) is
  // stuck or far behind: "degraded". Still 200: writes go on into the outbox, and taking
  // the instance out of the load balancer would only refuse them as well.
  bool outbox_ok = outbox_age <= s.config.outbox_ready_max_age_seconds;
  bool ready = reachable && migrated;
  const char* verdict = !ready ? "not ready" : outbox_ok ? "ready" : "degraded";
  json::object body{{"status", verdict},
                    {"checks",
                     {{"database", reachable ? "ok" : "unreachable"},
                      {"migrations", migrated ? "ok" : "pending"},
                      {"outbox", outbox_ok ? "ok" : "backlog"},
                      {"outbox_oldest_age_ms", std::int64_t(outbox_age * 1000)},
                      {"backend", stats.backend},
                      {"schema_version", stats.schema_version},
                      {"queued_writes", stats.queued_writes},
                      {"queued_reads", stats.queued_reads}}}};
  co_return http::json_response(ready ? status::ok : status::service_unavailable, body,
                                ctx.request);
}

asio::awaitable<http::Response> metrics(Services& s, http::RequestContext& ctx) {
  // Some gauges query the database: render on the CPU pool, not the I/O thread.
  auto home = co_await asio::this_coro::executor;
  co_await asio::post(s.cpu_pool, asio::use_awaitable);
  std::string text = s.metrics.render();
  co_await asio::post(home, asio::use_awaitable);
  http::Response res{status::ok, ctx.request.version()};
  res.set(http::beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  res.keep_alive(ctx.request.keep_alive());
  res.body() = std::move(text);
  res.prepare_payload();
  co_return res;
}

asio::awaitable<http::Response> openapi(Services&, http::RequestContext& ctx) {
  const auto& files = embedded_files();
  auto it = files.find("openapi/openapi.json");
  std::string body = it == files.end() ? "{}" : std::string(it->second);
  auto res = http::json_response(status::ok, std::move(body), ctx.request);
  res.set(http::beast_http::field::cache_control, "public, max-age=300");
  co_return res;
}

}  // namespace

void register_ops_routes(http::Router& router, Services& s) {
  using http::beast_http::verb;
  router.add(verb::get, "/healthz", http::with(s, healthz));
  router.add(verb::get, "/readyz", http::with(s, readyz));
  router.add(verb::get, "/metrics", http::with(s, metrics));
  router.add(verb::get, "/openapi.json", http::with(s, openapi));

  s.metrics.add_gauge("todo_db_connections", "Database connections held.",
                      [&s] { return double(s.db.stats().connections); });
  s.metrics.add_gauge("todo_db_connections_busy", "Database connections running a unit now.",
                      [&s] { return double(s.db.stats().busy_connections); });
  s.metrics.add_gauge("todo_db_queued_writes", "Write units waiting for the writer.",
                      [&s] { return double(s.db.stats().queued_writes); });
  s.metrics.add_gauge("todo_db_queued_reads", "Read units waiting for a reader.",
                      [&s] { return double(s.db.stats().queued_reads); });
  // The outbox gauges (pending, oldest age, backlog per subscriber) come from the relay.
}

}  // namespace todo
