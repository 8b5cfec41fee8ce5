#pragma once
// The transactional outbox (tables `outbox`, `outbox_claims`, `outbox_consumers`).
// SQL: storage/sqlite/sqlite_outbox.cpp, storage/postgres/pg_outbox.cpp.
//
// Each row carries a pending_mask: one bit per relay target (a local consumer, or the Dapr
// publisher) that must still receive it. Bits belong to target NAMES, recorded in
// `outbox_consumers`, never to registration order: a target keeps its bit across restarts
// and across changes to the list of targets.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_facts.hpp"
#include "core/time.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

// One row of the outbox: an event written in the same transaction as the change it
// describes.
struct OutboxRow {
  std::int64_t id = 0;  // commit order per user (see database.hpp)
  std::string event_id;
  std::string user_id;
  std::string topic;
  std::string payload;  // the event JSON (ARCHITECTURE.md §4)
  Millis created_at = 0;
  // Not stored: what the producer knows of `payload` while the row is written (its
  // addressing reads them, bus/outbox_writer.hpp); rows read back have none.
  EventFacts facts{};
};

// The relay targets an outbox row is for: `bits` whatever happens, and `if_listening` only
// when the row's user has listened since `listened_since` (stream_cursors.listened_at, the
// mark a live-update stream leaves: storage/stream_store.hpp listen()). That condition is
// decided by the database while the row is written, under the user's outbox lock
// (pg_outbox.cpp): no process has to know who listens on the others, and a listen() that
// committed before the row's INSERT is seen (OutboxStore::settle covers the rest).
struct OutboxAddress {
  std::uint32_t bits = 0;
  std::uint32_t if_listening = 0;
  Millis listened_since = 0;
  OutboxAddress() = default;
  OutboxAddress(std::uint32_t b) : bits(b) {}  // NOLINT(google-explicit-constructor)
  bool none() const { return bits == 0 && if_listening == 0; }
  std::uint32_t any_bits() const { return bits | if_listening; }
};

// Which relay targets must receive an outbox row, per row: a fixed mask (tests, code that knows
// its targets), or the OutboxWriter's (bus/outbox_writer.hpp), which asks each local consumer
// whether it wants that event. none(): nobody; the row is not written.
class EventMask {
 public:
  EventMask(std::uint32_t fixed) : fixed_(fixed) {}  // NOLINT(google-explicit-constructor)
  explicit EventMask(std::function<OutboxAddress(const OutboxRow&)> per_row)
      : per_row_(std::move(per_row)) {}
  OutboxAddress operator()(const OutboxRow& row) const {
    return per_row_ ? per_row_(row) : OutboxAddress(fixed_);
  }
  // No target at all, whatever the row (the row need not even be built).
  bool none() const { return !per_row_ && fixed_ == 0; }

 private:
  std::uint32_t fixed_ = 0;
  std::function<OutboxAddress(const OutboxRow&)> per_row_;
};

struct OutboxStats {
  std::int64_t pending = 0;                 // rows some target still needs
  std::optional<Millis> oldest_created_at;  // of those rows
};

// The name under which migration 004 recorded bit 1 of rows written before bits had names
// (the only target of that time: the audit trail, or the Dapr publisher).
inline constexpr std::string_view kLegacyOutboxTarget = "legacy:first-subscriber";

class OutboxStore : public Store {
 public:
  static std::unique_ptr<OutboxStore> make(Tx& tx);

  // The bit of the target `name`, allocated on first use (at most 31 targets ever). A write
  // unit. When `legacy_heir` is true and the legacy target still exists, `name` takes its bit
  // over (the rows written before bits had names were meant for it).
  virtual std::uint32_t target_bit(std::string_view name, bool legacy_heir) = 0;

