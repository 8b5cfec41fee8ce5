-- Transactional outbox, audit trail, and the dedupe table for idempotent consumers.
-- Same columns as migrations/sqlite/002_outbox_audit.sql.
CREATE TABLE outbox (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id     TEXT NOT NULL,  -- unique by construction (time-ordered UUID); consumers dedupe on it
  user_id      TEXT NOT NULL,
  topic        TEXT NOT NULL,
  payload      TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  pending_mask INTEGER NOT NULL  -- one bit per subscriber still to deliver to
);

CREATE TABLE audit_log (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id   TEXT NOT NULL UNIQUE,  -- a redelivered event never makes a second row
  event_type TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  task_id    BIGINT NOT NULL,
  event_data TEXT NOT NULL,
  timestamp  BIGINT NOT NULL
);
CREATE INDEX audit_log_user      ON audit_log(user_id, id);
CREATE INDEX audit_log_user_task ON audit_log(user_id, task_id, id);
CREATE INDEX audit_log_timestamp ON audit_log(timestamp);

CREATE TABLE processed_events (
  consumer     TEXT NOT NULL,
  event_id     TEXT NOT NULL,
  processed_at BIGINT NOT NULL,
  PRIMARY KEY (consumer, event_id)
);
