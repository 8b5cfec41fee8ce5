-- Personal access tokens (issue 12, item 1; storage/access_token_store.hpp). Same table as
-- migrations/postgres/014_access_tokens.sql. The secret itself is never stored: only its
-- SHA-256 (auth/access_token.hpp), and its first characters to tell tokens apart in lists.
CREATE TABLE access_tokens (
  id           TEXT PRIMARY KEY,                    -- "pat_" + random hex
  user_id      TEXT NOT NULL REFERENCES users(id),
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,                -- hex SHA-256 of the whole token
  prefix       TEXT NOT NULL,                       -- e.g. "tdp_AbC1", shown in lists
  scopes       TEXT NOT NULL,                       -- space-separated scope names
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  expires_at   INTEGER,                             -- NULL: never
  revoked_at   INTEGER                              -- NULL: in force
) WITHOUT ROWID;
CREATE INDEX access_tokens_user ON access_tokens(user_id, created_at);
