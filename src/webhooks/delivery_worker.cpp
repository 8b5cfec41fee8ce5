#include "webhooks/delivery_worker.hpp"

#include <sodium.h>

#include <algorithm>
#include <iterator>
#include <map>

#include "core/log.hpp"
#include "core/random.hpp"
#include "storage/notification_store.hpp"
#include "storage/sync.hpp"
#include "webhooks/signature.hpp"

namespace todo::webhooks {
namespace {

constexpr auto kMaxSleep = std::chrono::minutes(5);
constexpr Millis kLeaseExtra = 30'000;  // a claimed row is sent again after timeout + this

net::HttpClientOptions client_options(const DeliveryOptions& o) {
  net::HttpClientOptions c;
  c.max_queue = std::size_t(o.max_in_flight) + 16;
  c.max_connections_per_host = std::min<long>(16, o.max_in_flight);
  c.max_total_connections = o.max_in_flight;
  c.connect_timeout = std::min(o.timeout, std::chrono::milliseconds(5'000));
  c.timeout = o.timeout;
  c.max_response_bytes = o.max_response_bytes;
  c.user_agent = "todo-platform-webhooks";
  c.http_only = true;
  return c;
}

double jitter() {
  return double(randombytes_uniform(1'000'000)) / 1'000'000.0;
}

const char* metric_outcome(Verdict v, storage::DeliveryState state) {
  if (state == storage::DeliveryState::dead) return "dead";
  if (v == Verdict::gone) return "failed";
  return verdict_name(v);
}

}  // namespace

DeliveryWorker::DeliveryWorker(storage::Database& db, ops::Metrics& metrics,
                               const AddressGuard& guard, DeliveryOptions options)
    : db_(db),
      metrics_(metrics),
      guard_(guard),
      options_(options),
      client_(client_options(options)) {
  metrics_.describe("todo_webhook_deliveries_total", "counter",
                    "Webhook delivery attempts by outcome (succeeded, retry, failed, dead, "
                    "refused by the address check).");
  for (const char* o : {"succeeded", "retry", "failed", "dead", "refused"})
    metrics_.add("todo_webhook_deliveries_total", std::string("outcome=\"") + o + "\"", 0);
  metrics_.describe("todo_webhook_latency_seconds", "histogram",
                    "Webhook requests: sent to answered (or failed).");
  metrics_.describe("todo_webhooks_disabled_total", "counter",
                    "Webhook endpoints disabled automatically (410 Gone, a run of failures).");
  metrics_.add("todo_webhooks_disabled_total", "", 0);
}

DeliveryWorker::~DeliveryWorker() {
  stop();
}

void DeliveryWorker::start() {
  thread_ = std::thread([this] { run(); });
}

void DeliveryWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
  client_.stop();
}

void DeliveryWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeup_.notify_all();
}

bool DeliveryWorker::accepting() const {
  return fresh_size_.load(std::memory_order_relaxed) < std::size_t(2 * options_.max_in_flight);
}

void DeliveryWorker::hand_over(std::vector<FreshDelivery> fresh) {
  if (fresh.empty()) return;
  {
    std::lock_guard lock(mutex_);
    for (auto& f : fresh) fresh_.push_back(std::move(f));
    fresh_size_ = fresh_.size();
  }
  wakeup_.notify_all();
}

int DeliveryWorker::send_fresh(int limit) {
  std::vector<FreshDelivery> batch;
  {
    std::lock_guard lock(mutex_);
    std::size_t n = std::min(fresh_.size(), std::size_t(limit));
    std::move(fresh_.begin(), fresh_.begin() + std::ptrdiff_t(n), std::back_inserter(batch));
    fresh_.erase(fresh_.begin(), fresh_.begin() + std::ptrdiff_t(n));
    fresh_size_ = fresh_.size();
  }
  std::map<std::string, Result<Target>> resolved;
  for (auto& f : batch) send(std::move(f), resolved);
  return int(batch.size());
}

void DeliveryWorker::answered(Answer answer) {
  {
    std::lock_guard lock(mutex_);
    answers_.push_back(std::move(answer));
  }
  wakeup_.notify_all();
}

void DeliveryWorker::run() {
  std::vector<Answer> pending;  // answers not recorded yet (kept across a database failure)
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      for (auto& a : answers_) pending.push_back(std::move(a));
      answers_.clear();
      woken_ = false;
    }
    bool db_failed = false;
    if (!pending.empty()) {
      if (record(pending)) {
        in_flight_ -= int(std::count_if(pending.begin(), pending.end(),
                                        [](const Answer& a) { return a.attempted; }));
        pending.clear();
      } else {
        db_failed = true;
      }
    }
    int room = options_.max_in_flight - in_flight_;
    if (!db_failed && room > 0) room -= send_fresh(room);
    int claimed = 0;
    if (!db_failed && room > 0) {
      claimed = claim_and_send(room);
      db_failed = claimed < 0;
    }
    auto deadline = std::chrono::steady_clock::now() + kMaxSleep;
    if (db_failed) {
      deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    } else if (room > 0 && claimed == room) {
      continue;  // more may be due: go on once the answers are recorded
    } else if (in_flight_ < options_.max_in_flight) {
      std::optional<Millis> next;
      auto status = storage::read_and_wait(
          db_, [&](storage::Tx& tx) { next = storage::webhooks(tx).next_due(); });
      if (!status) {
        deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      } else if (next) {
        Millis wait = std::max<Millis>(0, *next - now_millis());
        deadline =
            std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(wait));
      }
    }
    std::unique_lock lock(mutex_);
    wakeup_.wait_until(lock, deadline, [&] {
      return stopping_ || woken_ || !answers_.empty() ||
             (!fresh_.empty() && in_flight_ < options_.max_in_flight);
    });
  }
}

