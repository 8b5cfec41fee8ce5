-- Recurring series and reminders (src/recurrence, src/reminders, src/notifications). Same
-- tables as migrations/sqlite/009_recurrence_reminders.sql; times in ms since the epoch, UTC.

-- The series a next occurrence belongs to: the id of the series' first task (NULL for a
-- task that no completion brought).
ALTER TABLE tasks ADD COLUMN series_id BIGINT;

-- Each series' RFC 5545 DTSTART: the first task's due_at (or its completion time when it had
-- none). Outlives the deletion of any occurrence, the first included.
CREATE TABLE recurrence_series (
  series_id BIGINT PRIMARY KEY,
  user_id   TEXT NOT NULL,
  dtstart   BIGINT NOT NULL
);
CREATE INDEX recurrence_series_user ON recurrence_series(user_id);

-- One row per completed occurrence that has brought its next one (next_task_id NULL: the
-- series ended, COUNT or UNTIL). The primary key is what makes "exactly once" hold across
-- redeliveries, complete/un-complete/complete and concurrent consumers.
CREATE TABLE recurrence_next (
  task_id      BIGINT PRIMARY KEY,
  user_id      TEXT NOT NULL,
  next_task_id BIGINT,
  created_at   BIGINT NOT NULL
);
CREATE INDEX recurrence_next_user ON recurrence_next(user_id);

-- The reminder of each task that has or had one. state: pending (fires at fire_at), fired,
-- missed (due while nobody could fire it, older than the horizon), cancelled (completed,
-- cleared). remind_at is the task's remind_at the row stands for; fire_at is remind_at or a
-- snooze's time. `revision` grows with each change; `synced_revision` is the last revision
-- told to the Dapr Jobs API (distributed shape only).
CREATE TABLE reminder_jobs (
  task_id         BIGINT PRIMARY KEY,
  user_id         TEXT NOT NULL,
  remind_at       BIGINT NOT NULL,
  fire_at         BIGINT NOT NULL,
  state           TEXT NOT NULL,
  task_version    BIGINT NOT NULL,
  revision        BIGINT NOT NULL DEFAULT 1,
  synced_revision BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX reminder_jobs_due ON reminder_jobs(fire_at) WHERE state = 'pending';
CREATE INDEX reminder_jobs_user ON reminder_jobs(user_id);
CREATE INDEX reminder_jobs_unsynced ON reminder_jobs(task_id) WHERE revision <> synced_revision;

-- In-app notifications (GET /api/{user_id}/notifications), newest first by id.
CREATE TABLE notifications (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users(id),
  event_id   TEXT NOT NULL UNIQUE,  -- the reminders event it came with
  kind       TEXT NOT NULL,         -- "reminder"
  task_id    BIGINT,
  title      TEXT NOT NULL,
  due_at     BIGINT,
  remind_at  BIGINT,
  created_at BIGINT NOT NULL,
  read_at    BIGINT
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_user_unread ON notifications(user_id, id) WHERE read_at IS NULL;
