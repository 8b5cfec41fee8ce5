#!/usr/bin/env bash
# Issue 16, item 7 — audit retention on PostgreSQL: retiring one day of audit_log by DROP of
# its day partition (migration 016) versus the batched DELETE of the unpartitioned table
# (migrations up to 015: what retention did before), on ROWS rows spread over 7 days.
#
# Usage: bash bench/audit_retention.sh [ROWS]        (default 10 000 000; `make bench-audit-retention`)
#
# Runs on a throwaway PostgreSQL 15 (scripts/with-postgres.sh: fsync and full_page_writes
# on, like production) with two databases built from the real migration files: `flat` (all
# but 016) and `part` (all). For each: load ROWS rows (7 days, time-ordered ids as the
# service makes them, an event JSON of ~330 bytes each), VACUUM ANALYZE, CHECKPOINT, then
#   1. quiet: retire the oldest day; time, WAL written (pg_current_wal_lsn before/after),
#      table and index size after; for `flat` also the VACUUM that the DELETE leaves to
#      autovacuum (time, WAL, size after);
#   2. under load: pgbench inserts audit rows (LOAD_CLIENTS clients, transactions of
#      ROWS_PER_INSERT rows, as fast as they go) for BASELINE_S seconds, then the next day is
#      retired while they go on: insert transactions per second and their latency p99 / max
#      before and during the retirement.
# Prints one markdown table (bench/RESULTS.md, "Issue 16 — audit retention").
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${AUDIT_BENCH_INNER:-}" ]; then
  exec env AUDIT_BENCH_INNER=1 bash scripts/with-postgres.sh bash "$0" "$@"
fi

