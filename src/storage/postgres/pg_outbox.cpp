// PostgreSQL: the transactional outbox (storage/outbox_store.hpp). Same semantics as
// sqlite_outbox.cpp.
#include <algorithm>
#include <set>

#include "storage/outbox_store.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/postgres/pg_outbox.hpp"

namespace todo::storage::postgres {

std::int64_t outbox_user_lock_key(std::string_view user_id) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : user_id) h = (h ^ c) * 1099511628211ull;
  return std::int64_t(h);
}

namespace {

// The rows of a SELECT id, event_id, user_id, topic, payload, created_at FROM outbox.
std::vector<OutboxRow> outbox_rows(const Rows& r) {
  std::vector<OutboxRow> rows;
  rows.reserve(std::size_t(r.size()));
  for (int i = 0; i < r.size(); ++i)
    rows.push_back(
        {r.int64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.int64(i, 5)});
  return rows;
}

// Target bits are allocated under this transaction-scoped advisory lock, so that processes
// starting together never hand out one bit twice.
constexpr const char* kTargetLock = "SELECT pg_advisory_xact_lock(7377285226040508415)";

// Outbox rows are buffered and written with one multi-row INSERT just before COMMIT
// (before_commit): one round trip per batch instead of one per event keeps group commit
// fast. Their ids still follow this writer's commit order. Semantics stay SQLite's: the
// readers flush first (a transaction sees its own rows), outside a transaction a row is
// written at once, and a rolled-back transaction's buffer is dropped.
class PgOutbox final : public OutboxStore {
 public:
  explicit PgOutbox(Handle& db) : db_(db) {}

  void on_begin() override { buffer_.clear(); }
  void before_commit() override { flush(); }
  void on_rollback() noexcept override { buffer_.clear(); }

  std::uint32_t target_bit(std::string_view name, bool legacy_heir) override {
    db_.exec(kTargetLock);
    auto found = db_.exec("SELECT bit FROM outbox_consumers WHERE name = $1", Params().add(name));
    if (!found.empty()) return std::uint32_t(found.int64(0, 0));
    if (legacy_heir && db_.exec("UPDATE outbox_consumers SET name = $1 WHERE name = $2",
                                Params().add(name).add(kLegacyOutboxTarget))
                               .affected() == 1)
      return target_bit(name, false);
    std::uint32_t used = 0;
    auto all = db_.exec("SELECT bit FROM outbox_consumers");
    for (int i = 0; i < all.size(); ++i) used |= std::uint32_t(all.int64(i, 0));
    for (std::uint32_t bit = 1; bit != 0 && bit <= (1u << 30); bit <<= 1) {
      if (used & bit) continue;
      db_.exec("INSERT INTO outbox_consumers (name, bit) VALUES ($1, $2)",
               Params().add(name).add(std::int64_t(bit)));
      return bit;
    }
    throw std::logic_error("more than 31 outbox targets were ever registered");
  }

  void insert_row(const OutboxRow& row, const OutboxAddress& address) override {
    buffer_.emplace_back(row, address);  // written by flush(), see the class comment
    // Outside a transaction (a unit on a reader connection) no commit() would ever flush it:
    // write it now, in autocommit, as SQLite does.
    if (db_.transaction_status() == PQTRANS_IDLE) flush();
  }

