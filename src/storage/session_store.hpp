#pragma once
// Sessions (issue 14, item 1): the tokens we issued (`sessions`) and what every process must
// refuse before they expire (`revoked_tokens`, `session_cutoffs`). auth/session.hpp says what
// each record means. SQL: storage/sqlite/sqlite_sessions.cpp, storage/postgres/pg_sessions.cpp.
//
// Every revoking call also tells the other processes sharing the database: on PostgreSQL a
// NOTIFY on kSessionsChannel with the user id as payload, sent in the revoking transaction
// (so it arrives only once that transaction committed). SQLite has one process: nothing to
// tell.
#include <memory>
#include <string_view>
#include <vector>

#include "auth/session.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

inline constexpr const char* kSessionsChannel = "todo_sessions";

// Everything to refuse, as loaded from the tables.
struct RevocationSet {
  std::vector<TokenRevocation> tokens;
  std::vector<UserCutoff> cutoffs;
};

class SessionStore : public Store {
 public:
  static std::unique_ptr<SessionStore> make(Tx& tx);

  // Records a session we issued. Throws DbError with missing_reference when the user is gone.
  virtual void insert(const SessionRecord& session) = 0;
  // The user's sessions that have not expired at `now`, oldest first.
  virtual std::vector<SessionRecord> live(std::string_view user_id, Millis now) = 0;
  // Ends one session: stores the revocation (idempotent), forgets the session, notifies.
  virtual void revoke(const TokenRevocation& revocation) = 0;
  // Refuses the user's tokens issued before cutoff.cutoff (a later cutoff wins; an earlier one
  // changes nothing), notifies.
  virtual void cut_off(const UserCutoff& cutoff) = 0;
  // Every revocation still in force at `now`: what a process loads at start and on resync.
  virtual RevocationSet in_force(Millis now) = 0;
  // The same for one user (a notification named them).
  virtual RevocationSet in_force_for(std::string_view user_id, Millis now) = 0;
  // Forgets the user's session records (account deletion; the revocations stay until they
  // expire, so that every process keeps refusing the user's tokens).
  virtual void remove_user(std::string_view user_id) = 0;
  // Deletes up to max_rows expired rows of each table; returns how many in all.
  virtual int purge(Millis now, int max_rows) = 0;
};

namespace sqlite {
std::unique_ptr<SessionStore> make_session_store(Handle& handle);
}
namespace postgres {
std::unique_ptr<SessionStore> make_session_store(Handle& handle);
}
inline std::unique_ptr<SessionStore> SessionStore::make(Tx& tx) {
  return tx.sqlite() ? sqlite::make_session_store(*tx.sqlite())
                     : postgres::make_session_store(*tx.postgres());
}

inline SessionStore& sessions(Tx& tx) {
  return tx.get<SessionStore>();
}

}  // namespace todo::storage