ROWS=${1:-10000000}
BATCH=${BATCH:-1000}            # the retention job's batch (RetentionJob batch_rows)
LOAD_CLIENTS=${LOAD_CLIENTS:-2}
ROWS_PER_INSERT=${ROWS_PER_INSERT:-1}  # rows per insert transaction (the consumer batches)
BASELINE_S=${BASELINE_S:-10}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
url=$TODO_TEST_DATABASE_URL
base=${url%/*}
work=$(mktemp -d /tmp/audit-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$base/$1" -c "$2"; }
now_ms() { date +%s%3N; }

DAY=86400000
today=$(( $(date -u +%s) / 86400 * DAY ))
day0=$(( today - 7 * DAY ))  # the oldest day; the load covers day0 .. day0 + 7 days

setup() {  # db, migrations...
  local db=$1; shift
  q postgres "CREATE DATABASE $db"
  for f in "$@"; do psql -X -q -1 -v ON_ERROR_STOP=1 "$base/$db" -f "$f" >/dev/null; done
  if [ "$db" = part ]; then
    q "$db" "SELECT count(*) FILTER (WHERE audit_log_create_partition(d))
             FROM generate_series($day0, $today, $DAY) d" >/dev/null
  fi
  # Rows in time order (ids grow with time as in the service), ~1.43 M per day at 10 M.
  q "$db" "INSERT INTO audit_log (event_id, event_type, user_id, task_id, event_data, timestamp)
    SELECT lpad(to_hex(t), 12, '0') || '-7000-8000-' || lpad(to_hex(g), 12, '0'), 'updated',
           'u_' || (g % 1000), g,
           '{\"event_id\":\"' || g || '\",\"event_type\":\"updated\",\"schema_version\":1,'
           || '\"timestamp\":\"2026-11-30T12:00:00.000Z\",\"user_id\":\"u_' || (g % 1000)
           || '\",\"task_id\":' || g || ',\"task_version\":2,\"task_data\":{\"id\":' || g
           || ',\"title\":\"Task number ' || g || '\",\"priority\":\"medium\",\"tags\":[\"home\"],'
           || '\"completed\":false,\"due_at\":null,\"version\":2}}', t
      FROM (SELECT g, $day0 + g * (7 * $DAY::bigint) / ($ROWS + 1) AS t
              FROM generate_series(1, $ROWS) g) s" >/dev/null
  q "$db" "VACUUM ANALYZE audit_log" >/dev/null
  q "$db" "CHECKPOINT" >/dev/null
}

# Table and index bytes of audit_log (all its partitions).
sizes() {
  local rels="SELECT relid FROM pg_partition_tree('audit_log') WHERE isleaf"
  [ "$1" = part ] || rels="SELECT 'audit_log'::regclass AS relid"
  q "$1" "SELECT pg_size_pretty(sum(pg_table_size(relid))) || ' + ' ||
                 pg_size_pretty(sum(pg_indexes_size(relid))) FROM ($rels) r"
}
lsn() { q "$1" "SELECT pg_current_wal_lsn()"; }
wal_since() { q "$1" "SELECT pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), '$2'))"; }

# Retires the day starting at $2 the way the table allows.
retire() {
  local db=$1 day=$2
  if [ "$db" = part ]; then
    q "$db" "SELECT count(*) FROM audit_log_drop_partitions($day + $DAY)" >/dev/null
  else
    # The statement RetentionJob ran before partitioning, each batch its own transaction.
    q "$db" "DO \$\$ DECLARE n bigint; BEGIN LOOP
               DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log
                 WHERE timestamp < $day + $DAY ORDER BY timestamp LIMIT $BATCH);
               GET DIAGNOSTICS n = ROW_COUNT; COMMIT; EXIT WHEN n < $BATCH; END LOOP; END \$\$"
  fi
}

# Insert rate and latency (p99, max) of pgbench transactions that ended in [from, to) ms.
window_stats() {
  cat "$work"/pgbench_log.* |
    awk -v from="$1" -v to="$2" '{ t = $5 * 1000 + int($6 / 1000); if (t >= from && t < to) print $3 / 1000 }' |
    sort -n | awk -v secs="$(( $2 - $1 ))" '
      { lat[NR] = $1 }
      END { if (NR == 0) { print "0/s | - | -"; exit }
            i = int(NR * 0.99); if (i < 1) i = 1
            printf "%.0f/s | %.1f ms | %.0f ms\n", NR / (secs / 1000), lat[i], lat[NR] }'
}

migrations=(migrations/postgres/*.sql)
flat_migrations=()
for f in "${migrations[@]}"; do [[ $(basename "$f") == 016_* ]] || flat_migrations+=("$f"); done

echo "audit retention bench: $ROWS rows over 7 days, batch $BATCH, $LOAD_CLIENTS insert clients x $ROWS_PER_INSERT rows" >&2
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
rows=()
for db in flat part; do
  t0=$(now_ms)
  if [ "$db" = flat ]; then setup flat "${flat_migrations[@]}"; else setup part "${migrations[@]}"; fi
  echo "$db: loaded in $(( ($(now_ms) - t0) / 1000 )) s; $(sizes "$db")" >&2
  before=$(sizes "$db")

  # 1. quiet
  l0=$(lsn "$db"); t0=$(now_ms)
  retire "$db" "$day0"
  ms=$(( $(now_ms) - t0 )); wal=$(wal_since "$db" "$l0"); after=$(sizes "$db")
  vacuum="—"
  if [ "$db" = flat ]; then
    l0=$(lsn "$db"); t0=$(now_ms)
    q "$db" "VACUUM audit_log" >/dev/null
    vacuum="$(( $(now_ms) - t0 )) ms, WAL $(wal_since "$db" "$l0"), after: $(sizes "$db")"
  fi
  left=$(q "$db" "SELECT count(*) FROM audit_log")

  # 2. under load
  cat >"$work/insert.sql" <<'SQL'
\set r random(1, 1000000000000)
INSERT INTO audit_log (event_id, event_type, user_id, task_id, event_data, timestamp) SELECT 'load-' || :client_id || '-' || :r || '-' || i, 'created', 'u_load', :r, '{"event_type":"created"}', (extract(epoch FROM clock_timestamp()) * 1000)::bigint FROM generate_series(1, :rows) i;
SQL
  rm -f "$work"/pgbench_log.*
  (cd "$work" && exec "$PG_BIN/pgbench" -n -c "$LOAD_CLIENTS" -j 1 -T 3600 -l --log-prefix=pgbench_log \
    -D rows="$ROWS_PER_INSERT" -f insert.sql "$base/$db" >/dev/null 2>&1) &
  bench_pid=$!
  sleep 2  # connections up
  b0=$(now_ms); sleep "$BASELINE_S"; b1=$(now_ms)
  retire "$db" $(( day0 + DAY ))
  r1=$(now_ms)
  sleep 2
  kill "$bench_pid" 2>/dev/null || true
  wait "$bench_pid" 2>/dev/null || true
  base_stats=$(window_stats "$b0" "$b1")
  during=$(window_stats "$b1" "$r1")
  echo "$db: retire quiet ${ms} ms, under load $(( r1 - b1 )) ms" >&2
  rows+=("| $db | $ms ms | $wal | $before | $after | $vacuum | $left | $(( r1 - b1 )) ms | $base_stats | $during |")
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

echo "| table | retire 1 day (quiet) | WAL written | table + indexes before | after | VACUUM after (flat) | rows left | retire 1 day under load | insert transactions before: per s, p99, max | during the retirement: per s, p99, max |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
