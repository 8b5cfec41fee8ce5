#include "bus/outbox_relay.hpp"

#include <random>

#include "core/log.hpp"
#include "core/time.hpp"
#include "storage/sync.hpp"

namespace todo::bus {
namespace {

// Seconds since `created_at` (0 when there is no such row).
double age_seconds(std::optional<Millis> created_at) {
  return created_at ? std::max<double>(0, double(now_millis() - *created_at) / 1000.0) : 0;
}

std::vector<Event> events_of(const Batch& batch) {
  std::vector<Event> events;
  events.reserve(batch.size());
  for (const auto& row : batch)
    events.push_back({row.event_id, row.user_id, row.topic, row.payload, row.created_at});
  return events;
}

}  // namespace

OutboxRelay::OutboxRelay(storage::Database& db, ops::Metrics& metrics, OutboxWriter& writer,
                         RelayOptions options)
    : db_(db), metrics_(metrics), writer_(writer), options_(std::move(options)), runner_(metrics) {
  metrics_.describe("todo_events_delivered_total", "counter",
                    "Events acknowledged by each relay target (consumer or publisher).");
  metrics_.describe(
      "todo_events_failed_total", "counter",
      "Event deliveries that failed (retried later) or were given up, per relay target.");
  metrics_.describe("todo_event_delivery_lag_seconds", "histogram",
                    "Commit of an event to its acknowledgement by a relay target.");
  metrics_.describe("todo_events_busy_turns_total", "counter",
                    "Turns a consumer found its target held by another process relaying the "
                    "same outbox (OutboxStore::take) and tried again shortly.");
}

OutboxRelay::~OutboxRelay() {
  stop();
}

void OutboxRelay::add_slot(std::unique_ptr<Slot> slot) {
  if (started_) throw std::logic_error("OutboxRelay::add after start");
  if (slots_.size() >= 31) throw std::logic_error("too many outbox targets");
  for (const auto& s : slots_)
    if (s->name == slot->name) throw std::logic_error("two relay targets named " + slot->name);
  slot->limit = options_.batch_size;
  slot->gather = GatherPolicy(options_.gather, std::max(options_.gather, options_.max_gather));
  slot->gather_us = wait_after_wakeup(*slot).count();
  std::string labels = "subscriber=\"" + slot->name + "\"";
  metrics_.add("todo_events_delivered_total", labels, 0);
  metrics_.add("todo_events_failed_total", labels, 0);
  if (slot->consumer) metrics_.add("todo_events_busy_turns_total", labels, 0);
  if (slots_.empty()) metrics_.add_gauge_group([this] { return outbox_gauges(); });
  slots_.push_back(std::move(slot));
}

void OutboxRelay::add(std::shared_ptr<Consumer> consumer) {
  auto slot = std::make_unique<Slot>();
  slot->name = consumer->name();
  runner_.describe(*consumer);
  slot->consumer = std::move(consumer);
  add_slot(std::move(slot));
}

void OutboxRelay::add(std::shared_ptr<Publisher> publisher) {
  auto slot = std::make_unique<Slot>();
  slot->name = publisher->name();
  slot->publisher = std::move(publisher);
  add_slot(std::move(slot));
}

std::chrono::microseconds OutboxRelay::wait_after_wakeup(const Slot& slot) {
  std::chrono::microseconds wait = slot.gather.wait();
  if (slot.consumer) wait = std::max<std::chrono::microseconds>(wait, slot.consumer->gather());
  return wait;
}

void OutboxRelay::count(const Slot& slot, const char* family, std::size_t n) {
  if (n) metrics_.add(family, "subscriber=\"" + slot.name + "\"", n);
}

// One query per scrape for every outbox gauge (the outbox may hold a large backlog).
std::vector<ops::Metrics::GaugeSample> OutboxRelay::outbox_gauges() {
  std::vector<std::uint32_t> bits{0};
  {
    std::lock_guard lock(mutex_);  // start() sets the bits; a scrape may come at any time
    for (const auto& slot : slots_) bits.push_back(slot->bit);
  }
  std::vector<storage::OutboxStats> stats;
  auto status = storage::read_and_wait(
      db_, [&](storage::Tx& tx) { stats = storage::outbox(tx).stats_many(bits); });
  bool known = status.ok() && stats.size() == bits.size() && started_;
  std::vector<ops::Metrics::GaugeSample> out;
  for (std::size_t i = 0; i < slots_.size(); ++i)
    out.push_back({"todo_outbox_backlog", "Events waiting for each relay target.",
                   "subscriber=\"" + slots_[i]->name + "\"",
                   known ? double(stats[i + 1].pending) : -1.0});
  for (const auto& slot : slots_)
    out.push_back({"todo_relay_gather_seconds",
                   "How long each relay target waits after a wake-up before it reads (it grows "
                   "with the target's event rate: bus/gather_policy.hpp).",
                   "subscriber=\"" + slot->name + "\"", double(slot->gather_us.load()) / 1e6});
  out.push_back({"todo_outbox_oldest_age_seconds",
                 "Age of the oldest event not yet delivered to every target.", "",
                 known ? age_seconds(stats[0].oldest_created_at) : 0});
  out.push_back({"todo_outbox_pending",
                 "Events not yet delivered to every target (-1: the database is unreachable).", "",
                 known ? double(stats[0].pending) : -1.0});
  return out;
}

void OutboxRelay::start() {
  if (started_) return;
  // Each target's bit by name; the heir of the legacy bit asks first.
  std::vector<Slot*> order;
  for (auto& slot : slots_)
    if (slot->name == options_.legacy_heir) order.push_back(slot.get());
  for (auto& slot : slots_)
    if (slot->name != options_.legacy_heir) order.push_back(slot.get());
  std::vector<std::uint32_t> bits(order.size());
  auto status = storage::write_and_wait(db_, [&](storage::Tx& tx) {
    for (std::size_t i = 0; i < order.size(); ++i)
      bits[i] =
          storage::outbox(tx).target_bit(order[i]->name, order[i]->name == options_.legacy_heir);
  });
  if (!status) throw std::runtime_error("registering the outbox targets: " + status.error().detail);
  {
    std::lock_guard lock(mutex_);  // wake() reads the bits on the writer thread
    for (std::size_t i = 0; i < order.size(); ++i) order[i]->bit = bits[i];
  }
  for (auto& slot : slots_)
    if (slot->consumer)
      writer_.add_target(
          slot->bit, slot->consumer->topic(),
          [c = slot->consumer](const Event& event) { return c->wants(event); },
          slot->consumer->listeners_only());
    else
      writer_.add_target(slot->bit, std::string());
  started_ = true;
  for (auto& slot : slots_) slot->thread = std::thread([this, s = slot.get()] { run(*s); });
}

void OutboxRelay::wake(std::uint32_t targets) {
  std::uint32_t woken = 0;  // indexes of the slots to notify (at most 31)
  {
    std::lock_guard lock(mutex_);
    // Before start() the bits are 0 and every slot is woken already (it checks on start).
    for (std::size_t i = 0; i < slots_.size(); ++i)
      if ((slots_[i]->bit & targets) != 0) {
        slots_[i]->woken = true;
        woken |= 1u << i;
      }
  }
  // A commit of a plain create wakes the audit's thread alone, not every consumer's thread of
  // the role (each slot waits on its own condition variable): a group commit lands every
  // millisecond or so under load.
  for (std::size_t i = 0; i < slots_.size(); ++i)
    if (woken & (1u << i)) slots_[i]->wakeup.notify_one();
}

void OutboxRelay::stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard lock(mutex_);  // no thread between its check of stopping_ and its wait
  }
  for (auto& slot : slots_) slot->wakeup.notify_all();
  for (auto& slot : slots_)
    if (slot->thread.joinable()) slot->thread.join();
}