int DeliveryWorker::claim_and_send(int limit) {
  std::vector<FreshDelivery> jobs;
  std::vector<std::int64_t> unsendable;  // deliveries of an endpoint disabled or deleted
  const Millis now = now_millis();
  const Millis lease = now + lease_ms();
  auto status = storage::write_and_wait(db_, [&](storage::Tx& tx) {
    jobs.clear();
    unsendable.clear();
    auto& store = storage::webhooks(tx);
    std::map<std::int64_t, std::optional<storage::Webhook>> hooks;
    for (auto& d : store.claim_due(now, lease, limit)) {
      auto it = hooks.find(d.webhook_id);
      if (it == hooks.end()) it = hooks.emplace(d.webhook_id, store.find_any(d.webhook_id)).first;
      const auto& hook = it->second;
      if (hook && hook->enabled)
        jobs.push_back({std::move(d), hook->url, hook->secret});
      else
        unsendable.push_back(d.id);
    }
  });
  if (!status) {
    log::warn("webhooks: claiming deliveries failed: {}", status.error().detail);
    return -1;
  }
  for (std::int64_t id : unsendable) {
    Answer a;
    a.delivery.id = id;
    a.attempted = false;
    a.verdict = Verdict::failed;
    a.error = "endpoint disabled before the attempt";
    answered(std::move(a));
  }
  std::map<std::string, Result<Target>> resolved;
  for (auto& job : jobs) send(std::move(job), resolved);
  return int(jobs.size() + unsendable.size());
}

