// SQLite: the transactional outbox (storage/outbox_store.hpp).
#include <set>

#include "storage/outbox_store.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kBitOf = "SELECT bit FROM outbox_consumers WHERE name = ?";
constexpr const char* kTakeLegacy = "UPDATE outbox_consumers SET name = ? WHERE name = ?";
constexpr const char* kBitsInUse = "SELECT bit FROM outbox_consumers";
constexpr const char* kAddTarget = "INSERT INTO outbox_consumers (name, bit) VALUES (?, ?)";
constexpr const char* kInsertRow =
    "INSERT INTO outbox (event_id, user_id, topic, payload, created_at, pending_mask) "
    "VALUES (?, ?, ?, ?, ?, ?)";
constexpr const char* kListenedSince =
    "SELECT 1 FROM stream_cursors WHERE user_id = ? AND listened_at >= ?";
constexpr const char* kPending =
    "SELECT id, event_id, user_id, topic, payload, created_at FROM outbox "
    "WHERE (pending_mask & ?) <> 0 ORDER BY id LIMIT ?";
// Rows only this target still needed go at once (the common case: written once, deleted
// once); the others just lose this target's bit; rows whose last bits were several of
// these at once (a multi-bit ack) go then too.
constexpr const char* kAckDeleteOnly =
    "DELETE FROM outbox WHERE pending_mask = ? AND id IN (SELECT value FROM json_each(?))";
constexpr const char* kAckClearBit =
    "UPDATE outbox SET pending_mask = pending_mask & ~? "
    "WHERE id IN (SELECT value FROM json_each(?))";
constexpr const char* kAckDeleteEmpty =
    "DELETE FROM outbox WHERE pending_mask = 0 AND id IN (SELECT value FROM json_each(?))";
constexpr const char* kEndClaims =
    "DELETE FROM outbox_claims WHERE subscriber_bit = ? AND (holder = ? OR expires_at < ?)";
constexpr const char* kUnclaimed =
    "SELECT id, event_id, user_id, topic, payload, created_at FROM outbox o "
    "WHERE (pending_mask & ?1) <> 0 AND NOT EXISTS (SELECT 1 FROM outbox_claims c "
    "WHERE c.subscriber_bit = ?1 AND c.user_id = o.user_id) ORDER BY id LIMIT ?2";
constexpr const char* kTake =
    "SELECT id, event_id, user_id, topic, payload, created_at FROM outbox o "
    "WHERE (pending_mask & ?1) <> 0 AND NOT EXISTS (SELECT 1 FROM outbox_claims c "
    "WHERE c.subscriber_bit = ?1 AND c.user_id = o.user_id AND c.expires_at >= ?3) "
    "ORDER BY id LIMIT ?2";
constexpr const char* kClaimUsers =
    "INSERT INTO outbox_claims (subscriber_bit, user_id, holder, expires_at) "
    "SELECT ?, value, ?, ? FROM json_each(?)";
constexpr const char* kReleaseClaims =
    "DELETE FROM outbox_claims WHERE subscriber_bit = ? AND holder = ?";
constexpr const char* kStats =
    "SELECT COUNT(*), MIN(created_at) FROM outbox "
    "WHERE (? = 0 AND pending_mask <> 0) OR (pending_mask & ?) <> 0";

std::vector<OutboxRow> read_rows(Statement& s) {
  std::vector<OutboxRow> rows;
  while (s.step())
    rows.push_back({s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.int64(5)});
  return rows;
}

class SqliteOutbox final : public OutboxStore {
 public:
  explicit SqliteOutbox(Handle& db) : db_(db) {}

  std::uint32_t target_bit(std::string_view name, bool legacy_heir) override {
    if (auto s = db_.prepare(kBitOf); s.bind(1, name).step()) return std::uint32_t(s.int64(0));
    if (legacy_heir) {
      db_.prepare(kTakeLegacy).bind(1, name).bind(2, kLegacyOutboxTarget).run();
      if (db_.changes() == 1) return target_bit(name, false);
    }
    std::uint32_t used = 0;
    for (auto s = db_.prepare(kBitsInUse); s.step();) used |= std::uint32_t(s.int64(0));
    for (std::uint32_t bit = 1; bit != 0 && bit <= (1u << 30); bit <<= 1) {
      if (used & bit) continue;
      db_.prepare(kAddTarget).bind(1, name).bind(2, std::int64_t(bit)).run();
      return bit;
    }
    throw std::logic_error("more than 31 outbox targets were ever registered");
  }

