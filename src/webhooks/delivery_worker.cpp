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

constexpr auto kMaxSleep = std::chrono::milliseconds(5 * 60 * 1000);
constexpr auto kRecordDelay = std::chrono::milliseconds(20);  // answers recorded this late at most
constexpr std::size_t kRecordBatch = 256;

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

// The metric's outcome: the verdict, except that a retry that will not happen is failed or
// dead, and a 410 is failed.
const char* metric_outcome(Verdict v, storage::DeliveryState state) {
  if (state == storage::DeliveryState::dead) return "dead";
  if (v == Verdict::gone || (v == Verdict::retry && state == storage::DeliveryState::failed))
    return "failed";
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
  ensure_sodium();  // jitter() draws from libsodium's generator, maybe before any secret was made
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
  bool notify = false;
  {
    std::lock_guard lock(mutex_);
    notify = fresh_.empty() && wake_on_fresh_;  // it takes them all once awake
    for (auto& f : fresh) fresh_.push_back(std::move(f));
    fresh_size_ = fresh_.size();
  }
  if (notify) wakeup_.notify_all();
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
  bool notify = false;
  {
    std::lock_guard lock(mutex_);
    answers_.push_back(std::move(answer));
    notify = answers_.size() == answers_to_wake_;  // once, when the worker waits for this many
  }
  if (notify) wakeup_.notify_all();
}

