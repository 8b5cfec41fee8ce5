#pragma once
// Idempotency-Key replays (table `idempotency_keys`, kept 24 h).
// SQL: storage/sqlite/sqlite_idempotency.cpp, storage/postgres/pg_idempotency.cpp.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

// A response remembered for an Idempotency-Key (user, key).
struct IdempotentResponse {
  std::string request_fingerprint;  // hash of method + path + body: reuse with another is a 409
  int status = 0;
  std::string body;
};

class IdempotencyStore : public Store {
 public:
  static std::unique_ptr<IdempotencyStore> make(Tx& tx);
  virtual std::optional<IdempotentResponse> find(std::string_view user_id,
                                                 std::string_view key) = 0;
  // False when another transaction stored this key first (the caller must not keep its own
  // result: it retries and replays the stored response).
  virtual bool save(std::string_view user_id, std::string_view key,
                    const IdempotentResponse& response, Millis now) = 0;
  // Removes up to 1 000 keys stored before `older_than` (bounded: the writer is not held).
  virtual void purge(Millis older_than) = 0;
  // Forgets every key of the user (account deletion).
  virtual void remove_all(std::string_view user_id) = 0;
};

namespace sqlite {
std::unique_ptr<IdempotencyStore> make_idempotency_store(Handle& handle);
}
namespace postgres {
std::unique_ptr<IdempotencyStore> make_idempotency_store(Handle& handle);
}
inline std::unique_ptr<IdempotencyStore> IdempotencyStore::make(Tx& tx) {
  return tx.sqlite() ? sqlite::make_idempotency_store(*tx.sqlite())
                     : postgres::make_idempotency_store(*tx.postgres());
}

inline IdempotencyStore& idempotency_keys(Tx& tx) {
  return tx.get<IdempotencyStore>();
}

}  // namespace todo::storage