  void flush() {
    if (buffer_.empty()) return;
    std::vector<std::string> event_ids, users, topics, payloads;
    std::vector<std::int64_t> created, masks, lock_keys, gated, since;
    bool any_gated = false;
    std::uint32_t gated_bits = 0;
    for (const auto& [row, address] : buffer_) {
      lock_keys.push_back(outbox_user_lock_key(row.user_id));
      event_ids.push_back(row.event_id);
      users.push_back(row.user_id);
      topics.push_back(row.topic);
      payloads.push_back(row.payload);
      created.push_back(row.created_at);
      masks.push_back(address.bits);
      gated.push_back(address.if_listening);
      since.push_back(address.listened_since);
      any_gated = any_gated || address.if_listening != 0;
      gated_bits |= address.if_listening;
    }
    buffer_.clear();
    // One user's events must get outbox ids in commit order (the relay delivers by id), yet
    // one user's writes may commit on several writer connections, or in several api
    // replicas. So the ids are drawn under a per-user lock held until COMMIT: a later
    // transaction of the same user draws its ids after this one committed. The locks are
    // taken in key order (unnest keeps array order), so two batches never wait on each
    // other in a cycle.
    std::sort(lock_keys.begin(), lock_keys.end());
    lock_keys.erase(std::unique(lock_keys.begin(), lock_keys.end()), lock_keys.end());
    db_.exec("SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k",
             Params().add_bigint_array(lock_keys));
    Params p;
    p.add_text_array(event_ids).add_text_array(users).add_text_array(topics);
    p.add_text_array(payloads).add_bigint_array(created).add_integer_array(masks);
    // Ids must follow the order the events were written in (one user's commit order): the
    // rows are fed to the INSERT sorted by their array position, not in whatever order
    // unnest happens to produce.
    if (!any_gated) {
      db_.exec(
          "INSERT INTO outbox (event_id, user_id, topic, payload, created_at, pending_mask) "
          "SELECT e, u, t, p, c, m FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
          "$5::bigint[], $6::integer[]) WITH ORDINALITY AS r(e, u, t, p, c, m, n) ORDER BY n",
          p);
      return;
    }
    // Bits for listeners only (OutboxAddress): added where the user's listened_at is recent
    // enough. This statement runs after the user locks above, so it sees every listen()
    // that committed before it could take them; one that commits later waits in
    // settle() for this transaction to end. A row left with no bit is not written.
    // It answers the union of the written rows' bits: the listeners-only targets are told of
    // this commit only when a row got their bit.
    p.add_integer_array(gated).add_bigint_array(since);
    auto r = db_.exec(
        "WITH written AS (INSERT INTO outbox (event_id, user_id, topic, payload, created_at, "
        "pending_mask) "
        "SELECT e, u, t, p, c, m FROM (SELECT e, u, t, p, c, n, m | CASE WHEN g <> 0 AND "
        "EXISTS (SELECT 1 FROM stream_cursors s WHERE s.user_id = u AND s.listened_at >= l) "
        "THEN g ELSE 0 END AS m FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
        "$5::bigint[], $6::integer[], $7::integer[], $8::bigint[]) WITH ORDINALITY "
        "AS r(e, u, t, p, c, m, g, l, n)) AS addressed WHERE m <> 0 ORDER BY n "
        "RETURNING pending_mask) SELECT COALESCE(bit_or(pending_mask), 0) FROM written",
        p);
    note_written(std::uint32_t(r.int64(0, 0)) & gated_bits);
  }

  std::vector<OutboxRow> pending(std::uint32_t bit, int limit) override {
    flush();
    auto r = db_.exec(
        "SELECT id, event_id, user_id, topic, payload, created_at FROM outbox "
        "WHERE (pending_mask & $1) <> 0 ORDER BY id LIMIT $2",
        Params().add(std::int64_t(bit)).add(std::int64_t(limit)));
    return outbox_rows(r);
  }

  void ack(std::uint32_t bit, const std::vector<std::int64_t>& ids) override {
    // No flush here: buffered rows have no ids yet, so none can be acknowledged. Flushing
    // would also take user locks in the middle of a group-commit batch (the relay's ack
    // shares batches with task writes) and a second flush at COMMIT would take more, out
    // of key order across the two: a deadlock with another writer.
    if (ids.empty()) return;
    // Rows only this subscriber still needed go at once: one DELETE in the common case (the
    // distributed api role has one subscriber; an UPDATE first cost a dead row version per
    // event). The others lose this bit, and rows left with no bit go. Two subscribers
    // acknowledging one row on two writers cannot leave it behind: a statement that finds
    // the row locked by the other's UPDATE waits and re-checks it once that commits.
    db_.exec("DELETE FROM outbox WHERE pending_mask = $1 AND id = ANY($2::bigint[])",
             Params().add(std::int64_t(bit)).add_bigint_array(ids));
    db_.exec(
        "UPDATE outbox SET pending_mask = pending_mask & ~($1::integer) "
        "WHERE id = ANY($2::bigint[]) AND (pending_mask & $1::integer) <> 0",
        Params().add(std::int64_t(bit)).add_bigint_array(ids));
    db_.exec("DELETE FROM outbox WHERE pending_mask = 0 AND id = ANY($1::bigint[])",
             Params().add_bigint_array(ids));
  }

