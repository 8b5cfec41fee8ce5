// SQLite: personal access tokens (storage/access_token_store.hpp). One process uses a SQLite
// database: the revoking process drops the token from its own cache (auth/access_tokens.hpp).
#include "storage/access_token_store.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kColumns =
    "id, user_id, name, token_hash, prefix, scopes, created_at, last_used_at, expires_at, "
    "revoked_at";
constexpr const char* kInsert =
    "INSERT INTO access_tokens (id, user_id, name, token_hash, prefix, scopes, created_at, "
    "last_used_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kFindByHash = " FROM access_tokens WHERE token_hash = ?";
constexpr const char* kList =
    " FROM access_tokens WHERE user_id = ? AND revoked_at IS NULL "
    "ORDER BY created_at DESC, id DESC";
constexpr const char* kCountActive =
    "SELECT COUNT(*) FROM access_tokens WHERE user_id = ? AND revoked_at IS NULL "
    "AND (expires_at IS NULL OR expires_at > ?)";
constexpr const char* kRevokeToken =
    "UPDATE access_tokens SET revoked_at = ? WHERE user_id = ? AND id = ? AND revoked_at IS NULL";
constexpr const char* kTouch =
    "UPDATE access_tokens SET last_used_at = ? WHERE id = ? "
    "AND (last_used_at IS NULL OR last_used_at < ?)";
constexpr const char* kRemoveUserTokens = "DELETE FROM access_tokens WHERE user_id = ?";

class SqliteAccessTokens final : public AccessTokenStore {
 public:
  explicit SqliteAccessTokens(Handle& db) : db_(db) {}

  void insert(const AccessTokenRow& t) override {
    db_.prepare(kInsert)
        .bind(1, t.id)
        .bind(2, t.user_id)
        .bind(3, t.name)
        .bind(4, t.token_hash)
        .bind(5, t.prefix)
        .bind(6, t.scopes)
        .bind(7, t.created_at)
        .bind(8, t.last_used_at)
        .bind(9, t.expires_at)
        .bind(10, t.revoked_at)
        .run();
  }

  std::optional<AccessTokenRow> find_by_hash(std::string_view token_hash) override {
    auto s = db_.prepare(select(kFindByHash));
    s.bind(1, token_hash);
    if (!s.step()) return std::nullopt;
    return row(s);
  }

  std::vector<AccessTokenRow> list(std::string_view user_id) override {
    auto s = db_.prepare(select(kList));
    s.bind(1, user_id);
    std::vector<AccessTokenRow> out;
    while (s.step()) out.push_back(row(s));
    return out;
  }

  int count_active(std::string_view user_id, Millis now) override {
    auto s = db_.prepare(kCountActive);
    s.bind(1, user_id).bind(2, now);
    return s.step() ? int(s.int64(0)) : 0;
  }

  bool revoke(std::string_view user_id, std::string_view id, Millis now) override {
    db_.prepare(kRevokeToken).bind(1, now).bind(2, user_id).bind(3, id).run();
    return db_.changes() > 0;
  }

  void touch(std::string_view id, Millis now) override {
    db_.prepare(kTouch).bind(1, now).bind(2, id).bind(3, now).run();
  }

  void remove_user(std::string_view user_id) override {
    db_.prepare(kRemoveUserTokens).bind(1, user_id).run();
  }

 private:
  static std::string select(const char* rest) { return std::string("SELECT ") + kColumns + rest; }
  static AccessTokenRow row(Statement& s) {
    return {s.text(0), s.text(1),  s.text(2),      s.text(3),      s.text(4),
            s.text(5), s.int64(6), s.opt_int64(7), s.opt_int64(8), s.opt_int64(9)};
  }

  Handle& db_;
};

}  // namespace

std::unique_ptr<AccessTokenStore> make_access_token_store(Handle& handle) {
  return std::make_unique<SqliteAccessTokens>(handle);
}

}  // namespace todo::storage::sqlite