double OutboxRelay::oldest_pending_age_seconds() {
  // Only this relay's own targets: rows a shared database keeps for a target no process of
  // this shape runs any more (a role moved from Dapr to the embedded bus) are not its backlog.
  std::uint32_t mine = 0;
  {
    std::lock_guard lock(mutex_);  // start() sets the bits
    for (const auto& slot : slots_) mine |= slot->bit;
  }
  if (!started_ || mine == 0) return 0;
  storage::OutboxStats own;
  auto status =
      storage::read_and_wait(db_, [&](storage::Tx& tx) { own = storage::outbox(tx).stats(mine); });
  return status ? age_seconds(own.oldest_created_at) : 0;
}

void OutboxRelay::run(Slot& slot) {
  std::mt19937 jitter(std::random_device{}());
  auto backoff = options_.min_backoff;
  int failures = 0;
  while (!stopping_) {
    if (slot.publisher && !slot.publisher->accepting()) {
      std::unique_lock lock(mutex_);
      slot.wakeup.wait_for(lock, options_.paused_check, [&] { return stopping_.load(); });
      continue;
    }
    bool more = false;
    try {
      more = deliver_once(slot);
      if (failures > 0)
        log::info("relay target {} recovered after {} failed attempts", slot.name, failures);
      failures = 0;
      backoff = options_.min_backoff;
    } catch (const std::exception& e) {
      ++failures;
      // Exponential backoff with full jitter, capped; the rows stay in the outbox.
      auto wait = std::chrono::milliseconds(
          std::uniform_int_distribution<long>(backoff.count() / 2, backoff.count())(jitter));
      if (failures == 1 || failures % 10 == 0)
        log::warn("relay target {} failed ({}), attempt {}; retrying in {} ms", slot.name, e.what(),
                  failures, wait.count());
      backoff = std::min(backoff * 2, options_.max_backoff);
      std::unique_lock lock(mutex_);
      slot.wakeup.wait_for(lock, wait, [&] { return stopping_.load(); });
      continue;
    }
    if (more) continue;  // a full batch: there may be more right away
    std::unique_lock lock(mutex_);
    slot.wakeup.wait_for(lock, options_.idle_check, [&] { return stopping_ || slot.woken; });
    const auto gather = std::chrono::microseconds(slot.gather_us.load());
    if (!stopping_ && gather.count() > 0) {
      lock.unlock();
      std::this_thread::sleep_for(gather);
    }
  }
}

