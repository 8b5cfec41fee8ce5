#include "bus/dapr/subscriptions.hpp"

#include <boost/json.hpp>
#include <map>

#include "bus/dapr/app_token.hpp"
#include "bus/dapr/bulk_delivery.hpp"
#include "bus/dapr/cloud_event.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "http/problem.hpp"
#include "storage/await.hpp"

namespace todo::bus::dapr {
namespace {

namespace asio = boost::asio;
using http::Response;

// One event of a delivery: the event, or why it is not one (poison).
struct Entry {
  std::string entry_id;  // bulk only
  std::optional<Event> event;
  std::string poison_reason;
};

// What every consumer of the topic made of each entry.
struct Tally {
  bool retry = false;
  bool all_gave_up = true;
  bool all_duplicate = true;
};

Entry entry_of(std::string entry_id, Result<std::string> payload, std::string_view topic,
               Millis now) {
  Entry entry{std::move(entry_id), std::nullopt, {}};
  if (!payload) {
    entry.poison_reason = payload.error().detail;
    return entry;
  }
  auto event = event_from_payload(std::move(*payload), topic, now);
  if (!event)
    entry.poison_reason = event.error().detail;
  else
    entry.event = std::move(*event);
  return entry;
}

}  // namespace

struct DaprSubscriptions::Impl {
  storage::Database& db;
  ops::Metrics& metrics;
  SubscriptionOptions options;
  ConsumerRunner runner;
  std::map<std::string, std::vector<std::shared_ptr<Consumer>>> by_topic;

  Impl(storage::Database& d, ops::Metrics& m, SubscriptionOptions o)
      : db(d), metrics(m), options(std::move(o)), runner(m) {}

  void count(const char* outcome, std::size_t n) {
    if (n) metrics.add("todo_dapr_deliveries_total", std::string("outcome=\"") + outcome + "\"", n);
  }

  // One consumer's outcomes for `events`, in its own transaction(s).
  asio::awaitable<Handled> run_consumer(Consumer& consumer, const std::vector<Event>& events) {
    Millis now = now_millis();
    auto batch_unit = [this, &consumer, &events, now](storage::Tx& tx) {
      return Result<Handled>(runner.run(consumer, tx, events, now));
    };
    auto handled = co_await storage::db_write<Handled>(db, metrics, std::move(batch_unit));
    if (handled) {
      runner.record(consumer, events, *handled, now_millis());
      co_return std::move(*handled);
    }
    Handled out;
    out.outcomes.assign(events.size(), Outcome::retry_later);
    out.duplicate.assign(events.size(), false);
    if (handled.error().kind == ErrorKind::unavailable) co_return out;
    // The database refused the transaction itself: each event alone, to find the one it
    // refuses and give up on that one only.
    for (std::size_t i = 0; i < events.size(); ++i) {
      std::vector<Event> one{events[i]};
      auto one_unit = [this, &consumer, &one, now](storage::Tx& tx) {
        return Result<Handled>(runner.run(consumer, tx, one, now));
      };
      auto alone = co_await storage::db_write<Handled>(db, metrics, std::move(one_unit));
      if (alone) {
        runner.record(consumer, one, *alone, now_millis());
        out.outcomes[i] = alone->outcomes[0];
        out.duplicate[i] = alone->duplicate[0];
      } else if (alone.error().kind != ErrorKind::unavailable) {
        log::error("{}: giving up on event {}: the database refuses it ({})", consumer.name(),
                   events[i].event_id, alone.error().detail);
        out.outcomes[i] = Outcome::give_up;
      }
    }
    co_return out;
  }

  // The Dapr status of each entry once every consumer of the topic had it.
  asio::awaitable<std::vector<const char*>> handle(const std::string& topic,
                                                   std::vector<Entry>& entries) {
    std::vector<Event> events;
    std::vector<std::size_t> where;
    for (std::size_t i = 0; i < entries.size(); ++i)
      if (entries[i].event) {
        events.push_back(*entries[i].event);
        where.push_back(i);
      }
    std::vector<Tally> tally(events.size());
    if (!events.empty())
      for (auto& consumer : by_topic.at(topic)) {
        Handled handled = co_await run_consumer(*consumer, events);
        for (std::size_t k = 0; k < events.size(); ++k) {
          tally[k].retry |= handled.outcomes[k] == Outcome::retry_later;
          tally[k].all_gave_up &= handled.outcomes[k] == Outcome::give_up;
          tally[k].all_duplicate &= handled.duplicate[k];
        }
      }
    std::vector<const char*> statuses(entries.size(), "DROP");
    std::size_t stored = 0, duplicate = 0, retry = 0, dropped = 0;
    for (std::size_t k = 0; k < events.size(); ++k) {
      const Tally& t = tally[k];
      const char* status = t.retry ? "RETRY" : t.all_gave_up ? "DROP" : "SUCCESS";
      statuses[where[k]] = status;
      if (t.retry)
        ++retry;
      else if (t.all_gave_up)
        ++dropped;
      else if (t.all_duplicate)
        ++duplicate;
      else
        ++stored;
    }
    for (const auto& entry : entries)
      if (!entry.event) {
        log::warn("dropping a poison event on {} (to the dead-letter topic): {}", topic,
                  entry.poison_reason);
        ++dropped;
      }
    count("stored", stored);
    count("duplicate", duplicate);
    count("retry", retry);
    count("dropped", dropped);
    co_return statuses;
  }

