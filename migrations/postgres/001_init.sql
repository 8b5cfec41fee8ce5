-- Users, tasks and idempotency keys. Same columns as migrations/sqlite/001_init.sql;
-- timestamps are BIGINT milliseconds since the Unix epoch, UTC, in both backends.
CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at    BIGINT NOT NULL
);

CREATE TABLE tasks (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users(id),
  title        TEXT NOT NULL,
  description  TEXT NOT NULL DEFAULT '',
  completed    BOOLEAN NOT NULL DEFAULT false,
  priority     SMALLINT NOT NULL,           -- 1 low, 2 medium, 3 high
  tags         TEXT[] NOT NULL DEFAULT '{}',
  due_at       BIGINT,
  remind_at    BIGINT,
  recurrence   TEXT,
  timezone     TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL,
  completed_at BIGINT,
  version      BIGINT NOT NULL,
  search       tsvector GENERATED ALWAYS AS
                 (to_tsvector('simple', title || ' ' || description)) STORED
);
CREATE INDEX tasks_user_created  ON tasks(user_id, created_at, id);
CREATE INDEX tasks_user_updated  ON tasks(user_id, updated_at, id);
CREATE INDEX tasks_user_due      ON tasks(user_id, COALESCE(due_at, 9223372036854775807), id);
CREATE INDEX tasks_user_priority ON tasks(user_id, priority, id);
CREATE INDEX tasks_user_title    ON tasks(user_id, (title COLLATE "C"), id);
CREATE INDEX tasks_tags   ON tasks USING GIN (tags);
CREATE INDEX tasks_search ON tasks USING GIN (search);

CREATE TABLE idempotency_keys (
  user_id     TEXT NOT NULL,
  key         TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status      INTEGER NOT NULL,
  body        TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
