-- Webhooks (src/webhooks): the endpoints users register and the deliveries of their events.
-- Same tables as migrations/postgres/012_webhooks.sql; times in ms since the epoch, UTC.

-- One row per endpoint. event_types is a JSON array of the event types it wants; secret is
-- the Standard Webhooks signing secret ("whsec_" + base64 of 24 random bytes). A disabled
-- endpoint (by its user, a 410 Gone, or a run of max_failures failed attempts) says why in
-- disabled_reason; consecutive_failures is the current run of failed attempts.
CREATE TABLE webhooks (
  id                   INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id              TEXT NOT NULL REFERENCES users(id),
  url                  TEXT NOT NULL,
  event_types          TEXT NOT NULL,
  secret               TEXT NOT NULL,
  enabled              INTEGER NOT NULL DEFAULT 1,
  disabled_reason      TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL
);
CREATE INDEX webhooks_user ON webhooks(user_id, id);

-- One row per (endpoint, event): the delivery and its log. msg_id is the webhook-id header,
-- the same on every attempt. state: pending (sent at next_attempt_at; a claimed row's
-- next_attempt_at is its lease), succeeded, failed (a permanent refusal), dead (retries
-- exhausted). attempt counts the attempts made.
CREATE TABLE webhook_deliveries (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id      INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  user_id         TEXT NOT NULL,
  event_id        TEXT NOT NULL,
  msg_id          TEXT NOT NULL,
  event_type      TEXT NOT NULL,
  payload         TEXT NOT NULL,
  attempt         INTEGER NOT NULL DEFAULT 0,
  state           TEXT NOT NULL,
  last_status     INTEGER,
  last_error      TEXT,
  duration_ms     INTEGER,
  next_attempt_at INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries(webhook_id, id);
CREATE INDEX webhook_deliveries_user ON webhook_deliveries(user_id);