Status OutboxRelay::take_batch(Slot& slot, Batch& batch, int limit) {
  if (options_.claim_holder.empty())
    return storage::read_and_wait(
        db_, [&](storage::Tx& tx) { batch = storage::outbox(tx).pending(slot.bit, limit); });
  Millis now = now_millis();
  return storage::write_first_and_wait(db_, [&](storage::Tx& tx) {
    batch = storage::outbox(tx).claim(slot.bit, options_.claim_holder, limit, now,
                                      now + options_.claim_lease.count());
  });
}

// Best effort: should it fail too, the claims lapse after the lease.
void OutboxRelay::release_claims(Slot& slot) {
  if (options_.claim_holder.empty()) return;
  storage::write_first_and_wait(db_, [&](storage::Tx& tx) {
    storage::outbox(tx).release_claims(slot.bit, options_.claim_holder);
  });
}

bool OutboxRelay::deliver_once(Slot& slot) {
  {
    std::lock_guard lock(mutex_);
    slot.woken = false;  // commits after this point wake us again
  }
  const auto started = GatherPolicy::Clock::now();
  Batch batch;
  // A consumer that gets full batches (a backlog: more events come than batches carry) takes
  // twice as many the next time, up to 8 * batch_size: every batch waits for its turn on the
  // writer, so the lag of a consumer that takes fixed batches grows without bound under a
  // load above batch_size per turn. A publisher keeps batch_size (the bus's own limits).
  const int limit = slot.consumer ? slot.limit : options_.batch_size;
  // A consumer on an outbox several processes share (PostgreSQL) takes its rows in the unit
  // that handles and acknowledges them: one transaction per batch under the target's lock
  // (OutboxStore::take), instead of a claim transaction and a consume transaction, which
  // cost the writer connections the creates share twice as many round trips.
  if (slot.consumer && !options_.claim_holder.empty()) {
    bool busy = false;
    consume(slot, batch, true, limit, &busy);
    if (busy) {
      count(slot, "todo_events_busy_turns_total", 1);
      // Another process's unit holds the target: it takes what is there now; ask again
      // shortly for what commits after its read (2 ms, doubling to 64 ms while it stays busy).
      auto wait = std::chrono::milliseconds(2 << std::min(slot.busy_turns++, 5));
      std::unique_lock lock(mutex_);
      slot.wakeup.wait_for(lock, wait, [&] { return stopping_.load(); });
      return true;
    }
    slot.busy_turns = 0;
  } else {
    auto read = take_batch(slot, batch, limit);
    if (!read) throw std::runtime_error("reading the outbox: " + read.error().detail);
    if (batch.empty()) {
      slot.gather.observe(0, started);
      slot.gather_us = wait_after_wakeup(slot).count();
      return false;
    }
    if (slot.publisher)
      publish(slot, batch);
    else
      consume(slot, batch, false, limit, nullptr);
  }
  slot.gather.observe(batch.size(), started);
  slot.gather_us = wait_after_wakeup(slot).count();
  const bool full = int(batch.size()) >= limit;
  slot.limit = full ? std::min(limit * 2, options_.batch_size * 8) : options_.batch_size;
  if (batch.empty()) return false;
  Millis now = now_millis();
  std::string labels = "subscriber=\"" + slot.name + "\"";
  for (const auto& row : batch)
    metrics_.observe("todo_event_delivery_lag_seconds", labels,
                     std::max<double>(0, double(now - row.created_at) / 1000.0));
  return full;
}