  std::vector<OutboxRow> claim(std::uint32_t bit, std::string_view holder, int limit, Millis now,
                               Millis lease_until) override {
    // No flush(): rows this transaction buffered are not committed and must not be
    // claimed (or published) yet; and a mid-batch flush takes user locks out of order.
    // Claim units of all processes take turns (they are short): two of them could otherwise
    // both see a user unclaimed and both claim it. The key is one per subscriber bit.
    db_.exec("SELECT pg_advisory_xact_lock(7377285226040508416 + $1::bigint)",
             Params().add(std::int64_t(bit)));
    // Claims end: this holder's earlier ones and expired ones.
    db_.exec(
        "DELETE FROM outbox_claims WHERE subscriber_bit = $1 AND (holder = $2 OR expires_at < $3)",
        Params().add(std::int64_t(bit)).add(holder).add(now));
    // The users held by others, marked `contended`: their holder's release_claims then wakes
    // us (NOTIFY), as we skip their rows now. Marking and reading in one statement leaves no
    // gap: a claim released before this UPDATE is not in the list (its rows are ours to take
    // below), one released after it sees the mark (the release waits for our row locks).
    auto held = db_.exec(
        "UPDATE outbox_claims SET contended = true WHERE subscriber_bit = $1 AND holder <> $2 "
        "RETURNING user_id, holder",
        Params().add(std::int64_t(bit)).add(holder));
    std::vector<std::string> held_users;
    held_users.reserve(std::size_t(held.size()));
    for (int i = 0; i < held.size(); ++i) held_users.push_back(held.text(i, 0));
    if (!held_users.empty()) {
      // Claims of a holder none of whose sessions is left (a killed process) end at once: its
      // users need not wait for the lease. The holder is its process's application_name
      // (PostgresOptions::session_name): a transaction of the killed process may still commit
      // on one of its sessions after another one is gone, and its user must not be relayed
      // by someone else meanwhile (order). Only asked when others hold claims: reading
      // pg_stat_activity on every claim cost a single process a measurable share of its
      // create throughput.
      auto gone = db_.exec(
          "DELETE FROM outbox_claims WHERE subscriber_bit = $1 AND holder <> $2 "
          "AND holder NOT IN (SELECT application_name FROM pg_stat_activity "
          "WHERE application_name IS NOT NULL) RETURNING user_id",
          Params().add(std::int64_t(bit)).add(holder));
      std::set<std::string> freed;
      for (int i = 0; i < gone.size(); ++i) freed.insert(gone.text(i, 0));
      std::erase_if(held_users, [&](const std::string& u) { return freed.count(u) > 0; });
    }
    // The oldest pending rows of everyone else. Written as "user_id <> ALL(list)" rather than
    // an anti-join so that PostgreSQL walks the primary key in id order and stops at `limit`:
    // with a large backlog (a sidecar outage) an anti-join plan sorted the whole outbox on
    // every claim. No row locks: the user claims (serialised by the advisory lock above)
    // already keep two holders off one user's rows, and a row another target is
    // acknowledging right now is locked by that target's transaction while it is still
    // pending for this one: skipping it (SKIP LOCKED, as this once did) delivered that
    // user's later events first.
    auto r = db_.exec(
        "SELECT id, event_id, user_id, topic, payload, created_at FROM outbox "
        "WHERE (pending_mask & $1) <> 0 AND user_id <> ALL($3::text[]) "
        "ORDER BY id LIMIT $2",
        Params().add(std::int64_t(bit)).add(std::int64_t(limit)).add_text_array(held_users));
    std::vector<OutboxRow> rows = outbox_rows(r);
    std::vector<std::string> users;
    std::set<std::string_view> seen;
    for (const auto& row : rows)
      if (seen.insert(row.user_id).second) users.push_back(row.user_id);
    if (!users.empty())
      db_.exec(
          "INSERT INTO outbox_claims (subscriber_bit, user_id, holder, holder_pid, expires_at) "
          "SELECT $1, u, $2, pg_backend_pid(), $3 FROM unnest($4::text[]) AS u",
          Params().add(std::int64_t(bit)).add(holder).add(lease_until).add_text_array(users));
    return rows;
  }

