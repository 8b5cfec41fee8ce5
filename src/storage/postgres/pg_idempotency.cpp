// PostgreSQL: Idempotency-Key replays (storage/idempotency_store.hpp).
#include "storage/idempotency_store.hpp"
#include "storage/postgres/pg_handle.hpp"

namespace todo::storage::postgres {
namespace {

constexpr const char* kFind =
    "SELECT fingerprint, status, body FROM idempotency_keys WHERE user_id = $1 AND key = $2";
// A concurrent transaction holding the same key makes this wait for it, then do nothing.
constexpr const char* kSave =
    "INSERT INTO idempotency_keys (user_id, key, fingerprint, status, body, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, key) DO NOTHING";
// Bounded batches keep the writer's transaction short.
constexpr const char* kPurgeKeys =
    "DELETE FROM idempotency_keys WHERE (user_id, key) IN (SELECT user_id, key "
    "FROM idempotency_keys WHERE created_at < $1 LIMIT 1000)";

constexpr const char* kRemoveAll = "DELETE FROM idempotency_keys WHERE user_id = $1";

class PgIdempotency final : public IdempotencyStore {
 public:
  explicit PgIdempotency(Handle& db) : db_(db) {}

  std::optional<IdempotentResponse> find(std::string_view user_id, std::string_view key) override {
    auto r = db_.exec(kFind, Params().add(user_id).add(key));
    if (r.empty()) return std::nullopt;
    return IdempotentResponse{r.text(0, 0), int(r.int64(0, 1)), r.text(0, 2)};
  }

  bool save(std::string_view user_id, std::string_view key, const IdempotentResponse& response,
            Millis now) override {
    Params p;
    p.add(user_id).add(key).add(response.request_fingerprint);
    p.add(std::int64_t(response.status)).add(response.body).add(now);
    return db_.exec(kSave, p).affected() == 1;
  }

  void purge(Millis older_than) override { db_.exec(kPurgeKeys, Params().add(older_than)); }

  void remove_all(std::string_view user_id) override {
    db_.exec(kRemoveAll, Params().add(user_id));
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<IdempotencyStore> make_idempotency_store(Handle& handle) {
  return std::make_unique<PgIdempotency>(handle);
}

}  // namespace todo::storage::postgres