// An external bus: the side effect first, then the acknowledgement (at least once).
void OutboxRelay::publish(Slot& slot, const Batch& batch) {
  Outcome outcome = slot.publisher->publish(batch);
  if (outcome == Outcome::retry_later) {
    count(slot, "todo_events_failed_total", batch.size());
    release_claims(slot);  // another process may be able to deliver them meanwhile
    throw std::runtime_error("publish refused; will retry");
  }
  std::vector<std::int64_t> ids;
  ids.reserve(batch.size());
  for (const auto& row : batch) ids.push_back(row.id);
  auto ack = storage::write_first_and_wait(db_, [&](storage::Tx& tx) {
    storage::outbox(tx).ack(slot.bit, ids);
    if (!options_.claim_holder.empty())
      storage::outbox(tx).release_claims(slot.bit, options_.claim_holder);
  });
  if (!ack) {
    count(slot, "todo_events_failed_total", batch.size());
    release_claims(slot);
    throw std::runtime_error("acknowledging the batch: " + ack.error().detail);
  }
  if (outcome == Outcome::give_up) {
    log::error("relay target {} gave up on {} events (first {})", slot.name, batch.size(),
               batch.front().event_id);
    count(slot, "todo_events_failed_total", batch.size());
  } else {
    count(slot, "todo_events_delivered_total", batch.size());
  }
}

// A local consumer: its effect, its dedupe rows and the acknowledgement in one transaction.
// Consumers never claim (claims are a publisher's): on a shared outbox they `take`, alone
// they read pending rows first (`take` false).
std::size_t OutboxRelay::consume(Slot& slot, Batch& batch, bool take, int limit, bool* busy) {
  std::vector<Event> events;
  Handled handled;
  Millis now = now_millis();
  auto ack = storage::write_first_and_wait(db_, [&](storage::Tx& tx) {
    // A unit may run again (its group commit rolled back): everything it fills starts over.
    if (take) {
      auto taken = storage::outbox(tx).take(slot.bit, limit, now);
      if (busy) *busy = !taken;
      batch = taken ? std::move(*taken) : Batch{};
    }
    events = events_of(batch);
    handled = runner_.run(*slot.consumer, tx, events, now);
    std::vector<std::int64_t> ids;
    ids.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i)
      if (handled.outcomes[i] != Outcome::retry_later) ids.push_back(batch[i].id);
    storage::outbox(tx).ack(slot.bit, ids);
  });
  if (!ack) {
    count(slot, "todo_events_failed_total", batch.size());
    throw std::runtime_error("handling the batch: " + ack.error().detail);
  }
  if (batch.empty()) return 0;
  runner_.record(*slot.consumer, events, handled, now_millis());
  std::size_t delivered = 0, retry = 0, gave_up = 0;
  for (auto o : handled.outcomes)
    (o == Outcome::done ? delivered : o == Outcome::retry_later ? retry : gave_up) += 1;
  count(slot, "todo_events_delivered_total", delivered);
  count(slot, "todo_events_failed_total", retry + gave_up);
  if (gave_up)
    log::error("consumer {} gave up on {} of {} events", slot.name, gave_up, batch.size());
  if (retry) throw std::runtime_error(std::to_string(retry) + " events to retry later");
  return batch.size();
}

}  // namespace todo::bus
