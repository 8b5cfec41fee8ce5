-- Live updates (src/stream): whose task events are worth appending to the log. The stream
-- consumer appends a user's task events only while the user has listened within the
-- listening window (an SSE stream open, or closed recently enough that a reconnect may
-- resume), so users who never open the app cost nothing there. Same columns as
-- migrations/sqlite/017_stream_listeners.sql; times in ms since the epoch, UTC.
--
-- listened_at: the last time a stream of the user was opened or seen open (NULL: never).
-- resume_floor: a Last-Event-ID below it gets a reset: task events committed while the user
-- was not listening were not appended, so a position from before that gap cannot resume.
ALTER TABLE stream_cursors ADD COLUMN listened_at BIGINT;
ALTER TABLE stream_cursors ADD COLUMN resume_floor BIGINT NOT NULL DEFAULT 0;
-- Users with a log so far had every event appended: they count as listening now, so an
-- upgrade does not reset the streams that reconnect to it.
UPDATE stream_cursors SET listened_at = (EXTRACT(EPOCH FROM now()) * 1000)::bigint;
