#pragma once
// The live-update log (tables `stream_events`, `stream_cursors`, migration 010): per user, the
// events the SSE stream (src/stream) sends, numbered by `seq`, the SSE `id`. SQL:
// storage/sqlite/sqlite_stream.cpp, storage/postgres/pg_stream.cpp.
//
// Ordering: append() bumps the user's counter row (`UPDATE stream_cursors SET last_seq =
// last_seq + 1 ... RETURNING`, the row inserted when missing) and inserts the event, in the
// writer's transaction. The counter's row lock serialises one user's appends until COMMIT,
// so a user's seqs grow in commit order with no gaps: a reader that has seen seq N and
// reads `seq > N` later misses nothing. On PostgreSQL the appends of a transaction are
// buffered and written just before COMMIT (before_commit), the counter rows locked in
// user order, so two group-commit batches never wait on each other in a cycle; the same
// step sends `NOTIFY todo_stream, '<user_id>'` for every user appended to, which every
// process's LISTEN connection receives once the transaction committed.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

// The PostgreSQL NOTIFY channel of appends; the payload is the user id.
inline constexpr std::string_view kStreamChannel = "todo_stream";

struct StreamRow {
  std::int64_t seq = 0;
  std::string kind;     // the SSE `event`: "task", "notification", "notifications"
  std::string payload;  // the SSE `data`: JSON
  Millis created_at = 0;
};

// Where a user's log stands: last_seq is 0 when nothing was ever appended; oldest_seq is the
// first retained row (nullopt: none retained); a position below `floor` cannot resume (task
// events of a time the user was not listening were not appended: see listen()).
struct StreamPosition {
  std::int64_t last_seq = 0;
  std::optional<std::int64_t> oldest_seq;
  std::int64_t floor = 0;
};

class StreamStore : public Store {
 public:
  static std::unique_ptr<StreamStore> make(Tx& tx);

  // Appends one event for `user_id` in this (write) transaction. `payload` must be JSON (it
  // is sent as is). Its seq is drawn as the header says: at once on SQLite (returned: the
  // caller may hand the committed row to the hub without reading it back), just before
  // COMMIT on PostgreSQL (nullopt).
  virtual std::optional<std::int64_t> append(std::string_view user_id, std::string_view kind,
                                             std::string_view payload, Millis now) = 0;
  // Up to `limit` of the user's rows with seq > after_seq, in seq order.
  virtual std::vector<StreamRow> read_after(std::string_view user_id, std::int64_t after_seq,
                                            int limit) = 0;
  virtual StreamPosition position(std::string_view user_id) = 0;
  // Deletes up to `limit` rows (any user) created before `before`; returns how many.
  virtual std::int64_t prune(Millis before, int limit) = 0;
  // Listening (migration 017). The stream consumer appends a user's task events only while
  // the user listens: listened_at (set here when a stream opens, refreshed by touch() while
  // it stays open) no older than the listening window. listen() marks the user listening at
  // `now` in this write transaction and returns the position after it. When the user was
  // not listening since `lapsed_before` (never, or listened_at older: events may have been
  // skipped meanwhile), it first bumps last_seq by one — a seq no row has — and sets the
  // floor there, so a Last-Event-ID from before the gap gets a reset instead of a replay
  // that silently lacks them. Callers pass `lapsed_before` later than the consumer's own
  // cutoff (a margin for clocks), so a gap is never missed.
  virtual StreamPosition listen(std::string_view user_id, Millis now, Millis lapsed_before) = 0;
  // Refreshes listened_at to `now` for `users` that have a counter row (open streams).
  virtual void touch(const std::vector<std::string>& users, Millis now) = 0;
  // The users among `users` whose listened_at >= `since`, in any order. Read in the
  // consumer's transaction: a listen() committed before it is seen.
  virtual std::vector<std::string> listening(const std::vector<std::string>& users,
                                             Millis since) = 0;
  // Every user whose listened_at >= `since`, with it (stream/listening_users.hpp loads them).
  virtual std::vector<std::pair<std::string, Millis>> listeners(Millis since) = 0;
  // The user's rows and counter (account deletion, storage/user_data.cpp).
  virtual void remove_user(std::string_view user_id) = 0;
};

namespace sqlite {
std::unique_ptr<StreamStore> make_stream_store(Handle& handle);
}
namespace postgres {
std::unique_ptr<StreamStore> make_stream_store(Handle& handle);
}
inline std::unique_ptr<StreamStore> StreamStore::make(Tx& tx) {
  return tx.sqlite() ? sqlite::make_stream_store(*tx.sqlite())
                     : postgres::make_stream_store(*tx.postgres());
}

inline StreamStore& stream(Tx& tx) {
  return tx.get<StreamStore>();
}

// How code that appended to a user's stream log says so once its transaction COMMITTED, so
// that this process's open streams of that user are fed at once (other processes learn it
// from the NOTIFY above; on SQLite there is only this process). Listeners are added while
// the modules are built (the stream module adds its hub); afterwards the object is
// read-only and appended() may be called from any thread. Without listeners (a role
// without the stream module) it does nothing.
class StreamSignal {
 public:
  using Listener = std::function<void(const std::string& user_id)>;
  void listen(Listener listener) { listeners_.push_back(std::move(listener)); }
  void appended(const std::string& user_id) const {
    for (const auto& listener : listeners_) listener(user_id);
  }

 private:
  std::vector<Listener> listeners_;
};

}  // namespace todo::storage
