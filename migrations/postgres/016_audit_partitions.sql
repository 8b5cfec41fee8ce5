-- audit_log partitioned by day (issue 16, item 7). PostgreSQL only: SQLite keeps one table
-- and its batched delete.
--
-- Range partitions on `timestamp` (the event's own time, in ms since the epoch; the column
-- retention goes by), one per UTC day, named audit_log_pYYYYMMDD, and a DEFAULT partition.
-- The retention job (audit/retention.hpp) creates the days ahead with
-- audit_log_create_partition and retires whole days past the retention with
-- audit_log_drop_partitions: a DROP TABLE writes a few catalog rows of WAL where deleting a
-- day row by row writes every row and leaves the table and its indexes bloated.
--
-- Why a DEFAULT partition rather than creating partitions on demand: an insert must never
-- fail for want of a partition, and creating one inside the audit consumer's transaction
-- would put DDL (an ACCESS EXCLUSIVE lock on audit_log) on the write path of every writer.
-- Events arrive within seconds of their timestamp and the job keeps days ahead, so the
-- default partition only catches strays (an event replayed from long ago, a skewed clock);
-- they are purged row by row like before (it stays small), and a day partition created
-- later takes its day's rows out of it first.
--
-- Uniqueness: a unique index on a partitioned table must contain the partition key, so
-- `event_id UNIQUE` becomes UNIQUE (event_id, timestamp). A redelivered event carries its
-- own timestamp, so it lands in the same partition and meets the first copy there. An id
-- reused with another timestamp is caught before the audit row is written by the consumer
-- contract's processed_events (consumer, event_id) primary key (bus/consumer.hpp), written
-- in the same transaction and kept as long as the audit rows.
--
-- Existing rows move into the new table with their ids (the audit API's cursors stay
-- valid), and the id sequence continues after them.

ALTER TABLE audit_log RENAME TO audit_log_unpartitioned;
ALTER TABLE audit_log_unpartitioned ALTER COLUMN id DROP IDENTITY;  -- frees audit_log_id_seq
DROP INDEX audit_log_user, audit_log_user_task, audit_log_timestamp;
ALTER TABLE audit_log_unpartitioned DROP CONSTRAINT audit_log_pkey,
  DROP CONSTRAINT audit_log_event_id_key;

CREATE TABLE audit_log (
  id         BIGINT GENERATED ALWAYS AS IDENTITY,
  event_id   TEXT NOT NULL,
  event_type TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  task_id    BIGINT NOT NULL,
  event_data TEXT NOT NULL,
  timestamp  BIGINT NOT NULL,
  -- Also the order the batched purge deletes in (oldest first).
  PRIMARY KEY (timestamp, id),
  -- A redelivered event never makes a second row (see above).
  UNIQUE (event_id, timestamp)
) PARTITION BY RANGE (timestamp);
CREATE INDEX audit_log_user      ON audit_log (user_id, id);
CREATE INDEX audit_log_user_task ON audit_log (user_id, task_id, id);

CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;

-- Creates the partition of the UTC day starting at `day_start` (ms since the epoch, a
-- multiple of 86 400 000) unless it exists; rows of that day found in the default
-- partition move into it. Returns whether it created the partition. CREATE TABLE ...
-- PARTITION OF takes an ACCESS EXCLUSIVE lock on audit_log until the transaction ends: the
-- lock_timeout makes a call that cannot have it soon fail (the job tries again on its next
-- pass) instead of queueing every reader and writer behind it.
CREATE FUNCTION audit_log_create_partition(day_start BIGINT) RETURNS BOOLEAN
LANGUAGE plpgsql SET lock_timeout = '2s' AS $$
DECLARE
  day_end BIGINT := day_start + 86400000;
  part TEXT := 'audit_log_p' || to_char(to_timestamp(day_start / 1000) AT TIME ZONE 'UTC', 'YYYYMMDD');
