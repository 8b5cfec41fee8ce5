-- Same table as migrations/postgres/003_outbox_claims.sql. One process owns a SQLite file,
-- so nothing ever competes for a claim here; the table keeps the two schemas alike.
CREATE TABLE outbox_claims (
  subscriber_bit INTEGER NOT NULL,
  user_id        TEXT NOT NULL,
  holder         TEXT NOT NULL,
  holder_pid     INTEGER NOT NULL DEFAULT 0,  -- PostgreSQL's backend pid; unused here
  expires_at     INTEGER NOT NULL,
  PRIMARY KEY (subscriber_bit, user_id)
);
