#pragma once
// DaprSubscriptions: the one Dapr endpoint of a role (ARCHITECTURE.md §4), serving every
// consumer (bus/consumer.hpp) the role has, whatever they are.
//
// - GET /dapr/subscribe lists one subscription per topic the role's consumers read:
//   {pubsubname, topic, route: "/dapr/<topic>", deadLetterTopic: "<topic>-dlq",
//    bulkSubscribe}. Dapr allows one subscription per topic and app (dapr/dapr#2755), so
//   consumers of one topic share its route and each delivery is handed to each of them.
// - POST /dapr/<topic> takes a delivery: one event (structured CloudEvent or raw event) or a
//   bulk of them (Dapr bulk subscribe). Each consumer of the topic handles the valid events in
//   its own transaction through ConsumerRunner (dedupe row + effect together), so one
//   consumer's failure or poison never disturbs another's work.
//
// Outcomes map to Dapr's statuses here and only here, per event: not an event at all → DROP
// (Dapr moves it to <topic>-dlq); some consumer says retry_later, or the database is
// unreachable → RETRY (consumers that had finished see a duplicate next time and skip it);
// every consumer gives up → DROP; otherwise SUCCESS. A transaction the database refuses (not
// merely unreachable) is re-run event by event, and the event it refuses is given up, so one
// bad event never stalls its partition. A bulk is answered with a status per entry.
//
// Inbound authentication: with an app token set (APP_API_TOKEN, required unless
// --insecure-no-app-token), a call without the matching `dapr-api-token` header — a delivery
// or the subscription list — gets 401 and changes nothing. Metrics:
// todo_dapr_deliveries_total{outcome=stored|duplicate|retry|dropped|unauthorized}.
//
// Threads: handlers run on I/O threads and await database units (storage/await.hpp).
#include <memory>
#include <string>
#include <vector>

#include "bus/consumer.hpp"
#include "bus/consumer_runner.hpp"
#include "http/router.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"

namespace todo::bus::dapr {

struct SubscriptionOptions {
  std::string pubsub_name = "kafka-pubsub";
  int bulk_max_messages = 100;  // 0: one request per event
  int bulk_await_ms = 50;
  std::string app_api_token;  // empty: deliveries are not authenticated (insecure mode)
};

class DaprSubscriptions {
 public:
  DaprSubscriptions(storage::Database& db, ops::Metrics& metrics, SubscriptionOptions options,
                    std::vector<std::shared_ptr<Consumer>> consumers);

  void add_routes(http::Router& router);
  // The largest delivery body: a full bulk of the largest events.
  std::size_t body_limit(std::size_t client_limit) const;
  bool empty() const { return consumers_.empty(); }

  struct Impl;  // public for the handlers in subscriptions.cpp

 private:
  std::shared_ptr<Impl> impl_;
  std::vector<std::shared_ptr<Consumer>> consumers_;
};

}  // namespace todo::bus::dapr