void DeliveryWorker::send(FreshDelivery job, std::map<std::string, Result<Target>>& resolved) {
  Answer a;
  a.delivery = std::move(job.delivery);
  std::string body = std::move(a.delivery.payload);
  a.delivery.payload.clear();
  a.url = std::move(job.url);
  // One resolution per URL and round: a burst to one endpoint costs one lookup.
  auto it = resolved.find(a.url);
  if (it == resolved.end()) it = resolved.emplace(a.url, guard_.resolve(a.url)).first;
  const Result<Target>& target = it->second;
  auto key = secret_key(job.secret);
  ++in_flight_;  // answered below or by the client: recorded like any attempt
  if (!target || !key) {
    bool refused = !target && target.error().kind == ErrorKind::validation;
    a.verdict = refused ? Verdict::refused : !target ? Verdict::retry : Verdict::failed;
    a.error = !target ? target.error().detail : "the endpoint's secret is unreadable";
    answered(std::move(a));
    return;
  }
  net::Request request;
  request.method = net::Method::post;
  request.url = a.url;
  long long timestamp = now_millis() / 1000;
  request.headers = {
      {"Content-Type", "application/json"},
      {"webhook-id", a.delivery.msg_id},
      {"webhook-timestamp", std::to_string(timestamp)},
      {"webhook-signature", sign(*key, a.delivery.msg_id, timestamp, body)},
  };
  request.body = std::move(body);
  if (auto pin = target->resolve_entry(); !pin.empty()) request.resolve.push_back(pin);
  client_.send(std::move(request), [this, a = std::move(a)](net::Response r) mutable {
    a.status = r.status;
    a.verdict = classify_attempt(r.status, r.outcome);
    a.elapsed = r.elapsed;
    if (a.verdict != Verdict::succeeded) a.error = r.reason;
    metrics_.observe("todo_webhook_latency_seconds", "", double(r.elapsed.count()) / 1000.0);
    answered(std::move(a));
  });
}

bool DeliveryWorker::record(std::vector<Answer>& answers) {
  struct Counted {
    std::string outcome;
  };
  std::vector<Counted> counted;
  int disabled = 0;
  const Millis now = now_millis();
  auto status = storage::write_and_wait(db_, [&](storage::Tx& tx) {
    counted.clear();
    disabled = 0;
    auto& store = storage::webhooks(tx);
    for (const auto& a : answers) {
      storage::AttemptResult r;
      r.delivery_id = a.delivery.id;
      if (a.status != 0) r.status = a.status;
      if (!a.error.empty()) r.error = a.error.substr(0, 500);
      r.duration_ms = a.elapsed.count();
      switch (a.verdict) {
        case Verdict::succeeded:
          r.state = storage::DeliveryState::succeeded;
          break;
        case Verdict::retry:
          if (auto delay =
                  retry_delay(int(a.delivery.attempt) + 1, options_.retry_scale, jitter())) {
            r.state = storage::DeliveryState::pending;
            r.next_attempt_at = now + *delay;
          } else {
            r.state = storage::DeliveryState::dead;
          }
          break;
        default:
          r.state = storage::DeliveryState::failed;
      }
      store.finish(r, now);
      if (!a.attempted) continue;
      counted.push_back({metric_outcome(a.verdict, r.state)});
      if (a.verdict == Verdict::succeeded) {  // the common case: one write, no read
        store.reset_failures(a.delivery.webhook_id, now);
        continue;
      }
      auto hook = store.find_any(a.delivery.webhook_id);
      if (!hook) continue;
      bool changed = false;
      std::optional<std::string> disable;
      if (hook->enabled) {
        ++hook->consecutive_failures;
        changed = true;
        if (a.verdict == Verdict::gone)
          disable = "the endpoint answered 410 Gone";
        else if (hook->consecutive_failures >= options_.max_failures)
          disable = std::to_string(hook->consecutive_failures) + " consecutive failed attempts";
      }
      if (disable) {
        hook->enabled = false;
        hook->disabled_reason = *disable;
        ++disabled;
        storage::Notification n;
        n.user_id = hook->user_id;
        n.event_id = time_ordered_uuid(now);
        n.kind = "webhook_disabled";
        n.title = "Webhook to " + hook->url + " disabled: " + *disable;
        n.created_at = now;
        storage::notifications(tx).insert(n);
      }
      if (changed) {
        hook->updated_at = now;
        store.update(*hook);
      }
    }
  });
  if (!status) {
    log::warn("webhooks: recording {} answers failed: {}", answers.size(), status.error().detail);
    return false;
  }
  for (const auto& c : counted)
    metrics_.add("todo_webhook_deliveries_total", "outcome=\"" + c.outcome + "\"", 1);
  if (disabled) metrics_.add("todo_webhooks_disabled_total", "", std::uint64_t(disabled));
  return true;
}

}  // namespace todo::webhooks