void DeliveryWorker::run() {
  using Clock = std::chrono::steady_clock;
  std::vector<Answer> pending;  // answers not recorded yet (kept across a database failure)
  std::optional<Clock::time_point> first_pending;
  // When the table may hold due rows: at start, after wake() (rows written without a lease:
  // a test send, a full hand-over queue), at the next due time it reported, and after a
  // database failure.
  bool check_table = true;
  Clock::time_point next_check = Clock::now() + kMaxSleep;
  for (;;) {
    bool stop = false;
    {
      std::lock_guard lock(mutex_);
      answers_to_wake_ = 0;  // awake: nobody needs to notify
      wake_on_fresh_ = false;
      stop = stopping_;
      for (auto& a : answers_) {
        if (a.attempted) --in_flight_;  // the slot is free; the row stays leased until recorded
        pending.push_back(std::move(a));
      }
      answers_.clear();
      check_table = check_table || woken_;
      woken_ = false;
    }
    if (stop) {  // what came back is recorded; what is in flight is sent again after its lease
      std::optional<Millis> retry_at;
      if (!pending.empty()) record(pending, retry_at);
      return;
    }
    auto now = Clock::now();
    if (now >= next_check) check_table = true;
    if (!pending.empty() && !first_pending) first_pending = now;
    bool db_failed = false;
    // Answers are recorded in batches (every kRecordDelay, or kRecordBatch at once): one
    // transaction, and on SQLite one fsync, for many deliveries.
    if (!pending.empty() &&
        (pending.size() >= kRecordBatch || now - *first_pending >= kRecordDelay)) {
      if (std::optional<Millis> retry_at; record(pending, retry_at)) {
        pending.clear();
        first_pending.reset();
        if (retry_at)  // a retry this worker just scheduled: look at the table then
          next_check =
              std::min(next_check, Clock::now() + std::chrono::milliseconds(std::max<Millis>(
                                                      0, *retry_at - now_millis())));
      } else {
        db_failed = true;
      }
    }
    int room = options_.max_in_flight - in_flight_;
    if (room > 0) room -= send_fresh(room);
    if (!db_failed && check_table && room > 0) {
      int claimed = claim_and_send(room);
      if (claimed < 0) {
        db_failed = true;
      } else if (claimed < room) {  // nothing more is due now: when is the next one?
        std::optional<Millis> next;
        auto status = storage::read_and_wait(
            db_, [&](storage::Tx& tx) { next = storage::webhooks(tx).next_due(); });
        db_failed = !status;
        check_table = false;
        Millis wait = next ? std::max<Millis>(0, *next - now_millis()) : Millis(kMaxSleep.count());
        next_check = Clock::now() + std::min<std::chrono::milliseconds>(
                                        std::chrono::milliseconds(wait), kMaxSleep);
      }
    }
    auto deadline = next_check;
    if (db_failed) deadline = std::min(deadline, Clock::now() + std::chrono::seconds(1));
    if (first_pending) deadline = std::min(deadline, *first_pending + kRecordDelay);
    if (check_table && room > 0 && !db_failed) continue;  // more may be due
    const bool saturated = in_flight_ >= options_.max_in_flight;
    std::unique_lock lock(mutex_);
    // Wake-ups cost a context switch each: the callbacks notify only for what ends this wait.
    answers_to_wake_ = saturated || pending.empty() ? 1 : kRecordBatch - pending.size();
    wake_on_fresh_ = !saturated;
    wakeup_.wait_until(lock, deadline, [&] {
      // The first answer starts a recording window; later ones wait for it (or free a slot).
      return stopping_ || woken_ || (!answers_.empty() && (saturated || pending.empty())) ||
             (!fresh_.empty() && !saturated) || answers_.size() + pending.size() >= kRecordBatch;
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

// One failed attempt of an endpoint: its run of failures grows; a 410 or the run reaching
// max_failures disables it and notifies its user. Returns whether it disabled the endpoint now.
bool DeliveryWorker::note_failure(storage::Tx& tx, std::int64_t webhook_id, Verdict verdict,
                                  Millis now) {
  auto& store = storage::webhooks(tx);
  auto hook = store.find_any(webhook_id);
  if (!hook || !hook->enabled) return false;
  ++hook->consecutive_failures;
  std::optional<std::string> disable;
  if (verdict == Verdict::gone)
    disable = "the endpoint answered 410 Gone";
  else if (hook->consecutive_failures >= options_.max_failures)
    disable = std::to_string(hook->consecutive_failures) + " consecutive failed attempts";
  if (disable) {
    hook->enabled = false;
    hook->disabled_reason = *disable;
    storage::Notification n;
    n.user_id = hook->user_id;
    n.event_id = time_ordered_uuid(now);
    n.kind = "webhook_disabled";
    n.title = "Webhook to " + hook->url + " disabled: " + *disable;
    n.created_at = now;
    storage::notifications(tx).insert(n);
  }
  hook->updated_at = now;
  store.update(*hook);
  return disable.has_value();
}

bool DeliveryWorker::record(std::vector<Answer>& answers, std::optional<Millis>& retry_at) {
  std::vector<std::string> counted;  // metric outcomes, added once committed
  int disabled = 0;
  const Millis now = now_millis();
  auto status = storage::write_and_wait(db_, [&](storage::Tx& tx) {
    counted.clear();
    disabled = 0;
    retry_at.reset();
    auto& store = storage::webhooks(tx);
    for (const auto& a : answers) {
      if (!a.attempted) {  // never sent: the last attempt's status stays in the log
        store.abandon(a.delivery.id, a.error, now);
        continue;
      }
      storage::AttemptResult r;
      r.delivery_id = a.delivery.id;
      if (a.status != 0) r.status = a.status;
      if (!a.error.empty()) r.error = a.error.substr(0, 500);
      r.duration_ms = a.elapsed.count();
      r.state = storage::DeliveryState::failed;
      if (a.verdict == Verdict::succeeded) {  // the common case: two writes, no read
        r.state = storage::DeliveryState::succeeded;
        store.finish(r, now);
        store.reset_failures(a.delivery.webhook_id, now);
        counted.push_back("succeeded");
        continue;
      }
      if (a.verdict == Verdict::retry) {
        auto delay = retry_delay(int(a.delivery.attempt) + 1, options_.retry_scale, jitter());
        r.state = delay ? storage::DeliveryState::pending : storage::DeliveryState::dead;
        if (delay) r.next_attempt_at = now + *delay;
      }
      if (note_failure(tx, a.delivery.webhook_id, a.verdict, now)) {
        ++disabled;
        if (r.state == storage::DeliveryState::pending) {  // no retry to a disabled endpoint
          r.state = storage::DeliveryState::failed;
          r.next_attempt_at.reset();
        }
      }
      if (r.next_attempt_at)
        retry_at = std::min(retry_at.value_or(*r.next_attempt_at), *r.next_attempt_at);
      store.finish(r, now);
      counted.push_back(metric_outcome(a.verdict, r.state));
    }
  });
  if (!status) {
    log::warn("webhooks: recording {} answers failed: {}", answers.size(), status.error().detail);
    return false;
  }
  for (const auto& outcome : counted)
    metrics_.add("todo_webhook_deliveries_total", "outcome=\"" + outcome + "\"", 1);
  if (disabled) metrics_.add("todo_webhooks_disabled_total", "", std::uint64_t(disabled));
  return true;
}

}  // namespace todo::webhooks