BEGIN
  IF day_start % 86400000 <> 0 OR day_start < 0 OR day_start >= 253402300800000 THEN
    RAISE EXCEPTION 'audit_log_create_partition: % is not the start of a UTC day in 1970-9999',
      day_start;
  END IF;
  IF to_regclass(part) IS NOT NULL THEN
    RETURN FALSE;
  END IF;
  -- The new partition's range must not hold rows in the default partition (PostgreSQL
  -- refuses to create it otherwise): take them out, create it, put them back through the
  -- parent (which routes them into the new partition).
  IF NOT EXISTS (SELECT 1 FROM audit_log_default
                  WHERE timestamp >= day_start AND timestamp < day_end) THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF audit_log FOR VALUES FROM (%s) TO (%s)',
                   part, day_start, day_end);
    RETURN TRUE;
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS audit_log_moving (LIKE audit_log) ON COMMIT DROP;
  WITH moved AS (
    DELETE FROM audit_log_default WHERE timestamp >= day_start AND timestamp < day_end
    RETURNING *)
  INSERT INTO audit_log_moving SELECT * FROM moved;
  EXECUTE format('CREATE TABLE %I PARTITION OF audit_log FOR VALUES FROM (%s) TO (%s)',
                 part, day_start, day_end);
  INSERT INTO audit_log OVERRIDING SYSTEM VALUE SELECT * FROM audit_log_moving;
  DELETE FROM audit_log_moving;
  RETURN TRUE;
END $$;

-- Drops every day partition whose day ends at or before `cutoff` (ms since the epoch) and
-- returns each one's name with its estimated row count (pg_class.reltuples, from the last
-- ANALYZE: counting a day's rows exactly would read the whole partition). The default
-- partition is never dropped. Same lock and lock_timeout as creation.
CREATE FUNCTION audit_log_drop_partitions(cutoff BIGINT)
RETURNS TABLE (partition_name TEXT, estimated_rows BIGINT)
LANGUAGE plpgsql SET lock_timeout = '2s' AS $$
DECLARE
  r RECORD;
BEGIN
  FOR r IN
    SELECT c.relname, c.reltuples,
           substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''?(-?[0-9]+)''?\)')::BIGINT
             AS upper_bound
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'audit_log'::regclass
     ORDER BY 3
  LOOP
    CONTINUE WHEN r.upper_bound IS NULL OR r.upper_bound > cutoff;  -- DEFAULT, or not past
    EXECUTE format('DROP TABLE %I', r.relname);
    partition_name := r.relname;
    estimated_rows := greatest(r.reltuples, 0)::BIGINT;
    RETURN NEXT;
  END LOOP;
END $$;

-- A partition per UTC day that holds rows in the last year (older ones, and anything in
-- the far past or future, go to the default partition and its row-by-row purge), and for
-- today and the next 3 days (the retention job keeps that many ahead).
SELECT audit_log_create_partition(day)
  FROM (SELECT DISTINCT timestamp - timestamp % 86400000 AS day
          FROM audit_log_unpartitioned
         WHERE timestamp >= 0
        UNION
        SELECT (extract(epoch FROM date_trunc('day', now() AT TIME ZONE 'UTC'))::BIGINT
                + 86400 * n) * 1000
          FROM generate_series(0, 3) AS n) AS days
 WHERE day >= (extract(epoch FROM now())::BIGINT - 366 * 86400) * 1000
   AND day <= (extract(epoch FROM now())::BIGINT + 4 * 86400) * 1000
 ORDER BY day;

INSERT INTO audit_log OVERRIDING SYSTEM VALUE
  SELECT id, event_id, event_type, user_id, task_id, event_data, timestamp
    FROM audit_log_unpartitioned;
SELECT setval(pg_get_serial_sequence('audit_log', 'id'),
              greatest((SELECT max(id) FROM audit_log_unpartitioned), 1),
              (SELECT max(id) FROM audit_log_unpartitioned) IS NOT NULL);
DROP TABLE audit_log_unpartitioned;
