#include "audit/dapr_consumer.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "audit/audit_subscriber.hpp"
#include "bus/dapr/cloud_event.hpp"
#include "core/time.hpp"
#include "http/problem.hpp"
#include "storage/await.hpp"

namespace todo::audit {
namespace {

namespace asio = boost::asio;
using http::Response;

bool token_matches(const http::Request& req, const std::string& expected) {
  auto it = req.find("dapr-api-token");
  if (it == req.end()) return false;
  std::string_view got = it->value();
  return got.size() == expected.size() &&
         sodium_memcmp(got.data(), expected.data(), expected.size()) == 0;
}

Response status_reply(const char* status, const http::RequestContext& ctx) {
  return http::json_response(http::beast_http::status::ok,
                             std::string(R"({"status":")") + status + "\"}", ctx.request);
}

asio::awaitable<Response> subscriptions(Services& s, http::RequestContext& ctx) {
  boost::json::array list;
  list.push_back({{"pubsubname", s.config.pubsub_name},
                  {"topic", s.config.topic},
                  {"route", "/dapr/" + s.config.topic},
                  {"deadLetterTopic", s.config.topic + "-dlq"}});
  co_return http::json_response(http::beast_http::status::ok, boost::json::value(list),
                                ctx.request);
}

asio::awaitable<Response> take_delivery(Services& s, http::RequestContext& ctx) {
  if (!s.config.app_api_token.empty() && !token_matches(ctx.request, s.config.app_api_token)) {
    s.metrics.add("todo_dapr_deliveries_total", "outcome=\"unauthorized\"", 1);
    co_return http::problem(
        Error::make(ErrorKind::unauthorized, "missing or wrong dapr-api-token header"), ctx);
  }
  auto event = bus::dapr::event_from_delivery(ctx.request.body());
  auto record =
      event ? audit_record_from_event(*event) : Result<storage::AuditRecord>(event.error());
  if (!record) {
    const Error& e = record.error();
    spdlog::warn("dropping a poison event (to the dead-letter topic): {}", e.detail);
    s.metrics.add("todo_dapr_deliveries_total", "outcome=\"dropped\"", 1);
    co_return status_reply("DROP", ctx);
  }
  Millis timestamp = record->timestamp;
  auto insert_unit = [r = std::move(*record)](storage::Tx& tx) {
    return Result<bool>(tx.insert_audit(r));
  };
  auto inserted = co_await storage::db_write<bool>(s.db, s.metrics, std::move(insert_unit));
  if (!inserted) {
    s.metrics.add("todo_dapr_deliveries_total", "outcome=\"retry\"", 1);
    co_return status_reply("RETRY", ctx);
  }
  s.metrics.add("todo_dapr_deliveries_total",
                *inserted ? "outcome=\"stored\"" : "outcome=\"duplicate\"", 1);
  if (*inserted)
    s.metrics.observe("todo_audit_lag_seconds", "",
                      std::max<double>(0, double(now_millis() - timestamp) / 1000.0));
  co_return status_reply("SUCCESS", ctx);
}

}  // namespace

void register_dapr_consumer_routes(http::Router& router, Services& s) {
  s.metrics.describe("todo_dapr_deliveries_total", "counter",
                     "Events delivered by the Dapr sidecar, by outcome (stored, duplicate, "
                     "retry, dropped, unauthorized).");
  s.metrics.describe("todo_audit_lag_seconds", "histogram",
                     "Event timestamp (its commit) to its audit row being written.");
  for (const char* o : {"stored", "duplicate", "retry", "dropped", "unauthorized"})
    s.metrics.add("todo_dapr_deliveries_total", std::string("outcome=\"") + o + "\"", 0);
  router.add(http::beast_http::verb::get, "/dapr/subscribe",
             [&s](http::RequestContext& ctx) { return subscriptions(s, ctx); });
  router.add(http::beast_http::verb::post, "/dapr/" + s.config.topic,
             [&s](http::RequestContext& ctx) { return take_delivery(s, ctx); });
}

}  // namespace todo::audit
