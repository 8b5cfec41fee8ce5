#include "stream/hub.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "core/time.hpp"
#include "http/sse.hpp"

namespace todo::stream {

std::string row_message(const storage::StreamRow& row) {
  return http::sse_message(std::to_string(row.seq), row.kind, row.payload);
}

struct StreamHub::Shared {
  Shared(storage::Database& d, ops::Metrics& m, int batch) : db(d), metrics(m), read_batch(batch) {}
  storage::Database& db;
  ops::Metrics& metrics;
  int read_batch;
  std::atomic<std::size_t> open{0};
  std::mutex mutex;
  std::unordered_map<std::string, UserState> users;
  bool stopped = false;
  std::uint64_t generations = 0;

  // The lowest position of the user's subscribers; caller holds mutex.
  static std::int64_t lowest(const UserState& state) {
    std::int64_t low = INT64_MAX;
    for (const auto& s : state.subscribers) low = std::min(low, s.position);
    return low;
  }
};

StreamHub::StreamHub(storage::Database& db, ops::Metrics& metrics, int read_batch)
    : shared_(std::make_shared<Shared>(db, metrics, read_batch)) {}

StreamHub::~StreamHub() {
  stop();
}

void StreamHub::stop() {
  std::lock_guard lock(shared_->mutex);
  shared_->stopped = true;
}

void StreamHub::subscribe(const std::string& user_id, const std::shared_ptr<http::Stream>& stream,
                          std::int64_t position, std::function<bool(Millis)> valid) {
  {
    std::lock_guard lock(shared_->mutex);
    auto& state = shared_->users[user_id];
    if (state.subscribers.empty()) state.generation = ++shared_->generations;
    state.subscribers.push_back({stream, position, now_millis(), std::move(valid)});
    ++shared_->open;
  }
  // Outside the lock: on a stream that has already ended the callback runs at once.
  stream->on_close([weak = std::weak_ptr<Shared>(shared_), user_id, raw = stream.get()] {
    if (auto shared = weak.lock()) unsubscribe(*shared, user_id, raw);
  });
  // The first read: a replay when the log has rows past `position`, and whatever committed
  // between the caller reading the position and this subscription.
  wake(user_id);
}

std::size_t StreamHub::open() const {
  return shared_->open.load();
}

void StreamHub::unsubscribe(Shared& shared, const std::string& user_id,
                            const http::Stream* stream) {
  std::lock_guard lock(shared.mutex);
  auto it = shared.users.find(user_id);
  if (it == shared.users.end()) return;
  auto& subs = it->second.subscribers;
  auto gone = std::remove_if(subs.begin(), subs.end(),
                             [stream](const Subscriber& s) { return s.stream.get() == stream; });
  shared.open -= std::size_t(subs.end() - gone);
  subs.erase(gone, subs.end());
  // A read in flight finds the user gone, or (resubscribed meanwhile) a fresh state.
  if (subs.empty()) shared.users.erase(it);
}

std::size_t StreamHub::sweep(Millis now) {
  std::vector<std::shared_ptr<http::Stream>> ended;
  {
    std::lock_guard lock(shared_->mutex);
    for (const auto& [user, state] : shared_->users)
      for (const auto& sub : state.subscribers)
        if (sub.valid && !sub.valid(now)) ended.push_back(sub.stream);
  }
  // Outside the lock: close() ends the stream, whose on_close unsubscribes it.
  for (const auto& stream : ended) stream->close();
  return ended.size();
}

void StreamHub::wake(const std::string& user_id) {
  std::int64_t after = 0;
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->stopped) return;
    auto it = shared_->users.find(user_id);
    if (it == shared_->users.end()) return;  // nobody of that user listens here
    auto& state = it->second;
    if (state.reading) {
      state.dirty = true;
      return;
    }
    state.reading = true;
    after = Shared::lowest(state);
    generation = state.generation;
  }
  start_read(shared_, user_id, generation, after);
}

