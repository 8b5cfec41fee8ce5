#include "bus/dapr/dapr_publisher.hpp"

#include <algorithm>

#include "bus/dapr/cloud_event.hpp"
#include "core/log.hpp"

namespace todo::bus::dapr {

DaprPublisher::DaprPublisher(const Config& config, ops::Metrics& metrics)
    : metrics_(metrics),
      base_url_("http://" + config.dapr_host + ":" + std::to_string(config.dapr_http_port)),
      timeout_(config.dapr_timeout_ms),
      api_token_(config.dapr_api_token),
      client_(net::HttpClientOptions{.max_queue = 16,
                                     .max_connections_per_host = 2,
                                     .max_total_connections = 2,
                                     .connect_timeout = timeout_,
                                     .timeout = timeout_,
                                     .user_agent = "todo-api"}),
      breaker_(5, std::chrono::milliseconds(500), std::chrono::milliseconds(4000)),
      pubsub_(config.pubsub_name),
      task_events_topic_(config.topic) {
  metrics_.describe("todo_dapr_publish_total", "counter",
                    "Events handed to the Dapr sidecar, by outcome (published, broker_error, "
                    "config_error, circuit_open).");
  for (const char* outcome : {"published", "broker_error", "config_error", "circuit_open"})
    metrics_.add("todo_dapr_publish_total", std::string("outcome=\"") + outcome + "\"", 0);
  metrics_.add_gauge("todo_dapr_circuit_open",
                     "1 while the publisher's circuit breaker stops calls to the sidecar.", [this] {
                       return breaker_.state() == CircuitBreaker::State::open ? 1.0 : 0.0;
                     });
}

void DaprPublisher::count(const char* outcome, std::size_t n) {
  metrics_.add("todo_dapr_publish_total", std::string("outcome=\"") + outcome + "\"", n);
}

net::Response DaprPublisher::call(net::Method method, const std::string& path,
                                  std::string content_type, std::string body) {
  net::Request request;
  request.method = method;
  request.url = base_url_ + path;
  if (!content_type.empty()) request.headers.push_back({"Content-Type", std::move(content_type)});
  if (!api_token_.empty()) request.headers.push_back({"dapr-api-token", api_token_});
  request.body = std::move(body);
  return client_.send_and_wait(std::move(request));
}

bool DaprPublisher::accepting() {
  if (breaker_.allow(CircuitBreaker::Clock::now())) return true;
  if (!unreachable_ || call(net::Method::get, "/v1.0/healthz/outbound", {}, {}).status != 204)
    return false;
  log::info("dapr sidecar answers its health check again: trying to publish");
  breaker_.probe_succeeded();
  return true;
}

Outcome DaprPublisher::publish(const Batch& batch) {
  // Each topic's rows in one call, topics in the order they first appear (the rows of one
  // topic keep their order). A later topic's failure retries the whole batch: the topics
  // published already are published again (consumers dedupe on the event id).
  std::vector<std::string> topics;
  for (const auto& row : batch)
    if (std::find(topics.begin(), topics.end(), row.topic) == topics.end())
      topics.push_back(row.topic);
  if (topics.size() == 1) return publish_topic(topics.front(), batch);
  for (const auto& topic : topics) {
    Batch rows;
    for (const auto& row : batch)
      if (row.topic == topic) rows.push_back(row);
    if (Outcome o = publish_topic(topic, rows); o != Outcome::done) return o;
  }
  return Outcome::done;
}

Outcome DaprPublisher::publish_topic(const std::string& topic, const Batch& batch) {
  auto now = CircuitBreaker::Clock::now();
  if (!breaker_.allow(now)) {
    count("circuit_open", batch.size());
    return Outcome::retry_later;
  }
  // Task events go to the configured topic (--topic, task-events by default).
  const std::string& name = topic == "task-events" ? task_events_topic_ : topic;
  net::Response res =
      batch.size() == 1
          ? call(net::Method::post,
                 "/v1.0/publish/" + pubsub_ + "/" + name + "?" +
                     publish_query(batch.front().user_id),
                 "application/cloudevents+json", cloud_event(batch.front(), source_))
          : call(net::Method::post, "/v1.0-alpha1/publish/bulk/" + pubsub_ + "/" + name,
                 "application/json", bulk_publish_body(batch, source_));
  unreachable_ = res.status == 0;
  if (res.status == 204) {
    if (failed_calls_ > 0)
      log::info("dapr publish works again after {} failed calls", failed_calls_);
    failed_calls_ = 0;
    breaker_.record_success();
    count("published", batch.size());
    return Outcome::done;
  }
  breaker_.record_failure(now);
  std::string detail = res.status ? res.body.substr(0, 300) : res.reason;
  bool log = failed_calls_++ % 20 == 0;
  if (res.status == 0 || res.status >= 500 || res.status == 429) {
    count("broker_error", batch.size());
    if (log)
      log::warn("dapr publish of {} events failed ({}): {}", batch.size(),
                res.status ? std::to_string(res.status) : "no answer", detail);
  } else {
    count("config_error", batch.size());
    if (log)
      log::error(
          "dapr publish refused with {} — check the pubsub component name, topic and "
          "DAPR_API_TOKEN; events stay in the outbox: {}",
          res.status, detail);
  }
  return Outcome::retry_later;
}

}  // namespace todo::bus::dapr
