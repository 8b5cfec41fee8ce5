-- Live updates (src/stream): the per-user log the SSE stream replays from. Same tables as
-- migrations/sqlite/010_stream.sql; times in ms since the epoch, UTC.

-- One counter per user: the seq of the user's last stream event. Appending bumps it in the
-- writer's transaction (its row lock serialises one user's appends until COMMIT), so a
-- user's seqs grow in commit order with no gaps. Kept when the events are pruned.
CREATE TABLE stream_cursors (
  user_id  TEXT PRIMARY KEY,
  last_seq BIGINT NOT NULL
);

-- The user's stream events (kind: task | notification | notifications; payload: the SSE
-- data, JSON), kept for --stream-retention. seq is the SSE id.
CREATE TABLE stream_events (
  user_id    TEXT NOT NULL,
  seq        BIGINT NOT NULL,
  kind       TEXT NOT NULL,
  payload    TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, seq)
);
CREATE INDEX stream_events_created ON stream_events(created_at);
