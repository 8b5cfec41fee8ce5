// SQLite: sessions and their revocations (storage/session_store.hpp). One process uses a
// SQLite database, so there is nobody to notify: the revoking process updates its own
// revocation state after the commit (auth/revocation_service.hpp).
#include "storage/session_store.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kInsertSession =
    "INSERT INTO sessions (token_id, user_id, issued_at, expires_at) VALUES (?, ?, ?, ?)";
constexpr const char* kLive =
    "SELECT token_id, user_id, issued_at, expires_at FROM sessions "
    "WHERE user_id = ? AND expires_at > ? ORDER BY issued_at, token_id";
constexpr const char* kRevoke =
    "INSERT INTO revoked_tokens (token_id, user_id, expires_at) VALUES (?, ?, ?) "
    "ON CONFLICT (token_id) DO UPDATE SET expires_at = MAX(expires_at, excluded.expires_at)";
constexpr const char* kForget = "DELETE FROM sessions WHERE token_id = ?";
constexpr const char* kCutOff =
    "INSERT INTO session_cutoffs (user_id, cutoff, expires_at) VALUES (?, ?, ?) "
    "ON CONFLICT (user_id) DO UPDATE SET cutoff = MAX(cutoff, excluded.cutoff), "
    "expires_at = MAX(expires_at, excluded.expires_at)";
constexpr const char* kTokensInForce =
    "SELECT token_id, user_id, expires_at FROM revoked_tokens WHERE expires_at > ?";
constexpr const char* kCutoffsInForce =
    "SELECT user_id, cutoff, expires_at FROM session_cutoffs WHERE expires_at > ?";
constexpr const char* kTokensOfUser =
    "SELECT token_id, user_id, expires_at FROM revoked_tokens WHERE user_id = ? AND expires_at > ?";
constexpr const char* kCutoffOfUser =
    "SELECT user_id, cutoff, expires_at FROM session_cutoffs WHERE user_id = ? AND expires_at > ?";
constexpr const char* kRemoveUser = "DELETE FROM sessions WHERE user_id = ?";
// Bounded batches keep the writer's transaction short.
constexpr const char* kPurgeSessions =
    "DELETE FROM sessions WHERE token_id IN "
    "(SELECT token_id FROM sessions WHERE expires_at <= ? LIMIT ?)";
constexpr const char* kPurgeTokens =
    "DELETE FROM revoked_tokens WHERE token_id IN "
    "(SELECT token_id FROM revoked_tokens WHERE expires_at <= ? LIMIT ?)";
constexpr const char* kPurgeCutoffs =
    "DELETE FROM session_cutoffs WHERE user_id IN "
    "(SELECT user_id FROM session_cutoffs WHERE expires_at <= ? LIMIT ?)";

class SqliteSessions final : public SessionStore {
 public:
  explicit SqliteSessions(Handle& db) : db_(db) {}

  void insert(const SessionRecord& s) override {
    db_.prepare(kInsertSession)
        .bind(1, s.token_id)
        .bind(2, s.user_id)
        .bind(3, s.issued_at)
        .bind(4, s.expires_at)
        .run();
  }

  std::vector<SessionRecord> live(std::string_view user_id, Millis now) override {
    std::vector<SessionRecord> out;
    auto s = db_.prepare(kLive);
    s.bind(1, user_id).bind(2, now);
    while (s.step()) out.push_back({s.text(0), s.text(1), s.int64(2), s.int64(3)});
    return out;
  }

  void revoke(const TokenRevocation& r) override {
    db_.prepare(kRevoke).bind(1, r.token_id).bind(2, r.user_id).bind(3, r.expires_at).run();
    db_.prepare(kForget).bind(1, r.token_id).run();
  }

  void cut_off(const UserCutoff& c) override {
    db_.prepare(kCutOff).bind(1, c.user_id).bind(2, c.cutoff).bind(3, c.expires_at).run();
  }

  RevocationSet in_force(Millis now) override {
    RevocationSet set;
    read_tokens(db_.prepare(kTokensInForce).bind(1, now), set);
    read_cutoffs(db_.prepare(kCutoffsInForce).bind(1, now), set);
    return set;
  }

  RevocationSet in_force_for(std::string_view user_id, Millis now) override {
    RevocationSet set;
    read_tokens(db_.prepare(kTokensOfUser).bind(1, user_id).bind(2, now), set);
    read_cutoffs(db_.prepare(kCutoffOfUser).bind(1, user_id).bind(2, now), set);
    return set;
  }

  void remove_user(std::string_view user_id) override {
    db_.prepare(kRemoveUser).bind(1, user_id).run();
  }

  int purge(Millis now, int max_rows) override {
    int removed = 0;
    for (const char* sql : {kPurgeSessions, kPurgeTokens, kPurgeCutoffs}) {
      db_.prepare(sql).bind(1, now).bind(2, std::int64_t(max_rows)).run();
      removed += db_.changes();
    }
    return removed;
  }

 private:
  static void read_tokens(Statement& s, RevocationSet& set) {
    while (s.step()) set.tokens.push_back({s.text(0), s.text(1), s.int64(2)});
  }
  static void read_cutoffs(Statement& s, RevocationSet& set) {
    while (s.step()) set.cutoffs.push_back({s.text(0), s.int64(1), s.int64(2)});
  }

  Handle& db_;
};

}  // namespace

std::unique_ptr<SessionStore> make_session_store(Handle& handle) {
  return std::make_unique<SqliteSessions>(handle);
}

}  // namespace todo::storage::sqlite
