-- E-mail and per-user preferences (src/email, issue 11). Same tables as
-- migrations/postgres/011_email.sql; times in ms since the epoch, UTC.

-- One row per user who saved preferences; a user without a row has the defaults below
-- (GET /api/{user_id}/preferences answers them).
CREATE TABLE user_preferences (
  user_id            TEXT PRIMARY KEY REFERENCES users(id),
  email_reminders    INTEGER NOT NULL DEFAULT 1,
  completion_notices INTEGER NOT NULL DEFAULT 0,
  timezone           TEXT NOT NULL DEFAULT 'UTC',
  updated_at         INTEGER NOT NULL
);

-- E-mails to send, rendered when enqueued (src/email/message.hpp) so that a resend after a
-- crash sends the same message, Message-ID included. source_key ("reminder:<event_id>",
-- "notice:<event_id>") makes one event one e-mail even beside the consumer's dedupe row.
-- state: pending (due at next_attempt_at; a claimed row's next_attempt_at is its lease),
-- sent, failed (a permanent reply, or retries exhausted).
CREATE TABLE email_outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  source_key      TEXT NOT NULL UNIQUE,
  user_id         TEXT NOT NULL,
  kind            TEXT NOT NULL,
  task_id         INTEGER,
  recipient       TEXT NOT NULL,
  headers         TEXT NOT NULL,
  text_body       TEXT NOT NULL,
  html_body       TEXT NOT NULL,
  state           TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  finished_at     INTEGER,
  last_error      TEXT
);
CREATE INDEX email_outbox_due ON email_outbox(next_attempt_at) WHERE state = 'pending';
CREATE INDEX email_outbox_user ON email_outbox(user_id);
