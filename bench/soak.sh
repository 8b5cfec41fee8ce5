#!/usr/bin/env bash
# Issue 16 item 2: the soak. The single binary under the 1 000-user mix (bench/users.mjs) at
# half the paced rate (think time 0.4 s instead of 0.2 s) for SOAK_MINUTES (30), sampling
# every SOAK_INTERVAL (10) s the server's RSS, open file descriptors and database size into
# a CSV, then a summary table (bench/soak-<stamp>-<backend>.md, the CSV beside it in $OUT).
#
# Fails (exit 1) if any request failed or any check of the generator did, or if a reading
# grows past its tolerance: the largest value of the last third of the run against the
# largest of the middle third (the first third is warm-up: caches fill, the audit fills up
# to its retention window), RSS +SOAK_RSS_TOL % (10), fds +SOAK_FD_TOL % (10, and at least
# 16 more), database +SOAK_DB_TOL % (15), the file alone and with its WAL (SQLite). To be flat the data must be: each user's tasks are
# capped (creates turn into deletes at --max-tasks), and the audit and the stream log keep
# a window of SOAK_MINUTES/6 (at least 20 s; TODO_AUDIT_RETENTION, TODO_STREAM_RETENTION)
# so that the first third of the run reaches the steady state.
#
#   bench/soak.sh [minutes=30]            SOAK_BACKEND=postgres for PostgreSQL
#   SOAK_USERS=1000 SOAK_THINK=0.4 SOAK_INTERVAL=10 bench/soak.sh 2     (the 2-minute proof)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
BACKEND=${SOAK_BACKEND:-sqlite}
[ "$BACKEND" = postgres ] && bench_need_postgres "$0" "$@"
MINUTES=${1:-${SOAK_MINUTES:-30}}
USERS=${SOAK_USERS:-1000}
THINK=${SOAK_THINK:-0.4}
INTERVAL=${SOAK_INTERVAL:-10}
RSS_TOL=${SOAK_RSS_TOL:-10}
FD_TOL=${SOAK_FD_TOL:-10}
DB_TOL=${SOAK_DB_TOL:-15}
OUT=${OUT:-$(mktemp -d /tmp/bench-soak.XXXXXX)}
mkdir -p "$OUT"
seconds=$(python3 -c "print(int(float('$MINUTES') * 60))")
retention=$(( seconds / 6 > 20 ? seconds / 6 : 20 ))
stamp=$(date -u +%Y%m%d-%H%M)
csv="$OUT/soak-$stamp-$BACKEND.csv"
md=${SOAK_REPORT:-bench/soak-$stamp-$BACKEND.md}
[ -x "$BENCH_BIN" ] || { echo "$BENCH_BIN not found: run make build" >&2; exit 1; }
trap 'kill "${sampler:-}" 2>/dev/null || true; bench_cleanup' EXIT

bench_machine | tee "$OUT/machine.txt"
bench_start_todo "$BACKEND" TODO_AUDIT_RETENTION="${retention}s" TODO_AUDIT_RETENTION_INTERVAL="$(( retention / 4 ))s" \
  TODO_STREAM_RETENTION="${retention}s"
echo "== soak: $BACKEND, $USERS users, think time $THINK s, $seconds s, a sample every $INTERVAL s; audit and stream retention $retention s"

db_bytes() {
  if [ "$BACKEND" = postgres ]; then
    psql -tAq -d "$TODO_DB_URL" -c "SELECT pg_database_size(current_database())"
  else
    stat -c %s "$TODO_DATA/todo.db" 2>/dev/null || echo 0
  fi
}
wal_bytes() {
  if [ "$BACKEND" = postgres ]; then echo 0; else stat -c %s "$TODO_DATA/todo.db-wal" 2>/dev/null || echo 0; fi
}
echo "t_s,phase,rss_kb,fds,threads,db_bytes,wal_bytes,load1" >"$csv"
t0=$(date +%s)
(
  while kill -0 "$TODO_PID" 2>/dev/null; do
    now=$(( $(date +%s) - t0 ))
    phase=setup; [ -e "$OUT/load-started" ] && phase=load; [ -e "$OUT/load-ended" ] && phase=after
    echo "$now,$phase,$(awk '/VmRSS/ {print $2}' /proc/"$TODO_PID"/status),$(find /proc/"$TODO_PID"/fd -mindepth 1 -maxdepth 1 | wc -l),$(awk '/Threads/ {print $2}' /proc/"$TODO_PID"/status),$(db_bytes),$(wal_bytes),$(cut -d' ' -f1 /proc/loadavg)" >>"$csv"
    sleep "$INTERVAL"
  done
) &
sampler=$!

