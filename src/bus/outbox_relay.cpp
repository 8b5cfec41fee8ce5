#include "bus/outbox_relay.hpp"

#include <spdlog/spdlog.h>

#include <random>

#include "core/time.hpp"
#include "storage/outbox_store.hpp"
#include "storage/sync.hpp"

namespace todo::bus {
namespace {

// Seconds since `created_at` (0 when there is no such row).
double age_seconds(std::optional<Millis> created_at) {
  return created_at ? std::max<double>(0, double(now_millis() - *created_at) / 1000.0) : 0;
}

}  // namespace

OutboxRelay::OutboxRelay(storage::Database& db, ops::Metrics& metrics, RelayOptions options)
    : db_(db), metrics_(metrics), options_(options) {
  metrics_.describe("todo_events_delivered_total", "counter",
                    "Events acknowledged by each subscriber.");
  metrics_.describe(
      "todo_events_failed_total", "counter",
      "Event deliveries that failed (retried later) or were given up, per subscriber.");
  metrics_.describe("todo_event_delivery_lag_seconds", "histogram",
                    "Commit of an event to its acknowledgement by a subscriber.");
}

OutboxRelay::~OutboxRelay() {
  stop();
}

std::uint32_t OutboxRelay::add(std::shared_ptr<Subscriber> subscriber) {
  if (slots_.size() >= 31) throw std::logic_error("too many outbox subscribers");
  auto slot = std::make_unique<Slot>();
  slot->bit = 1u << slots_.size();
  slot->subscriber = std::move(subscriber);
  mask_ |= slot->bit;
  std::uint32_t bit = slot->bit;
  std::string labels = "subscriber=\"" + slot->subscriber->name() + "\"";
  metrics_.add("todo_events_delivered_total", labels, 0);
  metrics_.add("todo_events_failed_total", labels, 0);
  if (slots_.empty()) metrics_.add_gauge_group([this] { return outbox_gauges(); });
  slots_.push_back(std::move(slot));
  return bit;
}

// One query per scrape for every outbox gauge (the outbox may hold a large backlog).
std::vector<ops::Metrics::GaugeSample> OutboxRelay::outbox_gauges() {
  std::vector<std::uint32_t> bits{0};
  for (const auto& slot : slots_) bits.push_back(slot->bit);
  std::vector<storage::OutboxStats> stats;
  auto status = storage::read_and_wait(
      db_, [&](storage::Tx& tx) { stats = storage::outbox(tx).stats_many(bits); });
  bool known = status.ok() && stats.size() == bits.size();
  std::vector<ops::Metrics::GaugeSample> out;
  for (std::size_t i = 0; i < slots_.size(); ++i)
    out.push_back({"todo_outbox_backlog", "Events waiting for each subscriber.",
                   "subscriber=\"" + slots_[i]->subscriber->name() + "\"",
                   known ? double(stats[i + 1].pending) : -1.0});
  out.push_back({"todo_outbox_oldest_age_seconds",
                 "Age of the oldest event not yet delivered to every subscriber.", "",
                 known ? age_seconds(stats[0].oldest_created_at) : 0});
  out.push_back({"todo_outbox_pending",
                 "Events not yet delivered to every subscriber (-1: the database is unreachable).",
                 "", known ? double(stats[0].pending) : -1.0});
  return out;
}

void OutboxRelay::start() {
  for (auto& slot : slots_) slot->thread = std::thread([this, s = slot.get()] { run(*s); });
}

void OutboxRelay::wake() {
  {
    std::lock_guard lock(mutex_);
    for (auto& slot : slots_) slot->woken = true;
  }
  wakeup_.notify_all();
}

void OutboxRelay::stop() {
  if (stopping_.exchange(true)) return;
  wakeup_.notify_all();
  for (auto& slot : slots_)
    if (slot->thread.joinable()) slot->thread.join();
}

double OutboxRelay::oldest_pending_age_seconds() {
  storage::OutboxStats all;
  auto status =
      storage::read_and_wait(db_, [&](storage::Tx& tx) { all = storage::outbox(tx).stats(0); });
  return status ? age_seconds(all.oldest_created_at) : 0;
}

void OutboxRelay::run(Slot& slot) {
  const std::string& name = slot.subscriber->name();
  std::string labels = "subscriber=\"" + name + "\"";
  std::mt19937 jitter(std::random_device{}());
  auto backoff = options_.min_backoff;
  int failures = 0;
  while (!stopping_) {
    if (!slot.subscriber->accepting()) {
      std::unique_lock lock(mutex_);
      wakeup_.wait_for(lock, options_.paused_check, [&] { return stopping_.load(); });
      continue;
    }
    bool more = false;
    try {
      more = deliver_once(slot);
      if (failures > 0)
        spdlog::info("subscriber {} recovered after {} failed attempts", name, failures);
      failures = 0;
      backoff = options_.min_backoff;
    } catch (const std::exception& e) {
      ++failures;
      // Exponential backoff with full jitter, capped; the rows stay in the outbox.
      auto wait = std::chrono::milliseconds(
          std::uniform_int_distribution<long>(backoff.count() / 2, backoff.count())(jitter));
      if (failures == 1 || failures % 10 == 0)
        spdlog::warn("subscriber {} failed ({}), attempt {}; retrying in {} ms", name, e.what(),
                     failures, wait.count());
      backoff = std::min(backoff * 2, options_.max_backoff);
      std::unique_lock lock(mutex_);
      wakeup_.wait_for(lock, wait, [&] { return stopping_.load(); });
      continue;
    }
    if (more) continue;  // a full batch: there may be more right away
    std::unique_lock lock(mutex_);
    wakeup_.wait_for(lock, options_.idle_check, [&] { return stopping_ || slot.woken; });
    if (!stopping_ && options_.gather.count() > 0) {
      lock.unlock();
      std::this_thread::sleep_for(options_.gather);
    }
  }
}

Status OutboxRelay::take_batch(Slot& slot, Batch& batch) {
  if (options_.claim_holder.empty())
    return storage::read_and_wait(db_, [&](storage::Tx& tx) {
      batch = storage::outbox(tx).pending(slot.bit, options_.batch_size);
    });
  Millis now = now_millis();
  return storage::write_and_wait(db_, [&](storage::Tx& tx) {
    batch = storage::outbox(tx).claim(slot.bit, options_.claim_holder, options_.batch_size, now,
                                      now + options_.claim_lease.count());
  });
}

// Best effort: should it fail too, the claims lapse after the lease.
void OutboxRelay::release_claims(Slot& slot) {
  if (options_.claim_holder.empty()) return;
  storage::write_and_wait(db_, [&](storage::Tx& tx) {
    storage::outbox(tx).release_claims(slot.bit, options_.claim_holder);
  });
}

bool OutboxRelay::deliver_once(Slot& slot) {
  {
    std::lock_guard lock(mutex_);
    slot.woken = false;  // commits after this point wake us again
  }
  Batch batch;
  auto read = take_batch(slot, batch);
  if (!read) throw std::runtime_error("reading the outbox: " + read.error().detail);
  if (batch.empty()) return false;

  std::string labels = "subscriber=\"" + slot.subscriber->name() + "\"";
  Delivery outcome = slot.subscriber->deliver(batch);
  if (outcome == Delivery::retry_later) {
    metrics_.add("todo_events_failed_total", labels, batch.size());
    release_claims(slot);  // another process may be able to deliver them meanwhile
    throw std::runtime_error("delivery refused; will retry");
  }
  std::vector<std::int64_t> ids;
  ids.reserve(batch.size());
  for (const auto& row : batch) ids.push_back(row.id);
  bool record = outcome == Delivery::done;
  auto ack = storage::write_and_wait(db_, [&](storage::Tx& tx) {
    if (record) slot.subscriber->record(tx, batch);
    storage::outbox(tx).ack(slot.bit, ids);
    if (!options_.claim_holder.empty())
      storage::outbox(tx).release_claims(slot.bit, options_.claim_holder);
  });
  if (!ack) {
    metrics_.add("todo_events_failed_total", labels, batch.size());
    release_claims(slot);
    throw std::runtime_error("acknowledging the batch: " + ack.error().detail);
  }
  if (outcome == Delivery::give_up) {
    spdlog::error("subscriber {} gave up on {} events (first {})", slot.subscriber->name(),
                  batch.size(), batch.front().event_id);
    metrics_.add("todo_events_failed_total", labels, batch.size());
  } else {
    metrics_.add("todo_events_delivered_total", labels, batch.size());
  }
  Millis now = now_millis();
  for (const auto& row : batch)
    metrics_.observe("todo_event_delivery_lag_seconds", labels,
                     std::max<double>(0, double(now - row.created_at) / 1000.0));
  return int(batch.size()) == options_.batch_size;
}

}  // namespace todo::bus
