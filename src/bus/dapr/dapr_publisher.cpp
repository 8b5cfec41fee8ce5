#include "bus/dapr/dapr_publisher.hpp"

#include <spdlog/spdlog.h>

#include "bus/dapr/cloud_event.hpp"

namespace todo::bus::dapr {

DaprPublisher::DaprPublisher(const Config& config, ops::Metrics& metrics)
    : metrics_(metrics),
      client_(config.dapr_host, config.dapr_http_port,
              std::chrono::milliseconds(config.dapr_timeout_ms), config.dapr_api_token),
      breaker_(5, std::chrono::milliseconds(500), std::chrono::milliseconds(4000)),
      single_target_("/v1.0/publish/" + config.pubsub_name + "/" + config.topic),
      bulk_target_("/v1.0-alpha1/publish/bulk/" + config.pubsub_name + "/" + config.topic) {
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

bool DaprPublisher::accepting() {
  if (breaker_.allow(CircuitBreaker::Clock::now())) return true;
  if (!unreachable_ || client_.get("/v1.0/healthz/outbound").status != 204) return false;
  spdlog::info("dapr sidecar answers its health check again: trying to publish");
  breaker_.probe_succeeded();
  return true;
}

Outcome DaprPublisher::publish(const Batch& batch) {
  auto now = CircuitBreaker::Clock::now();
  if (!breaker_.allow(now)) {
    count("circuit_open", batch.size());
    return Outcome::retry_later;
  }
  SidecarResponse res =
      batch.size() == 1
          ? client_.post(single_target_ + "?" + publish_query(batch.front().user_id),
                         "application/cloudevents+json", cloud_event(batch.front(), source_))
          : client_.post(bulk_target_, "application/json", bulk_publish_body(batch, source_));
  unreachable_ = res.status == 0;
  if (res.status == 204) {
    if (failed_calls_ > 0)
      spdlog::info("dapr publish works again after {} failed calls", failed_calls_);
    failed_calls_ = 0;
    breaker_.record_success();
    count("published", batch.size());
    return Outcome::done;
  }
  breaker_.record_failure(now);
  std::string detail = res.body.substr(0, 300);
  bool log = failed_calls_++ % 20 == 0;
  if (res.status == 0 || res.status >= 500 || res.status == 429) {
    count("broker_error", batch.size());
    if (log)
      spdlog::warn("dapr publish of {} events failed ({}): {}", batch.size(),
                   res.status ? std::to_string(res.status) : "no answer", detail);
  } else {
    count("config_error", batch.size());
    if (log)
      spdlog::error(
          "dapr publish refused with {} — check the pubsub component name, topic and "
          "DAPR_API_TOKEN; events stay in the outbox: {}",
          res.status, detail);
  }
  return Outcome::retry_later;
}

}  // namespace todo::bus::dapr