void StreamHub::offer(const std::string& user_id, std::vector<storage::StreamRow> rows) {
  if (rows.empty()) return;
  bool behind = false;
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->stopped) return;
    auto it = shared_->users.find(user_id);
    if (it == shared_->users.end()) return;
    auto& state = it->second;
    // A read in flight pushes outside the lock: pushing here could overtake it.
    if (state.reading) {
      state.dirty = true;
      return;
    }
    std::string chunk;
    Millis now = now_millis();
    std::uint64_t sent = 0;
    for (auto& sub : state.subscribers) {
      if (sub.position >= rows.back().seq) continue;  // has them already
      if (sub.position != rows.front().seq - 1) {
        behind = true;  // a gap: it needs a read
        continue;
      }
      if (chunk.empty())
        for (const auto& row : rows) chunk += row_message(row);
      // Under the lock, so that pushes of one user keep seq order; push never blocks and
      // never runs callbacks on this thread (an overflow ends the stream on its I/O thread).
      if (sub.stream->push(chunk)) {
        sent += rows.size();
        for (const auto& row : rows)
          shared_->metrics.observe("todo_stream_lag_seconds", "",
                                   std::max<double>(0, double(now - row.created_at) / 1000.0));
      }
      sub.position = rows.back().seq;
    }
    if (sent) shared_->metrics.add("todo_stream_messages_total", "", sent);
  }
  if (behind) wake(user_id);
}

std::vector<std::string> StreamHub::users() const {
  std::vector<std::string> users;
  std::lock_guard lock(shared_->mutex);
  for (const auto& [user, state] : shared_->users)
    if (!state.subscribers.empty()) users.push_back(user);
  return users;
}

void StreamHub::wake_all() {
  for (const auto& user : users()) wake(user);
}

void StreamHub::start_read(const std::shared_ptr<Shared>& shared, const std::string& user_id,
                           std::uint64_t generation, std::int64_t after) {
  auto rows = std::make_shared<std::vector<storage::StreamRow>>();
  int limit = shared->read_batch;
  shared->db.read(
      [rows, user_id, after, limit](storage::Tx& tx) {
        *rows = storage::stream(tx).read_after(user_id, after, limit);
      },
      [shared, rows, user_id, generation](Status status) {
        if (!status.ok())
          log::warn("stream: reading the events of {} failed: {}", user_id, status.error().detail);
        deliver(shared, user_id, generation, std::move(*rows), status.ok());
      });
}

void StreamHub::deliver(const std::shared_ptr<Shared>& shared, const std::string& user_id,
                        std::uint64_t generation, std::vector<storage::StreamRow> rows, bool ok) {
  struct Push {
    std::shared_ptr<http::Stream> stream;
    std::size_t first;  // index of the first row it gets
    Millis since;
  };
  std::vector<Push> pushes;
  {
    std::lock_guard lock(shared->mutex);
    auto it = shared->users.find(user_id);
    if (it == shared->users.end() || it->second.generation != generation) return;
    for (auto& sub : it->second.subscribers) {
      auto first = std::upper_bound(
          rows.begin(), rows.end(), sub.position,
          [](std::int64_t pos, const storage::StreamRow& row) { return pos < row.seq; });
      if (first == rows.end()) continue;
      pushes.push_back({sub.stream, std::size_t(first - rows.begin()), sub.since});
      sub.position = rows.back().seq;
    }
  }
  // Outside the hub's lock (push never blocks, but a stream's end may call back into us).
  if (!pushes.empty()) {
    std::vector<std::string> messages;
    messages.reserve(rows.size());
    for (const auto& row : rows) messages.push_back(row_message(row));
    Millis now = now_millis();
    std::uint64_t sent = 0;
    for (const auto& push : pushes) {
      std::string chunk;  // one push per stream: one wake-up of its writer
      for (std::size_t i = push.first; i < rows.size(); ++i) chunk += messages[i];
      if (!push.stream->push(std::move(chunk))) continue;  // ended, or too slow: dropped
      for (std::size_t i = push.first; i < rows.size(); ++i, ++sent)
        if (rows[i].created_at >= push.since)  // live, not a replay
          shared->metrics.observe("todo_stream_lag_seconds", "",
                                  std::max<double>(0, double(now - rows[i].created_at) / 1000.0));
    }
    if (sent) shared->metrics.add("todo_stream_messages_total", "", sent);
  }
  bool more = ok && int(rows.size()) == shared->read_batch;
  std::int64_t after = 0;
  {
    std::lock_guard lock(shared->mutex);
    auto it = shared->users.find(user_id);
    if (it == shared->users.end() || it->second.generation != generation) return;
    auto& state = it->second;
    // A failed read is not retried here (the database may be down): the next wake reads.
    if (shared->stopped || !ok || !(state.dirty || more)) {
      state.reading = false;
      state.dirty = false;
      return;
    }
    state.dirty = false;
    after = Shared::lowest(state);
  }
  start_read(shared, user_id, generation, after);
}

}  // namespace todo::stream