  asio::awaitable<Response> deliver(std::string topic, http::RequestContext& ctx) {
    if (!options.app_api_token.empty() && !app_token_matches(ctx.request, options.app_api_token)) {
      count("unauthorized", 1);
      co_return http::problem(
          Error::make(ErrorKind::unauthorized, "missing or wrong dapr-api-token header"), ctx);
    }
    Millis now = now_millis();
    std::vector<Entry> entries;
    if (auto bulk = bulk_delivery_entries(ctx.request.body())) {
      for (auto& e : *bulk) entries.push_back(entry_of(e.entry_id, std::move(e.event), topic, now));
      auto statuses = co_await handle(topic, entries);
      std::vector<BulkStatus> body;
      body.reserve(entries.size());
      for (std::size_t i = 0; i < entries.size(); ++i)
        body.push_back({entries[i].entry_id, statuses[i]});
      co_return http::json_response(http::beast_http::status::ok, bulk_statuses_body(body),
                                    ctx.request);
    }
    entries.push_back(entry_of(
        {},
        event_from_delivery(ctx.request.body(), ctx.request[http::beast_http::field::content_type]),
        topic, now));
    auto statuses = co_await handle(topic, entries);
    co_return http::json_response(http::beast_http::status::ok,
                                  std::string(R"({"status":")") + statuses[0] + "\"}", ctx.request);
  }

  asio::awaitable<Response> subscriptions(http::RequestContext& ctx) {
    if (!options.app_api_token.empty() && !app_token_matches(ctx.request, options.app_api_token))
      co_return http::problem(
          Error::make(ErrorKind::unauthorized, "missing or wrong dapr-api-token header"), ctx);
    boost::json::array list;
    for (const auto& [topic, consumers] : by_topic) {
      boost::json::object sub{{"pubsubname", options.pubsub_name},
                              {"topic", topic},
                              {"route", "/dapr/" + topic},
                              {"deadLetterTopic", topic + "-dlq"}};
      if (options.bulk_max_messages > 0)
        sub["bulkSubscribe"] = {{"enabled", true},
                                {"maxMessagesCount", options.bulk_max_messages},
                                {"maxAwaitDurationMs", options.bulk_await_ms}};
      list.push_back(std::move(sub));
    }
    co_return http::json_response(http::beast_http::status::ok, boost::json::value(list),
                                  ctx.request);
  }
};

DaprSubscriptions::DaprSubscriptions(storage::Database& db, ops::Metrics& metrics,
                                     SubscriptionOptions options,
                                     std::vector<std::shared_ptr<Consumer>> consumers)
    : impl_(std::make_shared<Impl>(db, metrics, std::move(options))),
      consumers_(std::move(consumers)) {
  for (auto& c : consumers_) {
    impl_->runner.describe(*c);
    impl_->by_topic[c->topic()].push_back(c);
  }
  metrics.describe("todo_dapr_deliveries_total", "counter",
                   "Events delivered by the Dapr sidecar, by outcome (stored: handled by the "
                   "role's consumers, duplicate, retry, dropped, unauthorized).");
  for (const char* o : {"stored", "duplicate", "retry", "dropped", "unauthorized"})
    metrics.add("todo_dapr_deliveries_total", std::string("outcome=\"") + o + "\"", 0);
}

void DaprSubscriptions::add_routes(http::Router& router) {
  auto impl = impl_;
  router.add(http::beast_http::verb::get, "/dapr/subscribe",
             [impl](http::RequestContext& ctx) { return impl->subscriptions(ctx); });
  for (const auto& [topic, consumers] : impl_->by_topic)
    router.add(http::beast_http::verb::post, "/dapr/" + topic,
               [impl, t = topic](http::RequestContext& ctx) { return impl->deliver(t, ctx); });
}

std::size_t DaprSubscriptions::body_limit(std::size_t client_limit) const {
  // A bulk holds up to bulk_max_messages events of at most ~80 KB each (a 10 000-character
  // description, JSON-escaped, plus the CloudEvent around it).
  constexpr std::size_t kLargestEvent = std::size_t{80} * 1024;
  std::size_t bulk = std::size_t(std::max(1, impl_->options.bulk_max_messages)) * kLargestEvent;
  return std::max(client_limit, bulk);
}

}  // namespace todo::bus::dapr
