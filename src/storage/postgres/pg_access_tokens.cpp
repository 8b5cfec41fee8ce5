// PostgreSQL: personal access tokens (storage/access_token_store.hpp). Revoking sends NOTIFY
// todo_access_tokens with the token id: PostgreSQL delivers it to every listening process
// once (and only if) the transaction commits; each drops the token from its cache.
#include "storage/access_token_store.hpp"
#include "storage/postgres/pg_handle.hpp"

namespace todo::storage::postgres {
namespace {

constexpr const char* kColumns =
    "id, user_id, name, token_hash, prefix, scopes, created_at, last_used_at, expires_at, "
    "revoked_at";
constexpr const char* kInsert =
    "INSERT INTO access_tokens (id, user_id, name, token_hash, prefix, scopes, created_at, "
    "last_used_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
constexpr const char* kFindByHash = " FROM access_tokens WHERE token_hash = $1";
constexpr const char* kList =
    " FROM access_tokens WHERE user_id = $1 AND revoked_at IS NULL "
    "ORDER BY created_at DESC, id DESC";
constexpr const char* kCountActive =
    "SELECT COUNT(*) FROM access_tokens WHERE user_id = $1 AND revoked_at IS NULL "
    "AND (expires_at IS NULL OR expires_at > $2)";
constexpr const char* kRevokeToken =
    "UPDATE access_tokens SET revoked_at = $1 WHERE user_id = $2 AND id = $3 "
    "AND revoked_at IS NULL";
constexpr const char* kTouch =
    "UPDATE access_tokens SET last_used_at = $1 WHERE id = $2 "
    "AND (last_used_at IS NULL OR last_used_at < $1)";
constexpr const char* kRemoveUserTokens = "DELETE FROM access_tokens WHERE user_id = $1";
constexpr const char* kNotifyTokenRevoked = "SELECT pg_notify($1, $2)";

class PgAccessTokens final : public AccessTokenStore {
 public:
  explicit PgAccessTokens(Handle& db) : db_(db) {}

  void insert(const AccessTokenRow& t) override {
    db_.exec(kInsert, Params()
                          .add(t.id)
                          .add(t.user_id)
                          .add(t.name)
                          .add(t.token_hash)
                          .add(t.prefix)
                          .add(t.scopes)
                          .add(t.created_at)
                          .add(t.last_used_at)
                          .add(t.expires_at)
                          .add(t.revoked_at));
  }

  std::optional<AccessTokenRow> find_by_hash(std::string_view token_hash) override {
    auto r = db_.exec(select(kFindByHash), Params().add(token_hash));
    if (r.empty()) return std::nullopt;
    return row(r, 0);
  }

  std::vector<AccessTokenRow> list(std::string_view user_id) override {
    auto r = db_.exec(select(kList), Params().add(user_id));
    std::vector<AccessTokenRow> out;
    out.reserve(std::size_t(r.size()));
    for (int i = 0; i < r.size(); ++i) out.push_back(row(r, i));
    return out;
  }

  int count_active(std::string_view user_id, Millis now) override {
    auto r = db_.exec(kCountActive, Params().add(user_id).add(now));
    return r.empty() ? 0 : int(r.int64(0, 0));
  }

  bool revoke(std::string_view user_id, std::string_view id, Millis now) override {
    if (db_.exec(kRevokeToken, Params().add(now).add(user_id).add(id)).affected() == 0)
      return false;
    db_.exec(kNotifyTokenRevoked, Params().add(kAccessTokensChannel).add(id));
    return true;
  }

  void touch(std::string_view id, Millis now) override {
    db_.exec(kTouch, Params().add(now).add(id));
  }

  void remove_user(std::string_view user_id) override {
    if (db_.exec(kRemoveUserTokens, Params().add(user_id)).affected() > 0)
      db_.exec(kNotifyTokenRevoked, Params().add(kAccessTokensChannel).add(std::string_view()));
  }

 private:
  static std::string select(const char* rest) { return std::string("SELECT ") + kColumns + rest; }
  static AccessTokenRow row(const Rows& r, int i) {
    return {r.text(i, 0), r.text(i, 1),  r.text(i, 2),      r.text(i, 3),      r.text(i, 4),
            r.text(i, 5), r.int64(i, 6), r.opt_int64(i, 7), r.opt_int64(i, 8), r.opt_int64(i, 9)};
  }

  Handle& db_;
};

}  // namespace

std::unique_ptr<AccessTokenStore> make_access_token_store(Handle& handle) {
  return std::make_unique<PgAccessTokens>(handle);
}

}  // namespace todo::storage::postgres
