// PostgreSQL: the live-update log (storage/stream_store.hpp).
//
// Appends are buffered and written just before COMMIT (before_commit), as the outbox does:
// one round trip per statement per batch, and — the reason it matters here — the counter
// rows of every user of the batch are locked in ONE statement in user order, so two
// group-commit batches (each holding several users' appends) never wait on each other in a
// cycle. The same step NOTIFYs `todo_stream` once per user (PostgreSQL delivers it at
// COMMIT, and drops duplicates within a transaction).
#include <algorithm>
#include <map>

#include "storage/postgres/pg_handle.hpp"
#include "storage/stream_store.hpp"

namespace todo::storage::postgres {
namespace {

// Rows are fed in array order (WITH ORDINALITY ... ORDER BY): the users arrive sorted, so
// the row locks are taken in that order.
constexpr const char* kStreamBumpCursors =
    "INSERT INTO stream_cursors (user_id, last_seq) "
    "SELECT u, n FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS r(u, n, o) ORDER BY o "
    "ON CONFLICT (user_id) DO UPDATE SET last_seq = stream_cursors.last_seq + EXCLUDED.last_seq "
    "RETURNING user_id, last_seq";
constexpr const char* kStreamInsertEvents =
    "INSERT INTO stream_events (user_id, seq, kind, payload, created_at) "
    "SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[])";
constexpr const char* kStreamNotify =
    "SELECT pg_notify('todo_stream', u) FROM unnest($1::text[]) AS u";
constexpr const char* kStreamReadAfter =
    "SELECT seq, kind, payload, created_at FROM stream_events WHERE user_id = $1 AND seq > $2 "
    "ORDER BY seq LIMIT $3";
constexpr const char* kStreamPosition =
    "SELECT c.last_seq, (SELECT MIN(seq) FROM stream_events WHERE user_id = $1), c.resume_floor "
    "FROM (SELECT 1) AS one LEFT JOIN stream_cursors c ON c.user_id = $1";
// $1 user, $2 now, $3 lapsed_before. In an UPDATE's SET every column reads the old row.
constexpr const char* kStreamListen =
    "INSERT INTO stream_cursors AS c (user_id, last_seq, listened_at, resume_floor) "
    "VALUES ($1, 0, $2, 0) ON CONFLICT (user_id) DO UPDATE SET "
    "last_seq = CASE WHEN c.listened_at IS NULL OR c.listened_at < $3 THEN c.last_seq + 1 "
    "ELSE c.last_seq END, "
    "resume_floor = CASE WHEN c.listened_at IS NULL OR c.listened_at < $3 THEN c.last_seq + 1 "
    "ELSE c.resume_floor END, "
    "listened_at = $2";
constexpr const char* kStreamTouch =
    "UPDATE stream_cursors SET listened_at = $1 WHERE user_id = ANY($2::text[])";
constexpr const char* kStreamListeners =
    "SELECT user_id, listened_at FROM stream_cursors WHERE listened_at >= $1";
constexpr const char* kStreamListening =
    "SELECT user_id FROM stream_cursors WHERE user_id = ANY($1::text[]) AND listened_at >= $2";
constexpr const char* kStreamPrune =
    "DELETE FROM stream_events WHERE (user_id, seq) IN (SELECT user_id, seq FROM stream_events "
    "WHERE created_at < $1 LIMIT $2)";
constexpr const char* kStreamRemoveUserEvents = "DELETE FROM stream_events WHERE user_id = $1";
constexpr const char* kStreamRemoveUserCursor = "DELETE FROM stream_cursors WHERE user_id = $1";

struct PendingAppend {
  std::string user_id, kind, payload;
  Millis created_at;
};

class PgStream final : public StreamStore {
 public:
  explicit PgStream(Handle& db) : db_(db) {}

  void on_begin() override { buffer_.clear(); }
  void before_commit() override { flush(); }
  void on_rollback() noexcept override { buffer_.clear(); }

  std::optional<std::int64_t> append(std::string_view user_id, std::string_view kind,
                                     std::string_view payload, Millis now) override {
    buffer_.push_back({std::string(user_id), std::string(kind), std::string(payload), now});
    // Outside a transaction no commit would flush it: write it now, in autocommit.
    if (db_.transaction_status() == PQTRANS_IDLE) flush();
    return std::nullopt;  // drawn in flush(), in user order (see the top of this file)
  }