  // Runs in the change's transaction; marks the transaction as one that wrote events (the
  // Database tells its commit listener, the relay, only about those: database.hpp).
  // A row whose address comes to no target (if_listening bits of a user who does not listen,
  // nothing else) is not written.
  void insert(const OutboxRow& row, const OutboxAddress& address) {
    if (address.none()) return;
    // A listeners-only bit is noted by the backend once it knows the row got it
    // (note_written): waking a target for rows it did not get cost PostgreSQL an empty read
    // transaction of the relay per commit (bench/RESULTS.md, issue 15).
    note_written(address.bits);
    insert_row(row, address);
  }
  // Up to `limit` rows whose mask has `bit`, in id order.
  virtual std::vector<OutboxRow> pending(std::uint32_t bit, int limit) = 0;
  // Clears `bit` on these rows and deletes the rows no target needs anymore.
  virtual void ack(std::uint32_t bit, const std::vector<std::int64_t>& ids) = 0;
  // Rows pending for any bit of `bits` (0 = any row at all).
  virtual OutboxStats stats(std::uint32_t bits) = 0;
  // The same for several bits at once (one scan where the backend can).
  virtual std::vector<OutboxStats> stats_many(const std::vector<std::uint32_t>& bits) = 0;
  // For several processes relaying one outbox (api replicas on PostgreSQL): up to `limit`
  // pending rows, in id order, of users that no other holder has claimed (or whose claim
  // expired); those users are then claimed by `holder` until `lease_until`. So one user's
  // events are relayed by one process at a time, in order. `holder`'s earlier claims end
  // first. A write unit.
  virtual std::vector<OutboxRow> claim(std::uint32_t bit, std::string_view holder, int limit,
                                       Millis now, Millis lease_until) = 0;
  // Ends `holder`'s claims and tells the other processes (PostgreSQL NOTIFY todo_outbox).
  virtual void release_claims(std::uint32_t bit, std::string_view holder) = 0;
  // For a local consumer that acknowledges in this same write unit (bus/outbox_relay.cpp):
  // up to `limit` pending rows of `bit`, in id order, skipping users another holder has an
  // unexpired claim on (claim() above). On PostgreSQL the transaction first takes the
  // target's lock (the one claim() takes), held until it ends: the units of several
  // processes for one target take turns, each sees the acknowledgements of the one before,
  // and no claim rows are written. The lock is only tried: nullopt when another transaction
  // holds it (ask again shortly) — waiting for it inside a group commit could close a cycle
  // with another process's batch holding a second target's lock. SQLite has one writer: the
  // rows, no lock.
  virtual std::optional<std::vector<OutboxRow>> take(std::uint32_t bit, int limit, Millis now) = 0;
  // Returns once every transaction that may have written outbox rows of `user_id` without
  // seeing a listen() committed before this call (OutboxAddress::if_listening) has ended: on
  // PostgreSQL it takes and drops the user's outbox lock, which such a transaction holds from
  // before its INSERT until it ends. SQLite has one writer: nothing to wait for. A read unit.
  // A live-update stream calls it after its listen() commits and before it answers: every
  // event committed after the answer is addressed to the stream's consumer.
  virtual void settle(std::string_view user_id) = 0;

 protected:
  virtual void insert_row(const OutboxRow& row, const OutboxAddress& address) = 0;
  // Tells the transaction that rows for these targets were written (Tx::events_written).
  void note_written(std::uint32_t bits) {
    if (tx_ && bits != 0) tx_->note_events_written(bits);
  }

 private:
  Tx* tx_ = nullptr;  // set by make()
};

namespace sqlite {
std::unique_ptr<OutboxStore> make_outbox_store(Handle& handle);
}
namespace postgres {
std::unique_ptr<OutboxStore> make_outbox_store(Handle& handle);
}
inline std::unique_ptr<OutboxStore> OutboxStore::make(Tx& tx) {
  auto store = tx.sqlite() ? sqlite::make_outbox_store(*tx.sqlite())
                           : postgres::make_outbox_store(*tx.postgres());
  store->tx_ = &tx;
  return store;
}

inline OutboxStore& outbox(Tx& tx) {
  return tx.get<OutboxStore>();
}

}  // namespace todo::storage
