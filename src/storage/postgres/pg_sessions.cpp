// PostgreSQL: sessions and their revocations (storage/session_store.hpp). Each revoking call
// also sends NOTIFY todo_sessions with the user id: PostgreSQL delivers it to every listening
// process once (and only if) the transaction commits, and folds identical notifications of
// one transaction into one.
#include "storage/postgres/pg_handle.hpp"
#include "storage/session_store.hpp"

namespace todo::storage::postgres {
namespace {

constexpr const char* kInsertSession =
    "INSERT INTO sessions (token_id, user_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)";
constexpr const char* kLive =
    "SELECT token_id, user_id, issued_at, expires_at FROM sessions "
    "WHERE user_id = $1 AND expires_at > $2 ORDER BY issued_at, token_id";
constexpr const char* kRevoke =
    "INSERT INTO revoked_tokens (token_id, user_id, expires_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (token_id) DO UPDATE SET "
    "expires_at = GREATEST(revoked_tokens.expires_at, EXCLUDED.expires_at)";
constexpr const char* kForget = "DELETE FROM sessions WHERE token_id = $1";
constexpr const char* kCutOff =
    "INSERT INTO session_cutoffs (user_id, cutoff, expires_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (user_id) DO UPDATE SET "
    "cutoff = GREATEST(session_cutoffs.cutoff, EXCLUDED.cutoff), "
    "expires_at = GREATEST(session_cutoffs.expires_at, EXCLUDED.expires_at)";
constexpr const char* kNotify = "SELECT pg_notify($1, $2)";
constexpr const char* kTokensInForce =
    "SELECT token_id, user_id, expires_at FROM revoked_tokens WHERE expires_at > $1";
constexpr const char* kCutoffsInForce =
    "SELECT user_id, cutoff, expires_at FROM session_cutoffs WHERE expires_at > $1";
constexpr const char* kTokensOfUser =
    "SELECT token_id, user_id, expires_at FROM revoked_tokens "
    "WHERE user_id = $1 AND expires_at > $2";
constexpr const char* kCutoffOfUser =
    "SELECT user_id, cutoff, expires_at FROM session_cutoffs "
    "WHERE user_id = $1 AND expires_at > $2";
constexpr const char* kRemoveUser = "DELETE FROM sessions WHERE user_id = $1";
// Bounded batches keep the writer's transaction short.
constexpr const char* kPurgeSessions =
    "DELETE FROM sessions WHERE token_id IN "
    "(SELECT token_id FROM sessions WHERE expires_at <= $1 LIMIT $2)";
constexpr const char* kPurgeTokens =
    "DELETE FROM revoked_tokens WHERE token_id IN "
    "(SELECT token_id FROM revoked_tokens WHERE expires_at <= $1 LIMIT $2)";
constexpr const char* kPurgeCutoffs =
    "DELETE FROM session_cutoffs WHERE user_id IN "
    "(SELECT user_id FROM session_cutoffs WHERE expires_at <= $1 LIMIT $2)";

class PgSessions final : public SessionStore {
 public:
  explicit PgSessions(Handle& db) : db_(db) {}

  void insert(const SessionRecord& s) override {
    db_.exec(kInsertSession,
             Params().add(s.token_id).add(s.user_id).add(s.issued_at).add(s.expires_at));
  }

  std::vector<SessionRecord> live(std::string_view user_id, Millis now) override {
    auto r = db_.exec(kLive, Params().add(user_id).add(now));
    std::vector<SessionRecord> out;
    out.reserve(std::size_t(r.size()));
    for (int i = 0; i < r.size(); ++i)
      out.push_back({r.text(i, 0), r.text(i, 1), r.int64(i, 2), r.int64(i, 3)});
    return out;
  }

  void revoke(const TokenRevocation& t) override {
    db_.exec(kRevoke, Params().add(t.token_id).add(t.user_id).add(t.expires_at));
    db_.exec(kForget, Params().add(t.token_id));
    notify(t.user_id);
  }

  void cut_off(const UserCutoff& c) override {
    db_.exec(kCutOff, Params().add(c.user_id).add(c.cutoff).add(c.expires_at));
    notify(c.user_id);
  }

  RevocationSet in_force(Millis now) override {
    RevocationSet set;
    read_tokens(db_.exec(kTokensInForce, Params().add(now)), set);
    read_cutoffs(db_.exec(kCutoffsInForce, Params().add(now)), set);
    return set;
  }

  RevocationSet in_force_for(std::string_view user_id, Millis now) override {
    RevocationSet set;
    read_tokens(db_.exec(kTokensOfUser, Params().add(user_id).add(now)), set);
    read_cutoffs(db_.exec(kCutoffOfUser, Params().add(user_id).add(now)), set);
    return set;
  }

  void remove_user(std::string_view user_id) override {
    db_.exec(kRemoveUser, Params().add(user_id));
  }

  int purge(Millis now, int max_rows) override {
    std::int64_t removed = 0;
    for (const char* sql : {kPurgeSessions, kPurgeTokens, kPurgeCutoffs})
      removed += db_.exec(sql, Params().add(now).add(std::int64_t(max_rows))).affected();
    return int(removed);
  }

 private:
  void notify(const std::string& user_id) {
    db_.exec(kNotify, Params().add(kSessionsChannel).add(user_id));
  }
  static void read_tokens(const Rows& r, RevocationSet& set) {
    for (int i = 0; i < r.size(); ++i)
      set.tokens.push_back({r.text(i, 0), r.text(i, 1), r.int64(i, 2)});
  }
  static void read_cutoffs(const Rows& r, RevocationSet& set) {
    for (int i = 0; i < r.size(); ++i)
      set.cutoffs.push_back({r.text(i, 0), r.int64(i, 1), r.int64(i, 2)});
  }

  Handle& db_;
};

}  // namespace

std::unique_ptr<SessionStore> make_session_store(Handle& handle) {
  return std::make_unique<PgSessions>(handle);
}

}  // namespace todo::storage::postgres