  std::optional<std::vector<OutboxRow>> take(std::uint32_t bit, int limit, Millis now) override {
    // No flush(), as in claim(): rows this transaction buffered are not committed yet.
    auto locked = db_.exec("SELECT pg_try_advisory_xact_lock(7377285226040508416 + $1::bigint)",
                           Params().add(std::int64_t(bit)));
    if (locked.text(0, 0) != "t") return std::nullopt;
    // Users claimed by a process that claims this target (an older version during a rolling
    // upgrade) are theirs until the claim lapses. The list is read once (an InitPlan), so
    // the plan still walks the primary key in id order and stops at `limit` (see claim()).
    auto r = db_.exec(
        "SELECT id, event_id, user_id, topic, payload, created_at FROM outbox "
        "WHERE (pending_mask & $1) <> 0 AND user_id <> ALL(ARRAY(SELECT user_id FROM "
        "outbox_claims WHERE subscriber_bit = $1 AND expires_at >= $3)) ORDER BY id LIMIT $2",
        Params().add(std::int64_t(bit)).add(std::int64_t(limit)).add(now));
    return outbox_rows(r);
  }

  void settle(std::string_view user_id) override {
    // Waits for the holder of the user's lock (a transaction between its outbox INSERT and its
    // end), then drops it: in a read unit's transaction it ends with that at once.
    db_.exec("SELECT pg_advisory_xact_lock($1::bigint)",
             Params().add(outbox_user_lock_key(user_id)));
  }

  void release_claims(std::uint32_t bit, std::string_view holder) override {
    // Other processes that skipped these users' newer events (they marked the claims
    // contended) are woken: NOTIFY todo_outbox with the target's bit. Only then: a NOTIFY
    // serialises commits on PostgreSQL's notification queue, and a single process relaying
    // alone has nobody to tell.
    auto r = db_.exec(
        "WITH released AS (DELETE FROM outbox_claims WHERE subscriber_bit = $1 AND holder = $2 "
        "RETURNING contended) SELECT count(*) FROM released WHERE contended",
        Params().add(std::int64_t(bit)).add(holder));
    if (r.int64(0, 0) > 0)
      db_.exec("SELECT pg_notify('todo_outbox', $1)", Params().add(std::to_string(bit)));
  }

  OutboxStats stats(std::uint32_t bit) override { return stats_many({bit}).front(); }

  std::vector<OutboxStats> stats_many(const std::vector<std::uint32_t>& bits) override {
    std::vector<OutboxStats> out(bits.size());
    if (bits.empty()) return out;
    flush();
    // One scan of the pending rows, a COUNT and a MIN per bit (the bits are our own small
    // integers, written into the statement).
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < bits.size(); ++i) {
      std::string where = bits[i] == 0 ? "pending_mask <> 0"
                                       : "(pending_mask & " + std::to_string(bits[i]) + ") <> 0";
      if (i) sql += ", ";
      sql += "COUNT(*) FILTER (WHERE ";
      sql += where;
      sql += "), MIN(created_at) FILTER (WHERE ";
      sql += where;
      sql += ")";
    }
    sql += " FROM outbox WHERE pending_mask <> 0";
    auto r = db_.exec(sql, Params());
    for (std::size_t i = 0; i < bits.size() && !r.empty(); ++i) {
      out[i].pending = r.int64(0, int(2 * i));
      out[i].oldest_created_at = r.opt_int64(0, int(2 * i + 1));
    }
    return out;
  }

 private:
  Handle& db_;
  std::vector<std::pair<OutboxRow, OutboxAddress>> buffer_;
};

}  // namespace

std::unique_ptr<OutboxStore> make_outbox_store(Handle& handle) {
  return std::make_unique<PgOutbox>(handle);
}

}  // namespace todo::storage::postgres