status=0
# shellcheck disable=SC2086  # SOAK_ARGS is split on purpose
# The users sign up and seed first (phase "setup"); the sampler marks the load's window.
node bench/users.mjs --label soak --url "$TODO_URL" --users "$USERS" --duration "$seconds" --warmup 0 --think "$THINK" \
  --phases soak --max-tasks 10 --seed-tasks 10 --final-audit 0 --cpu "todo=$TODO_PID" --json "$OUT/soak.json" \
  --start-marker "$OUT/load-started" ${SOAK_ARGS:-} | tee "$OUT/generator.txt" || status=1
touch "$OUT/load-ended"
sleep "$INTERVAL"
kill "$sampler" 2>/dev/null || true

SOAK_COMMAND="SOAK_BACKEND=$BACKEND SOAK_USERS=$USERS SOAK_THINK=$THINK SOAK_INTERVAL=$INTERVAL bench/soak.sh $MINUTES" \
python3 - "$csv" "$md" "$RSS_TOL" "$FD_TOL" "$DB_TOL" "$OUT" "$status" <<'PY' || status=1
import csv, os, sys
path, md, rss_tol, fd_tol, db_tol, out, gen_status = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:6]), sys.argv[6], sys.argv[7]
rows = [r for r in csv.DictReader(open(path))]
load = [r for r in rows if r["phase"] == "load"]
if len(load) < 6:
    print(f"soak: only {len(load)} samples under load; a longer run or a shorter SOAK_INTERVAL is needed")
    sys.exit(1)
n = len(load)
mid, last = load[n // 3: 2 * n // 3], load[2 * n // 3:]
verdicts, ok = [], gen_status == "0"
def check(name, key, tol_pct, min_abs=0, scale=1, unit=""):
    global ok
    a = max(float(r[key]) for r in mid) * scale
    b = max(float(r[key]) for r in last) * scale
    growth = (b - a) / a * 100 if a else 0
    bad = growth > tol_pct and (b - a) > min_abs
    ok = ok and not bad
    verdicts.append(f"| {name} | {a:.1f}{unit} | {b:.1f}{unit} | {growth:+.1f} % | ≤ +{tol_pct:.0f} % | {'**FAIL**' if bad else 'flat'} |")
check("RSS", "rss_kb", rss_tol, scale=1 / 1024, unit=" MiB")
check("open fds", "fds", fd_tol, min_abs=16)
for r in rows:  # on disk the database is its file and its write-ahead log (SQLite)
    r["disk_bytes"] = int(r["db_bytes"]) + int(r["wal_bytes"])
check("database file", "db_bytes", db_tol, scale=1 / 1048576, unit=" MiB")
if any(int(r["wal_bytes"]) for r in rows):
    check("database file + WAL", "disk_bytes", db_tol, scale=1 / 1048576, unit=" MiB")
gen = open(f"{out}/generator.txt").read()
machine = open(f"{out}/machine.txt").read().strip()
step = max(1, len(rows) // 40)
lines = [f"# Soak {path.split('/')[-1][5:-4]}", "", machine.lstrip("= "), "",
         "Command: `" + os.environ["SOAK_COMMAND"] + "`", "",
         "Max of the middle third of the load window vs max of the last third:", "",
         "| reading | middle third | last third | growth | tolerance | verdict |", "|---|---|---|---|---|---|", *verdicts, "",
         f"Generator: {'no error, every check passed' if gen_status == '0' else 'ERRORS or failed checks (see below)'}.", "",
         "| t (s) | phase | RSS (MiB) | fds | threads | database (MiB) | WAL (MiB) | load |", "|---|---|---|---|---|---|---|---|"]
for r in rows[::step] + ([rows[-1]] if (len(rows) - 1) % step else []):
    lines.append(f"| {r['t_s']} | {r['phase']} | {int(r['rss_kb']) / 1024:.1f} | {r['fds']} | {r['threads']} | "
                 f"{int(r['db_bytes']) / 1048576:.1f} | {int(r['wal_bytes']) / 1048576:.1f} | {r['load1']} |")
tail = [l for l in gen.splitlines() if l.startswith(("|", "commit", "CPU", "end-of-run", "result", "connections"))]
lines += ["", "Generator's report (the whole soak as one phase):", "", *tail]
open(md, "w").write("\n".join(lines) + "\n")
print("\n".join(verdicts))
print(f"soak: {'passed' if ok else 'FAILED'}; table in {md}, samples in {path}")
sys.exit(0 if ok else 1)
PY
exit $status
