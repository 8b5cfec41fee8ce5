#pragma once
// DaprPublisher: the outbox relay's publisher in the distributed shape (bus/publisher.hpp). Each
// batch the relay hands it goes to the Dapr sidecar: one event → POST
// /v1.0/publish/{pubsub}/{topic}; several → the bulk endpoint. Only 204 acknowledges the batch (and
// so deletes the rows).
//
// Outcomes (ARCHITECTURE.md §4): 204 → done. No answer, a timeout, 5xx or 429 → broker
// trouble: retry later, and after repeated failures the circuit breaker stops calling for
// a cool-down. 400/401/403/404 and other 4xx → a configuration error (wrong pubsub name,
// token, component): logged at error level, counted, retried later with the relay's
// capped backoff, never in a tight loop. The rows stay in the outbox meanwhile: writes
// go on, the backlog shows on /metrics and /readyz.
//
// A bulk 500 may list failed entries; the whole batch is retried in order, so entries that
// went through are published again (consumers dedupe on the event id) rather than
// letting a later event of a user overtake an earlier one.
//
// While the breaker is open after calls that got no answer at all (sidecar down or
// restarting), accepting() asks the sidecar's GET /v1.0/healthz/outbound each time the relay
// checks (every 250 ms; a refused connection costs nothing) and lets a publish through as
// soon as it answers 204, instead of waiting out the cool-down. A sidecar that answers but
// fails publishes (broker down) or refuses them (configuration) is healthy to that probe,
// so those cases wait the cool-down.
//
// Calls go through the service's outbound HTTP client (net/http_client.hpp: keep-alive, a
// timeout per call, bounded answers), blocking the relay thread, never an I/O thread.
//
// Threads: publish() and accepting() run on the relay thread of this publisher only.
#include "bus/dapr/circuit_breaker.hpp"
#include "bus/publisher.hpp"
#include "config/config.hpp"
#include "net/http_client.hpp"
#include "ops/metrics.hpp"

namespace todo::bus::dapr {

class DaprPublisher final : public Publisher {
 public:
  DaprPublisher(const Config& config, ops::Metrics& metrics);

  const std::string& name() const override { return name_; }
  // Each row goes to its own topic (task-events, reminders): one call per topic in the batch.
  Outcome publish(const Batch& batch) override;
  bool accepting() override;

 private:
  Outcome publish_topic(const std::string& topic, const Batch& batch);
  void count(const char* outcome, std::size_t n);

  std::string name_ = "dapr-publisher";
  ops::Metrics& metrics_;
  net::Response call(net::Method method, const std::string& path, std::string content_type,
                     std::string body);

  std::string base_url_;  // http://host:port of the sidecar
  std::chrono::milliseconds timeout_;
  std::string api_token_;
  net::HttpClient client_;  // keep-alive to the sidecar; blocking calls from the relay thread
  CircuitBreaker breaker_;
  std::string pubsub_;             // the pubsub component's name
  std::string task_events_topic_;  // where rows of topic task-events go (--topic)
  std::string source_ = "todo-api";
  int failed_calls_ = 0;      // in a row; the log says the first and every 20th
  bool unreachable_ = false;  // the last call got no HTTP answer at all
};

}  // namespace todo::bus::dapr
