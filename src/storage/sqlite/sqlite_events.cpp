// SQLite: the outbox and audit parts of the repository interface (storage/tx.hpp).
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "storage/sqlite/sqlite_tx.hpp"

namespace todo::storage::sqlite {
namespace {

// Id lists travel as one JSON array parameter (json_each), so the statement text and its
// cache entry do not depend on how many ids there are.
std::string json_ids(const std::vector<std::int64_t>& ids) {
  boost::json::array a;
  a.reserve(ids.size());
  for (auto id : ids) a.emplace_back(id);
  return boost::json::serialize(a);
}

AuditRecord read_audit(const Statement& s) {
  return AuditRecord{s.int64(0), s.text(1), s.text(2), s.text(3),
                     s.int64(4), s.text(5), s.int64(6)};
}

}  // namespace

void SqliteConnection::insert_outbox(const OutboxRow& row, std::uint32_t pending_mask) {
  db_.prepare(
         "INSERT INTO outbox (event_id, user_id, topic, payload, created_at, pending_mask) "
         "VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, row.event_id)
      .bind(2, row.user_id)
      .bind(3, row.topic)
      .bind(4, row.payload)
      .bind(5, row.created_at)
      .bind(6, std::int64_t(pending_mask))
      .run();
}

std::vector<OutboxRow> SqliteConnection::pending_outbox(std::uint32_t bit, int limit) {
  auto s = db_.prepare(
      "SELECT id, event_id, user_id, topic, payload, created_at FROM outbox "
      "WHERE (pending_mask & ?) <> 0 ORDER BY id LIMIT ?");
  s.bind(1, std::int64_t(bit)).bind(2, std::int64_t(limit));
  std::vector<OutboxRow> rows;
  while (s.step())
    rows.push_back({s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.int64(5)});
  return rows;
}

void SqliteConnection::ack_outbox(std::uint32_t bit, const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return;
  std::string list = json_ids(ids);
  // Rows only this subscriber still needed go at once (the common case: written once,
  // deleted once); the others just lose this subscriber's bit.
  db_.prepare(
         "DELETE FROM outbox WHERE pending_mask = ? AND id IN (SELECT value FROM json_each(?))")
      .bind(1, std::int64_t(bit))
      .bind(2, list)
      .run();
  db_.prepare(
         "UPDATE outbox SET pending_mask = pending_mask & ~? "
         "WHERE id IN (SELECT value FROM json_each(?))")
      .bind(1, std::int64_t(bit))
      .bind(2, list)
      .run();
  // Rows whose last bits were several of these at once (a multi-bit ack) go now too.
  db_.prepare(
         "DELETE FROM outbox WHERE pending_mask = 0 AND id IN (SELECT value FROM json_each(?))")
      .bind(1, list)
      .run();
}

// The same claims as on PostgreSQL (pg_events.cpp), without the lock: SQLite has one
// writer, so claim units never run concurrently.
std::vector<OutboxRow> SqliteConnection::claim_outbox(std::uint32_t bit, std::string_view holder,
                                                      int limit, Millis now, Millis lease_until) {
  db_.prepare(
         "DELETE FROM outbox_claims WHERE subscriber_bit = ? AND (holder = ? OR expires_at < ?)")
      .bind(1, std::int64_t(bit))
      .bind(2, holder)
      .bind(3, now)
      .run();
  auto s = db_.prepare(
      "SELECT id, event_id, user_id, topic, payload, created_at FROM outbox o "
      "WHERE (pending_mask & ?1) <> 0 AND NOT EXISTS (SELECT 1 FROM outbox_claims c "
      "WHERE c.subscriber_bit = ?1 AND c.user_id = o.user_id) ORDER BY id LIMIT ?2");
  s.bind(1, std::int64_t(bit)).bind(2, std::int64_t(limit));
  std::vector<OutboxRow> rows;
  while (s.step())
    rows.push_back({s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.int64(5)});
  boost::json::array users;
  std::set<std::string_view> seen;
  for (const auto& r : rows)
    if (seen.insert(r.user_id).second) users.emplace_back(r.user_id);
  db_.prepare(
         "INSERT INTO outbox_claims (subscriber_bit, user_id, holder, expires_at) "
         "SELECT ?, value, ?, ? FROM json_each(?)")
      .bind(1, std::int64_t(bit))
      .bind(2, holder)
      .bind(3, lease_until)
      .bind(4, boost::json::serialize(users))
      .run();
  return rows;
}

void SqliteConnection::release_outbox_claims(std::uint32_t bit, std::string_view holder) {
  db_.prepare("DELETE FROM outbox_claims WHERE subscriber_bit = ? AND holder = ?")
      .bind(1, std::int64_t(bit))
      .bind(2, holder)
      .run();
}

OutboxStats SqliteConnection::outbox_stats(std::uint32_t bit) {
  auto s = db_.prepare(
      "SELECT COUNT(*), MIN(created_at) FROM outbox "
      "WHERE (? = 0 AND pending_mask <> 0) OR (pending_mask & ?) <> 0");
  s.bind(1, std::int64_t(bit)).bind(2, std::int64_t(bit));
  OutboxStats stats;
  if (s.step()) {
    stats.pending = s.int64(0);
    stats.oldest_created_at = s.opt_int64(1);
  }
  return stats;
}

bool SqliteConnection::insert_audit(const AuditRecord& r) {
  db_.prepare(
         "INSERT INTO audit_log (event_id, event_type, user_id, task_id, event_data, timestamp) "
         "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING")
      .bind(1, r.event_id)
      .bind(2, r.event_type)
      .bind(3, r.user_id)
      .bind(4, r.task_id)
      .bind(5, r.event_data)
      .bind(6, r.timestamp)
      .run();
  return db_.changes() == 1;
}

AuditPage SqliteConnection::list_audit(std::string_view user_id, const AuditQuery& q) {
  if (q.limit < 1) return {};  // nothing asked for (the API never sends this)
  std::string sql =
      "SELECT id, event_id, event_type, user_id, task_id, event_data, timestamp FROM audit_log "
      "WHERE user_id = ?";
  if (!q.event_types.empty()) sql += " AND event_type IN (SELECT value FROM json_each(?))";
  if (q.task_id) sql += " AND task_id = ?";
  if (q.from) sql += " AND timestamp >= ?";
  if (q.to) sql += " AND timestamp < ?";
  if (q.before_id) sql += " AND id < ?";
  sql += " ORDER BY id DESC LIMIT ?";
  auto s = db_.prepare(sql);
  int i = 1;
  s.bind(i++, user_id);
  if (!q.event_types.empty()) {
    boost::json::array types;
    for (const auto& t : q.event_types) types.emplace_back(t);
    s.bind(i++, boost::json::serialize(types));
  }
  if (q.task_id) s.bind(i++, *q.task_id);
  if (q.from) s.bind(i++, *q.from);
  if (q.to) s.bind(i++, *q.to);
  if (q.before_id) s.bind(i++, *q.before_id);
  s.bind(i++, std::int64_t(q.limit) + 1);
  AuditPage page;
  while (s.step()) page.items.push_back(read_audit(s));
  if (page.items.size() > std::size_t(q.limit)) {
    page.items.pop_back();
    page.next_before_id = page.items.back().id;
  }
  return page;
}

int SqliteConnection::purge_audit(Millis older_than, int max_rows) {
  // Bounded batches: the single writer is never held for long.
  db_.prepare(
         "DELETE FROM audit_log WHERE id IN "
         "(SELECT id FROM audit_log WHERE timestamp < ? ORDER BY timestamp LIMIT ?)")
      .bind(1, older_than)
      .bind(2, std::int64_t(max_rows))
      .run();
  return db_.changes();
}

}  // namespace todo::storage::sqlite
