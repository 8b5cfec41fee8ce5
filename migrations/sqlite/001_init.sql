-- Users, tasks (with tag and full-text side tables) and idempotency keys.
-- Timestamps are integer milliseconds since the Unix epoch, UTC, in both backends.
CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);

CREATE TABLE tasks (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused
  user_id      TEXT NOT NULL REFERENCES users(id),
  title        TEXT NOT NULL,
  description  TEXT NOT NULL DEFAULT '',
  completed    INTEGER NOT NULL DEFAULT 0,
  priority     INTEGER NOT NULL,          -- 1 low, 2 medium, 3 high
  tags         TEXT NOT NULL DEFAULT '[]', -- JSON array, as returned
  due_at       INTEGER,
  remind_at    INTEGER,
  recurrence   TEXT,
  timezone     TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  completed_at INTEGER,
  version      INTEGER NOT NULL
);
CREATE INDEX tasks_user_created  ON tasks(user_id, created_at, id);
CREATE INDEX tasks_user_updated  ON tasks(user_id, updated_at, id);
CREATE INDEX tasks_user_due      ON tasks(user_id, COALESCE(due_at, 9223372036854775807), id);
CREATE INDEX tasks_user_priority ON tasks(user_id, priority, id);
CREATE INDEX tasks_user_title    ON tasks(user_id, title, id);

-- One row per (task, tag) so that tag filters use an index.
CREATE TABLE task_tags (
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  tag     TEXT NOT NULL,
  PRIMARY KEY (task_id, tag)
) WITHOUT ROWID;
CREATE INDEX task_tags_user_tag ON task_tags(user_id, tag, task_id);

-- Full-text index over title and description, kept in step by triggers.
CREATE VIRTUAL TABLE tasks_fts USING fts5(
  title, description, content='tasks', content_rowid='id', tokenize='unicode61');
CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN
  INSERT INTO tasks_fts(rowid, title, description) VALUES (new.id, new.title, new.description);
END;
CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN
  INSERT INTO tasks_fts(tasks_fts, rowid, title, description)
    VALUES ('delete', old.id, old.title, old.description);
END;
CREATE TRIGGER tasks_fts_update AFTER UPDATE OF title, description ON tasks BEGIN
  INSERT INTO tasks_fts(tasks_fts, rowid, title, description)
    VALUES ('delete', old.id, old.title, old.description);
  INSERT INTO tasks_fts(rowid, title, description) VALUES (new.id, new.title, new.description);
END;

CREATE TABLE idempotency_keys (
  user_id     TEXT NOT NULL,
  key         TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status      INTEGER NOT NULL,
  body        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
