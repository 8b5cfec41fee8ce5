#pragma once
// Personal access tokens (issue 12, item 1): table `access_tokens`
// (migrations/<backend>/014_access_tokens.sql). What a token is and how its secret is hashed:
// auth/access_token.hpp; scopes: auth/scopes.hpp. SQL: storage/sqlite/sqlite_access_tokens.cpp,
// storage/postgres/pg_access_tokens.cpp.
//
// Revoking also tells the other processes sharing the database: on PostgreSQL a NOTIFY on
// kAccessTokensChannel with the token id as payload, sent in the revoking transaction (so it
// arrives only once that transaction committed; auth/access_tokens.hpp drops the token from
// its cache then). SQLite has one process: nothing to tell.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

inline constexpr const char* kAccessTokensChannel = "todo_access_tokens";

struct AccessTokenRow {
  std::string id;  // "pat_" + 32 hex characters
  std::string user_id;
  std::string name;
  std::string token_hash;  // auth::access_token_hash of the secret; never the secret
  std::string prefix;      // the secret's first characters, shown in lists
  std::string scopes;      // space-separated scope names (auth::scopes_text)
  Millis created_at = 0;
  std::optional<Millis> last_used_at;
  std::optional<Millis> expires_at;  // nullopt: never expires
  std::optional<Millis> revoked_at;  // nullopt: in force
};

class AccessTokenStore : public Store {
 public:
  static std::unique_ptr<AccessTokenStore> make(Tx& tx);

  // Stores a new token. Throws DbError with missing_reference when the user is gone.
  virtual void insert(const AccessTokenRow& token) = 0;
  // The token with this hash, revoked or expired ones included (the caller says which it
  // is); nullopt when there is none.
  virtual std::optional<AccessTokenRow> find_by_hash(std::string_view token_hash) = 0;
  // The user's tokens that are not revoked, newest first (expired ones included, so that
  // the list says they expired).
  virtual std::vector<AccessTokenRow> list(std::string_view user_id) = 0;
  // How many of the user's tokens are neither revoked nor expired at `now`.
  virtual int count_active(std::string_view user_id, Millis now) = 0;
  // Revokes the user's token `id` at `now`; false when the user has no such token in force
  // (unknown, another user's, or revoked already). Notifies (see above).
  virtual bool revoke(std::string_view user_id, std::string_view id, Millis now) = 0;
  // Records a use at `now` (only moves last_used_at forward).
  virtual void touch(std::string_view id, Millis now) = 0;
  // Deletes every token of the user (account deletion). Notifies once, with no id: every
  // process then forgets its cached tokens.
  virtual void remove_user(std::string_view user_id) = 0;
};

namespace sqlite {
std::unique_ptr<AccessTokenStore> make_access_token_store(Handle& handle);
}
namespace postgres {
std::unique_ptr<AccessTokenStore> make_access_token_store(Handle& handle);
}
inline std::unique_ptr<AccessTokenStore> AccessTokenStore::make(Tx& tx) {
  return tx.sqlite() ? sqlite::make_access_token_store(*tx.sqlite())
                     : postgres::make_access_token_store(*tx.postgres());
}

inline AccessTokenStore& access_tokens(Tx& tx) {
  return tx.get<AccessTokenStore>();
}

}  // namespace todo::storage