  std::vector<StreamRow> read_after(std::string_view user_id, std::int64_t after_seq,
                                    int limit) override {
    flush();  // a transaction sees its own appends
    auto r =
        db_.exec(kStreamReadAfter, Params().add(user_id).add(after_seq).add(std::int64_t(limit)));
    std::vector<StreamRow> rows;
    rows.reserve(r.size());
    for (int i = 0; i < r.size(); ++i)
      rows.push_back({r.int64(i, 0), r.text(i, 1), r.text(i, 2), r.int64(i, 3)});
    return rows;
  }

  StreamPosition position(std::string_view user_id) override {
    flush();
    auto r = db_.exec(kStreamPosition, Params().add(user_id));
    StreamPosition p;
    p.last_seq = r.opt_int64(0, 0).value_or(0);
    p.oldest_seq = r.opt_int64(0, 1);
    p.floor = r.opt_int64(0, 2).value_or(0);
    return p;
  }

  StreamPosition listen(std::string_view user_id, Millis now, Millis lapsed_before) override {
    flush();
    db_.exec(kStreamListen, Params().add(user_id).add(now).add(lapsed_before));
    return position(user_id);
  }

  void touch(const std::vector<std::string>& users, Millis now) override {
    if (users.empty()) return;
    db_.exec(kStreamTouch, Params().add(now).add_text_array(users));
  }

  std::vector<std::string> listening(const std::vector<std::string>& users, Millis since) override {
    std::vector<std::string> out;
    if (users.empty()) return out;
    auto r = db_.exec(kStreamListening, Params().add_text_array(users).add(since));
    out.reserve(r.size());
    for (int i = 0; i < r.size(); ++i) out.push_back(r.text(i, 0));
    return out;
  }

  std::int64_t prune(Millis before, int limit) override {
    return db_.exec(kStreamPrune, Params().add(before).add(std::int64_t(limit))).affected();
  }

  std::vector<std::pair<std::string, Millis>> listeners(Millis since) override {
    auto r = db_.exec(kStreamListeners, Params().add(since));
    std::vector<std::pair<std::string, Millis>> out;
    out.reserve(r.size());
    for (int i = 0; i < r.size(); ++i) out.emplace_back(r.text(i, 0), r.int64(i, 1));
    return out;
  }

  void remove_user(std::string_view user_id) override {
    flush();
    db_.exec(kStreamRemoveUserEvents, Params().add(user_id));
    db_.exec(kStreamRemoveUserCursor, Params().add(user_id));
  }

 private:
  void flush() {
    if (buffer_.empty()) return;
    std::vector<PendingAppend> rows = std::move(buffer_);
    buffer_.clear();
    std::map<std::string, std::int64_t> counts;  // sorted: the lock order
    for (const auto& row : rows) ++counts[row.user_id];
    std::vector<std::string> users;
    std::vector<std::int64_t> ns;
    for (const auto& [user, n] : counts) users.push_back(user), ns.push_back(n);
    auto bumped = db_.exec(kStreamBumpCursors, Params().add_text_array(users).add_bigint_array(ns));
    // The first seq of each user's rows in this batch: last_seq - n + 1, in append order.
    std::map<std::string, std::int64_t> next;
    for (int i = 0; i < bumped.size(); ++i) {
      std::string user = bumped.text(i, 0);
      next[user] = bumped.int64(i, 1) - counts[user] + 1;
    }
    std::vector<std::string> event_users, kinds, payloads;
    std::vector<std::int64_t> seqs, created;
    for (auto& row : rows) {
      seqs.push_back(next[row.user_id]++);
      event_users.push_back(std::move(row.user_id));
      kinds.push_back(std::move(row.kind));
      payloads.push_back(std::move(row.payload));
      created.push_back(row.created_at);
    }
    Params p;
    p.add_text_array(event_users).add_bigint_array(seqs).add_text_array(kinds);
    p.add_text_array(payloads).add_bigint_array(created);
    db_.exec(kStreamInsertEvents, p);
    db_.exec(kStreamNotify, Params().add_text_array(users));
  }

  Handle& db_;
  std::vector<PendingAppend> buffer_;
};

}  // namespace

std::unique_ptr<StreamStore> make_stream_store(Handle& handle) {
  return std::make_unique<PgStream>(handle);
}

}  // namespace todo::storage::postgres