  void insert_row(const OutboxRow& row, const OutboxAddress& address) override {
    // One writer: a listen() committed before this transaction is seen, none commits during it.
    std::uint32_t pending_mask = address.bits;
    if (address.if_listening != 0 &&
        db_.prepare(kListenedSince).bind(1, row.user_id).bind(2, address.listened_since).step())
      pending_mask |= address.if_listening;
    if (pending_mask == 0) return;
    note_written(pending_mask & address.if_listening);
    db_.prepare(kInsertRow)
        .bind(1, row.event_id)
        .bind(2, row.user_id)
        .bind(3, row.topic)
        .bind(4, row.payload)
        .bind(5, row.created_at)
        .bind(6, std::int64_t(pending_mask))
        .run();
  }

  std::vector<OutboxRow> pending(std::uint32_t bit, int limit) override {
    auto s = db_.prepare(kPending);
    s.bind(1, std::int64_t(bit)).bind(2, std::int64_t(limit));
    return read_rows(s);
  }

  void ack(std::uint32_t bit, const std::vector<std::int64_t>& ids) override {
    if (ids.empty()) return;
    std::string list = json_array(ids);
    db_.prepare(kAckDeleteOnly).bind(1, std::int64_t(bit)).bind(2, list).run();
    db_.prepare(kAckClearBit).bind(1, std::int64_t(bit)).bind(2, list).run();
    db_.prepare(kAckDeleteEmpty).bind(1, list).run();
  }

  // The same claims as on PostgreSQL (pg_outbox.cpp), without the lock: SQLite has one
  // writer, so claim units never run concurrently.
  std::vector<OutboxRow> claim(std::uint32_t bit, std::string_view holder, int limit, Millis now,
                               Millis lease_until) override {
    db_.prepare(kEndClaims).bind(1, std::int64_t(bit)).bind(2, holder).bind(3, now).run();
    auto s = db_.prepare(kUnclaimed);
    s.bind(1, std::int64_t(bit)).bind(2, std::int64_t(limit));
    std::vector<OutboxRow> rows = read_rows(s);
    std::vector<std::string> users;
    std::set<std::string_view> seen;
    for (const auto& r : rows)
      if (seen.insert(r.user_id).second) users.push_back(r.user_id);
    db_.prepare(kClaimUsers)
        .bind(1, std::int64_t(bit))
        .bind(2, holder)
        .bind(3, lease_until)
        .bind(4, json_array(users))
        .run();
    return rows;
  }

  std::optional<std::vector<OutboxRow>> take(std::uint32_t bit, int limit, Millis now) override {
    auto s = db_.prepare(kTake);
    s.bind(1, std::int64_t(bit)).bind(2, std::int64_t(limit)).bind(3, now);
    return read_rows(s);
  }

  void settle(std::string_view) override {}

  void release_claims(std::uint32_t bit, std::string_view holder) override {
    db_.prepare(kReleaseClaims).bind(1, std::int64_t(bit)).bind(2, holder).run();
  }

  OutboxStats stats(std::uint32_t bit) override {
    auto s = db_.prepare(kStats);
    s.bind(1, std::int64_t(bit)).bind(2, std::int64_t(bit));
    OutboxStats stats;
    if (s.step()) {
      stats.pending = s.int64(0);
      stats.oldest_created_at = s.opt_int64(1);
    }
    return stats;
  }

  std::vector<OutboxStats> stats_many(const std::vector<std::uint32_t>& bits) override {
    std::vector<OutboxStats> out;
    out.reserve(bits.size());
    for (auto bit : bits) out.push_back(stats(bit));
    return out;
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<OutboxStore> make_outbox_store(Handle& handle) {
  return std::make_unique<SqliteOutbox>(handle);
}

}  // namespace todo::storage::sqlite
