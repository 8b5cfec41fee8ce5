// SQLite: the live-update log (storage/stream_store.hpp). One writer connection: the counter
// row is bumped and the event inserted at once, in the writer's transaction.
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/stream_store.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kStreamBumpCursor =
    "INSERT INTO stream_cursors (user_id, last_seq) VALUES (?, 1) ON CONFLICT (user_id) "
    "DO UPDATE SET last_seq = stream_cursors.last_seq + 1 RETURNING last_seq";
constexpr const char* kStreamInsertEvent =
    "INSERT INTO stream_events (user_id, seq, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)";
constexpr const char* kStreamReadAfter =
    "SELECT seq, kind, payload, created_at FROM stream_events WHERE user_id = ? AND seq > ? "
    "ORDER BY seq LIMIT ?";
constexpr const char* kStreamLastSeq =
    "SELECT last_seq, resume_floor FROM stream_cursors WHERE user_id = ?";
// ?1 user, ?2 now, ?3 lapsed_before. In an UPDATE's SET every column reads the old row.
constexpr const char* kStreamListen =
    "INSERT INTO stream_cursors (user_id, last_seq, listened_at, resume_floor) "
    "VALUES (?1, 0, ?2, 0) ON CONFLICT (user_id) DO UPDATE SET "
    "last_seq = CASE WHEN stream_cursors.listened_at IS NULL OR stream_cursors.listened_at < ?3 "
    "THEN stream_cursors.last_seq + 1 ELSE stream_cursors.last_seq END, "
    "resume_floor = CASE WHEN stream_cursors.listened_at IS NULL OR stream_cursors.listened_at < "
    "?3 THEN stream_cursors.last_seq + 1 ELSE stream_cursors.resume_floor END, "
    "listened_at = ?2";
constexpr const char* kStreamTouch =
    "UPDATE stream_cursors SET listened_at = ? WHERE user_id IN (SELECT value FROM json_each(?))";
constexpr const char* kStreamListeners =
    "SELECT user_id, listened_at FROM stream_cursors WHERE listened_at >= ?";
constexpr const char* kStreamListening =
    "SELECT user_id FROM stream_cursors WHERE user_id IN (SELECT value FROM json_each(?)) "
    "AND listened_at >= ?";
constexpr const char* kStreamOldestSeq = "SELECT MIN(seq) FROM stream_events WHERE user_id = ?";
constexpr const char* kStreamPrune =
    "DELETE FROM stream_events WHERE (user_id, seq) IN (SELECT user_id, seq FROM stream_events "
    "WHERE created_at < ? LIMIT ?)";
constexpr const char* kStreamRemoveUserEvents = "DELETE FROM stream_events WHERE user_id = ?";
constexpr const char* kStreamRemoveUserCursor = "DELETE FROM stream_cursors WHERE user_id = ?";

class SqliteStream final : public StreamStore {
 public:
  explicit SqliteStream(Handle& db) : db_(db) {}

  std::optional<std::int64_t> append(std::string_view user_id, std::string_view kind,
                                     std::string_view payload, Millis now) override {
    auto bump = db_.prepare(kStreamBumpCursor);
    bump.bind(1, user_id);
    if (!bump.step()) throw DbError("stream_cursors: no seq returned");
    std::int64_t seq = bump.int64(0);
    bump.run();  // finish the statement before the next one
    db_.prepare(kStreamInsertEvent)
        .bind(1, user_id)
        .bind(2, seq)
        .bind(3, kind)
        .bind(4, payload)
        .bind(5, now)
        .run();
    return seq;
  }

  std::vector<StreamRow> read_after(std::string_view user_id, std::int64_t after_seq,
                                    int limit) override {
    auto s = db_.prepare(kStreamReadAfter);
    s.bind(1, user_id).bind(2, after_seq).bind(3, std::int64_t(limit));
    std::vector<StreamRow> rows;
    while (s.step()) rows.push_back({s.int64(0), s.text(1), s.text(2), s.int64(3)});
    return rows;
  }

  StreamPosition position(std::string_view user_id) override {
    StreamPosition p;
    auto last = db_.prepare(kStreamLastSeq);
    last.bind(1, user_id);
    if (last.step()) {
      p.last_seq = last.int64(0);
      p.floor = last.int64(1);
    }
    auto oldest = db_.prepare(kStreamOldestSeq);
    oldest.bind(1, user_id);
    if (oldest.step()) p.oldest_seq = oldest.opt_int64(0);
    return p;
  }

  std::int64_t prune(Millis before, int limit) override {
    db_.prepare(kStreamPrune).bind(1, before).bind(2, std::int64_t(limit)).run();
    return db_.changes();
  }

  StreamPosition listen(std::string_view user_id, Millis now, Millis lapsed_before) override {
    db_.prepare(kStreamListen).bind(1, user_id).bind(2, now).bind(3, lapsed_before).run();
    return position(user_id);
  }

  void touch(const std::vector<std::string>& users, Millis now) override {
    if (users.empty()) return;
    db_.prepare(kStreamTouch).bind(1, now).bind(2, json_array(users)).run();
  }

  std::vector<std::string> listening(const std::vector<std::string>& users, Millis since) override {
    std::vector<std::string> out;
    if (users.empty()) return out;
    auto s = db_.prepare(kStreamListening);
    s.bind(1, json_array(users)).bind(2, since);
    while (s.step()) out.push_back(s.text(0));
    return out;
  }

  std::vector<std::pair<std::string, Millis>> listeners(Millis since) override {
    std::vector<std::pair<std::string, Millis>> out;
    auto s = db_.prepare(kStreamListeners);
    s.bind(1, since);
    while (s.step()) out.emplace_back(s.text(0), s.int64(1));
    return out;
  }

  void remove_user(std::string_view user_id) override {
    db_.prepare(kStreamRemoveUserEvents).bind(1, user_id).run();
    db_.prepare(kStreamRemoveUserCursor).bind(1, user_id).run();
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<StreamStore> make_stream_store(Handle& handle) {
  return std::make_unique<SqliteStream>(handle);
}

}  // namespace todo::storage::sqlite
