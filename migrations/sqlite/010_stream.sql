-- Live updates (src/stream): the per-user log the SSE stream replays from. Same tables as
-- migrations/postgres/010_stream.sql; times in ms since the epoch, UTC.

-- One counter per user: the seq of the user's last stream event. Appending bumps it in the
-- writer's transaction (UPDATE ... RETURNING), so a user's seqs grow in commit order with no
-- gaps. Kept when the events are pruned, so seqs never go back.
CREATE TABLE stream_cursors (
  user_id  TEXT PRIMARY KEY,
  last_seq INTEGER NOT NULL
) WITHOUT ROWID;

-- The user's stream events (kind: task | notification | notifications; payload: the SSE
-- data, JSON), kept for --stream-retention. seq is the SSE id.
CREATE TABLE stream_events (
  user_id    TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  payload    TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, seq)
) WITHOUT ROWID;
CREATE INDEX stream_events_created ON stream_events(created_at);
