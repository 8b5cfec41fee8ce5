#include "audit/dapr_consumer.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "audit/audit_subscriber.hpp"
#include "bus/dapr/bulk_delivery.hpp"
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
  boost::json::object sub{{"pubsubname", s.config.pubsub_name},
                          {"topic", s.config.topic},
                          {"route", "/dapr/" + s.config.topic},
                          {"deadLetterTopic", s.config.topic + "-dlq"}};
  if (s.config.dapr_bulk_max_messages > 0)
    sub["bulkSubscribe"] = {{"enabled", true},
                            {"maxMessagesCount", s.config.dapr_bulk_max_messages},
                            {"maxAwaitDurationMs", s.config.dapr_bulk_await_ms}};
  boost::json::array list;
  list.push_back(std::move(sub));
  co_return http::json_response(http::beast_http::status::ok, boost::json::value(list),
                                ctx.request);
}

void count(Services& s, const char* outcome, std::size_t n) {
  if (n) s.metrics.add("todo_dapr_deliveries_total", std::string("outcome=\"") + outcome + "\"", n);
}

void observe_lag(Services& s, Millis event_timestamp) {
  s.metrics.observe("todo_audit_lag_seconds", "",
                    std::max<double>(0, double(now_millis() - event_timestamp) / 1000.0));
}

// Stores one event in its own transaction -> its status: SUCCESS (stored, or there
// already), RETRY (the database cannot be reached), DROP (the database refuses it: retrying
// would stall every later event of its partition for good).
asio::awaitable<const char*> store_one(Services& s, const storage::AuditRecord& record) {
  auto insert_unit = [&record](storage::Tx& tx) { return Result<bool>(tx.insert_audit(record)); };
  auto inserted = co_await storage::db_write<bool>(s.db, s.metrics, std::move(insert_unit));
  if (inserted) {
    count(s, *inserted ? "stored" : "duplicate", 1);
    if (*inserted) observe_lag(s, record.timestamp);
    co_return "SUCCESS";
  }
  if (inserted.error().kind == ErrorKind::unavailable) {
    count(s, "retry", 1);
    co_return "RETRY";
  }
  spdlog::error("dropping event {} (to the dead-letter topic): the database refuses it",
                record.event_id);
  count(s, "dropped", 1);
  co_return "DROP";
}

// A bulk the database refused as a whole: each event on its own, to drop only the one it
// refuses.
asio::awaitable<Response> take_one_by_one(Services& s, http::RequestContext& ctx,
                                          std::vector<bus::dapr::BulkStatus> statuses,
                                          std::vector<storage::AuditRecord> records) {
  std::size_t next = 0;
  for (auto& status : statuses) {
    if (status.status) continue;  // dropped as poison already
    const char* stored = co_await store_one(s, records[next++]);
    status.status = stored;
  }
  co_return http::json_response(http::beast_http::status::ok,
                                bus::dapr::bulk_statuses_body(statuses), ctx.request);
}

// A bulk delivery: every valid event stored in one transaction, in the entries' order (the
// sidecar keeps each partition's order, so each user's order holds). Poison entries are
// dropped one by one; a database failure asks for the valid ones again.
asio::awaitable<Response> take_bulk(Services& s, http::RequestContext& ctx,
                                    std::vector<bus::dapr::BulkEntry> entries) {
  std::vector<bus::dapr::BulkStatus> statuses;  // in the entries' order; nullptr: to store
  std::vector<storage::AuditRecord> records;
  statuses.reserve(entries.size());
  records.reserve(entries.size());
  for (const auto& entry : entries) {
    auto record = entry.event ? audit_record_from_event(*entry.event)
                              : Result<storage::AuditRecord>(entry.event.error());
    if (!record) {
      spdlog::warn("dropping poison entry {} of a bulk delivery (to the dead-letter topic): {}",
                   entry.entry_id, record.error().detail);
      statuses.push_back({entry.entry_id, "DROP"});
      continue;
    }
    records.push_back(std::move(*record));
    statuses.push_back({entry.entry_id, nullptr});
  }
  count(s, "dropped", entries.size() - records.size());
  const char* outcome = "SUCCESS";
  if (!records.empty()) {
    auto insert_unit = [&records](storage::Tx& tx) {
      return Result<int>(tx.insert_audit_many(records));
    };
    auto inserted = co_await storage::db_write<int>(s.db, s.metrics, std::move(insert_unit));
    if (!inserted && inserted.error().kind != ErrorKind::unavailable) {
      // The database refused the batch itself: find the entry it refuses.
      co_return co_await take_one_by_one(s, ctx, std::move(statuses), std::move(records));
    }
    if (!inserted) {
      outcome = "RETRY";
      count(s, "retry", records.size());
    } else {
      count(s, "stored", std::size_t(*inserted));
      count(s, "duplicate", records.size() - std::size_t(*inserted));
      // Which rows were redeliveries is not known: only all-new batches feed the histogram.
      if (std::size_t(*inserted) == records.size())
        for (const auto& r : records) observe_lag(s, r.timestamp);
    }
  }
  for (auto& status : statuses)
    if (!status.status) status.status = outcome;
  co_return http::json_response(http::beast_http::status::ok,
                                bus::dapr::bulk_statuses_body(statuses), ctx.request);
}

asio::awaitable<Response> take_delivery(Services& s, http::RequestContext& ctx) {
  if (!s.config.app_api_token.empty() && !token_matches(ctx.request, s.config.app_api_token)) {
    count(s, "unauthorized", 1);
    co_return http::problem(
        Error::make(ErrorKind::unauthorized, "missing or wrong dapr-api-token header"), ctx);
  }
  if (auto entries = bus::dapr::bulk_delivery_entries(ctx.request.body()))
    co_return co_await take_bulk(s, ctx, std::move(*entries));
  auto event = bus::dapr::event_from_delivery(ctx.request.body(),
                                              ctx.request[http::beast_http::field::content_type]);
  auto record =
      event ? audit_record_from_event(*event) : Result<storage::AuditRecord>(event.error());
  if (!record) {
    const Error& e = record.error();
    spdlog::warn("dropping a poison event (to the dead-letter topic): {}", e.detail);
    count(s, "dropped", 1);
    co_return status_reply("DROP", ctx);
  }
  const char* status = co_await store_one(s, *record);
  co_return status_reply(status, ctx);
}

}  // namespace

std::size_t dapr_delivery_body_limit(const Config& config) {
  // A bulk holds up to dapr_bulk_max_messages events of at most ~80 KB each (a 10 000-
  // character description, JSON-escaped, plus the CloudEvent around it).
  constexpr std::size_t kLargestEvent = 80 * 1024;
  std::size_t bulk = std::size_t(std::max(1, config.dapr_bulk_max_messages)) * kLargestEvent;
  return std::max(config.max_body_bytes, bulk);
}

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
