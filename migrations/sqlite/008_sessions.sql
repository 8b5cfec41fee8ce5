-- Sessions that really end (storage/session_store.hpp, auth/session.hpp). Same tables as
-- migrations/postgres/006_sessions.sql. Rows are purged once no token they concern can be
-- valid any more (expires_at), so each table holds at most one token lifetime of sessions.

-- Every token we issue, so that "sign out everywhere" can end each live one by its jti.
CREATE TABLE sessions (
  token_id   TEXT PRIMARY KEY,                     -- the token's jti
  user_id    TEXT NOT NULL REFERENCES users(id),
  issued_at  INTEGER NOT NULL,
  expires_at INTEGER NOT NULL                       -- the token's exp
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id, expires_at);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- Ended sessions. No foreign key: they outlive a deleted account.
CREATE TABLE revoked_tokens (
  token_id   TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX revoked_tokens_user ON revoked_tokens(user_id);
CREATE INDEX revoked_tokens_expires ON revoked_tokens(expires_at);

-- Tokens of user_id issued before cutoff are refused (the largest INTEGER: every token, the
-- account is deleted).
CREATE TABLE session_cutoffs (
  user_id    TEXT PRIMARY KEY,
  cutoff     INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_cutoffs_expires ON session_cutoffs(expires_at);
