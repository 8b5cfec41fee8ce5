#pragma once
// DeliveryWorker: sends the pending webhook deliveries (storage/webhook_store.hpp) and records
// each attempt.
//
// Loop (one thread of its own): claim the due deliveries (a lease on each row: on PostgreSQL
// several workers share the table, FOR UPDATE SKIP LOCKED), for each one resolve and check the
// endpoint's URL (webhooks/address_guard.hpp: getaddrinfo runs here, never on an I/O thread),
// sign it (webhooks/signature.hpp) and hand it to the HttpClient, which runs up to
// max_in_flight of them at once (libcurl multi); as answers come back, record them in batches:
// the delivery's state, status, error, duration and next attempt (webhooks/retry_policy.hpp),
// the endpoint's run of failures — an endpoint answering 410, or failing max_failures attempts
// in a row, is disabled and its user gets an in-app notification (kind "webhook_disabled").
// Between rounds it sleeps until the next due delivery, an answer, or wake() (a consumer's
// commit, a test send), capped at five minutes: no polling.
//
// Requests: POST, the stored body, Content-Type application/json, the Standard Webhooks
// headers (webhook-id = the delivery's msg_id, the same on every attempt; webhook-timestamp =
// this attempt's unix seconds; webhook-signature), the checked address pinned
// (CURLOPT_RESOLVE), no redirects, a 10 s timeout, the response body capped at 64 KiB.
//
// Fast path: a consumer that just queued deliveries hands them over in memory after its commit
// (hand_over), so the common case costs no claim; it wrote them with a lease already
// (next_attempt_at = now + lease_ms()), so that the table is only the fallback. A delivery
// whose answer never came (the process stopped or crashed) is sent again once its lease ran
// out (timeout + 30 s), with the same webhook-id: receivers dedupe on it.
//
// Metrics: todo_webhook_deliveries_total{outcome=succeeded|retry|failed|dead|refused},
// todo_webhook_latency_seconds (request sent -> answer), todo_webhooks_disabled_total.
// Lifecycle: start() once the database is open; stop() joins the thread, then cancels what is
// in flight (those rows are retried after their lease). Threads: its own, plus the HttpClient's
// (whose callbacks only queue the answer); wake() from any thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "app/module.hpp"
#include "net/http_client.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"
#include "storage/webhook_store.hpp"
#include "webhooks/address_guard.hpp"
#include "webhooks/retry_policy.hpp"

namespace todo::webhooks {

struct DeliveryOptions {
  double retry_scale = 1.0;  // multiplies the retry schedule (tests: 0.001)
  int max_failures = 20;     // consecutive failed attempts that disable an endpoint
  int max_in_flight = 64;    // requests at once
  std::chrono::milliseconds timeout{10'000};
  std::size_t max_response_bytes = 64 * 1024;
};

// A delivery just committed by a consumer, with what sending it needs.
struct FreshDelivery {
  storage::WebhookDelivery delivery;  // with its id and payload
  std::string url;
  std::string secret;
};

class DeliveryWorker final : public app::Worker {
 public:
  DeliveryWorker(storage::Database& db, ops::Metrics& metrics, const AddressGuard& guard,
                 DeliveryOptions options);
  ~DeliveryWorker() override;
  std::string_view name() const override { return "webhook-delivery"; }
  void start() override;
  void stop() override;
  void wake();

  // Whether the in-memory queue takes more fresh deliveries now (any thread; approximate): a
  // consumer writes a lease on the deliveries it will hand over only then.
  bool accepting() const;
  Millis lease_ms() const { return options_.timeout.count() + 30'000; }
  // Deliveries committed with a lease (after the consumer's commit; any thread, no blocking).
  void hand_over(std::vector<FreshDelivery> fresh);

 private:
  struct Answer {                       // one attempt's result, waiting to be recorded
    storage::WebhookDelivery delivery;  // payload cleared
    std::string url;
    Verdict verdict = Verdict::failed;
    int status = 0;
    std::string error;
    std::chrono::milliseconds elapsed{0};
    bool attempted = true;  // false: the endpoint was disabled or deleted before the attempt
  };

  void run();
  // Claims up to `limit` due deliveries and sends them; returns how many it claimed (-1 when
  // the database failed).
  int claim_and_send(int limit);
  // Checks, signs and sends one delivery (or records why not); `resolved` caches the address
  // check per URL for one round.
  void send(FreshDelivery job, std::map<std::string, Result<Target>>& resolved);
  // Sends up to `limit` handed-over deliveries; returns how many.
  int send_fresh(int limit);
  // Records the answers in one transaction; false when the database failed. `retry_at`: the
  // earliest retry it scheduled, if any.
  bool record(std::vector<Answer>& answers, std::optional<Millis>& retry_at);
  bool note_failure(storage::Tx& tx, std::int64_t webhook_id, Verdict verdict, Millis now);
  void answered(Answer answer);  // from the client's thread

  storage::Database& db_;
  ops::Metrics& metrics_;
  const AddressGuard& guard_;
  DeliveryOptions options_;
  int in_flight_ = 0;  // the worker thread's own count
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool woken_ = false;
  bool stopping_ = false;
  std::vector<Answer> answers_;       // guarded by mutex_
  std::vector<FreshDelivery> fresh_;  // guarded by mutex_
  std::size_t answers_to_wake_ = 0;   // guarded by mutex_: the answer count that ends the wait
  bool wake_on_fresh_ = false;        // guarded by mutex_: whether a hand-over ends the wait
  std::atomic<std::size_t> fresh_size_{0};
  std::thread thread_;
  net::HttpClient client_;  // last: stopped (its callbacks done) before the members above go
};

}  // namespace todo::webhooks
