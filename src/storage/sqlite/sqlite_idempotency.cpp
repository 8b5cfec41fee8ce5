// SQLite: Idempotency-Key replays (storage/idempotency_store.hpp).
#include "storage/idempotency_store.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kFind =
    "SELECT fingerprint, status, body FROM idempotency_keys WHERE user_id = ? AND key = ?";
constexpr const char* kSave =
    "INSERT INTO idempotency_keys (user_id, key, fingerprint, status, body, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, key) DO NOTHING";
// Bounded batches keep the writer's transaction short.
constexpr const char* kPurgeKeys =
    "DELETE FROM idempotency_keys WHERE (user_id, key) IN (SELECT user_id, key "
    "FROM idempotency_keys WHERE created_at < ? LIMIT 1000)";

constexpr const char* kRemoveAll = "DELETE FROM idempotency_keys WHERE user_id = ?";

class SqliteIdempotency final : public IdempotencyStore {
 public:
  explicit SqliteIdempotency(Handle& db) : db_(db) {}

  std::optional<IdempotentResponse> find(std::string_view user_id, std::string_view key) override {
    auto s = db_.prepare(kFind);
    s.bind(1, user_id).bind(2, key);
    if (!s.step()) return std::nullopt;
    return IdempotentResponse{s.text(0), int(s.int64(1)), s.text(2)};
  }

  bool save(std::string_view user_id, std::string_view key, const IdempotentResponse& r,
            Millis now) override {
    auto s = db_.prepare(kSave);
    s.bind(1, user_id).bind(2, key).bind(3, r.request_fingerprint);
    s.bind(4, std::int64_t(r.status)).bind(5, r.body).bind(6, now).run();
    return db_.changes() == 1;
  }

  void purge(Millis older_than) override { db_.prepare(kPurgeKeys).bind(1, older_than).run(); }

  void remove_all(std::string_view user_id) override {
    db_.prepare(kRemoveAll).bind(1, user_id).run();
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<IdempotencyStore> make_idempotency_store(Handle& handle) {
  return std::make_unique<SqliteIdempotency>(handle);
}

}  // namespace todo::storage::sqlite
