#pragma once
// StreamHub: this process's open SSE streams, by user, and what feeds them.
//
// Each subscriber has a position (the seq of the last event it was sent). wake(user) — after
// a commit that appended to the user's log (in-process: StreamSignal; other processes:
// PostgreSQL NOTIFY todo_stream) — makes the hub read the user's rows after the LOWEST
// position of that user's subscribers (one read per user however many tabs, at most one in
// flight per user; wakes meanwhile coalesce into one more read) and push each subscriber the
// rows past its own position, as SSE messages (`id: seq`, `event: kind`, `data: payload`).
// Rows come in seq order, and seqs grow in commit order with no gaps
// (storage/stream_store.hpp), so nothing is missed or sent twice.
//
// Threads: every public method may be called from any thread. Reads run as Database read
// units (never on an I/O thread); their completion (a database thread) pushes to the streams
// (http::Stream::push never blocks). Pushes of one user happen in one completion at a time,
// so they keep seq order.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/stream.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"
#include "storage/stream_store.hpp"

namespace todo::stream {

// The SSE message of one row: "id: <seq>\nevent: <kind>\ndata: <payload>\n\n".
std::string row_message(const storage::StreamRow& row);

class StreamHub {
 public:
  // `read_batch`: rows per read (a subscriber far behind is fed in several reads, giving its
  // connection time to drain between them: one read is pushed as one chunk, which must fit
  // the stream's queue).
  StreamHub(storage::Database& db, ops::Metrics& metrics, int read_batch = 64);
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;
  ~StreamHub();

  // Feeds `stream` the user's rows after `position` from now on (a replay first, when the
  // log has rows past it), and drops it once it ends (its on_close).
  // `valid` (optional) is asked by sweep(): false ends the stream (its session ended).
  void subscribe(const std::string& user_id, const std::shared_ptr<http::Stream>& stream,
                 std::int64_t position, std::function<bool(Millis now)> valid = {});
  // Closes every stream whose `valid` says false now (the module's worker calls it every
  // second: a signed-out or expired session stops receiving within about a second).
  // Returns how many it closed.
  std::size_t sweep(Millis now);
  // The user's log has new committed rows.
  void wake(const std::string& user_id);
  // The same, with the rows themselves (seq order, contiguous: as the consumer appended them
  // in one committed transaction): subscribers standing just before them, with no read in
  // flight for the user, get them at once, without a database read; otherwise this is
  // wake(user_id).
  void offer(const std::string& user_id, std::vector<storage::StreamRow> rows);
  // Every user with a subscriber (after the LISTEN connection was re-established: NOTIFYs
  // may have been missed).
  void wake_all();
  // The users with an open subscriber here (the worker keeps them listening: touch()).
  std::vector<std::string> users() const;
  // Open subscribers (the todo_stream_open gauge, the --stream-max-open cap).
  std::size_t open() const;
  // Stops reading: later wakes do nothing (the module's stop, before the database stops).
  void stop();

 private:
  struct Subscriber {
    std::shared_ptr<http::Stream> stream;
    std::int64_t position = 0;
    Millis since = 0;  // subscribed at: older rows are a replay, not counted in the lag
    std::function<bool(Millis)> valid;
  };
  struct UserState {
    std::vector<Subscriber> subscribers;
    bool reading = false;  // a read is in flight: wakes set `dirty` instead
    bool dirty = false;
    // Which incarnation of the user's state a read belongs to: a read started before the
    // user's last subscriber left and completing after a new one came is ignored.
    std::uint64_t generation = 0;
  };
  // Life of the hub's state beyond the hub's (a read completing after destruction).
  struct Shared;

  static void unsubscribe(Shared& shared, const std::string& user_id, const http::Stream* stream);
  static void start_read(const std::shared_ptr<Shared>& shared, const std::string& user_id,
                         std::uint64_t generation, std::int64_t after);
  static void deliver(const std::shared_ptr<Shared>& shared, const std::string& user_id,
                      std::uint64_t generation, std::vector<storage::StreamRow> rows, bool ok);

  std::shared_ptr<Shared> shared_;
};

}  // namespace todo::stream
