#!/usr/bin/env bash
# Issue 16 item 6: our binary side by side with the seed's stack, in one sitting, under the same
# wrk settings (bench/create.lua and bench/list.lua: -t2 -c$CONNECTIONS -d$DURATION):
#   baseline     bench/baseline/app.py (FastAPI + SQLAlchemy + psycopg2, two uvicorn workers;
#                a COMPARISON BASELINE only) on a fresh database of the throwaway PostgreSQL
#   postgres     build/todo on a fresh database of the same PostgreSQL
#   sqlite       build/todo on SQLite
#   nginx        nginx returning a fixed JSON body (GET only: the scale of the machine)
# Creates (each with its event in the same transaction), then list of 50 on the tasks just
# created, for each target in turn; ROUNDS rounds. Then the ratios against the issue's targets.
#
#   bench/side_by_side.sh                      DURATION=10s CONNECTIONS=64 ROUNDS=1
#   bash bench/baseline/install-deps.sh        first, once (bench-only packages)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_need_postgres "$0" "$@"
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-1}
PY=/usr/bin/python3  # Debian's, where python3-fastapi & co. are
$PY -c 'import fastapi, uvicorn, sqlalchemy, psycopg2, jwt' 2>/dev/null || { echo "run: bash bench/baseline/install-deps.sh" >&2; exit 1; }
[ -x "$BENCH_BIN" ] || { echo "$BENCH_BIN not found: run make build" >&2; exit 1; }
OUT=${OUT:-$(mktemp -d /tmp/bench-sbs.XXXXXX)}
mkdir -p "$OUT"
baseline_pid=""
trap '[ -n "$baseline_pid" ] && kill "$baseline_pid" 2>/dev/null; bench_cleanup' EXIT

start_baseline() {
  local db port
  db="baseline_$(date +%s)_$RANDOM"
  psql -q -d "$TODO_TEST_DATABASE_URL" -c "CREATE DATABASE $db" >/dev/null
  BASELINE_DB=${TODO_TEST_DATABASE_URL%/*}/$db
  export BASELINE_DATABASE_URL=${BASELINE_DB/postgres:\/\//postgresql+psycopg2://} BASELINE_JWT_SECRET=$BENCH_JWT_SECRET
  $PY bench/baseline/app.py init
  port=$(bench_free_port)
  $PY -m uvicorn --app-dir bench/baseline app:app --workers 2 --host 127.0.0.1 --port "$port" \
    --no-access-log --log-level warning >"$OUT/baseline.log" 2>&1 &
  baseline_pid=$!
  BASELINE_URL=http://127.0.0.1:$port
  for _ in $(seq 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASELINE_URL/api/x/tasks")" = 401 ] && return 0
    sleep 0.1
  done
  echo "the baseline did not start: $(tail -5 "$OUT/baseline.log")" >&2
  return 1
}

# wrk against URL with SCRIPT (as USER/TOKEN) -> "rps p50 p99 non2xx errors"
measure() {
  local url=$1 script=$2 user=$3 token=$4
  TODO_USER=$user TODO_TOKEN=$token wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" "$url" >"$OUT/wrk.txt" 2>&1 || true
  awk '/Requests\/sec/ {rps=$2} /^p50 / {gsub(",", ""); p50=$2; p99=$5; bad=$8; err=$10} END {print rps, p50, p99, bad, err}' "$OUT/wrk.txt"
}

signup_ours() {  # -> "user token"
  curl -sf "$1/api/auth/sign-up/email" -H 'Content-Type: application/json' \
    -d "{\"email\":\"sbs$RANDOM$RANDOM@example.com\",\"password\":\"bench-password-Qm2L-7x\",\"name\":\"Bench\"}" |
    $PY -c 'import json,sys; d=json.load(sys.stdin); print(d["user"]["id"], d["token"])'
}

bench_machine
echo "== wrk -t2 -c$CONNECTIONS -d$DURATION; $ROUNDS round(s); output in $OUT"
results="$OUT/results.txt"
: >"$results"
for round in $(seq "$ROUNDS"); do
  # the seed's stack
  start_baseline
  buser="u_bench_$RANDOM"
  btoken=$($PY -c "import jwt,time,sys; print(jwt.encode({'sub': sys.argv[1], 'exp': int(time.time()) + 3600}, sys.argv[2], algorithm='HS256'))" "$buser" "$BENCH_JWT_SECRET")
  echo "round $round baseline create $(measure "$BASELINE_URL" bench/create.lua "$buser" "$btoken")" | tee -a "$results"
  echo "round $round baseline list $(measure "$BASELINE_URL" bench/list.lua "$buser" "$btoken")" | tee -a "$results"
  kill "$baseline_pid"; wait "$baseline_pid" 2>/dev/null || true; baseline_pid=""
  psql -q -d "$TODO_TEST_DATABASE_URL" -c "DROP DATABASE ${BASELINE_DB##*/} WITH (FORCE)" >/dev/null
  # ours
  for backend in postgres sqlite; do
    bench_start_todo "$backend"
    read -r ouser otoken < <(signup_ours "$TODO_URL")
    echo "round $round $backend create $(measure "$TODO_URL" bench/create.lua "$ouser" "$otoken")" | tee -a "$results"
    echo "round $round $backend list $(measure "$TODO_URL" bench/list.lua "$ouser" "$otoken")" | tee -a "$results"
    bench_stop_todo
  done
  bench_start_nginx auto
  echo "round $round nginx fixed $(measure "$NGINX_URL/fixed.json" bench/report.lua - -)" | tee -a "$results"
  bench_stop_nginx
done
echo "== load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

$PY - "$results" <<'PY'
import sys
from collections import defaultdict
rows = defaultdict(list)
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) < 9 or f[4] == "":
        continue
    _, rnd, target, what, rps, p50, p99, bad, err = f[:9]
    rows[(target, what)].append((float(rps), float(p99), int(bad), int(err)))
def best(k):
    xs = rows.get(k)
    return max(xs) if xs else None
print("\n| workload | requests/s | p99 ms | non-2xx / socket errors |")
print("|---|---|---|---|")
for k in [("baseline", "create"), ("postgres", "create"), ("sqlite", "create"), ("baseline", "list"), ("postgres", "list"), ("sqlite", "list"), ("nginx", "fixed")]:
    for (rps, p99, bad, err) in rows.get(k, []):
        print(f"| {k[0]} {k[1]} | {rps:,.0f} | {p99:.1f} | {bad} / {err} |")
b_c, p_c, s_c, b_l, p_l, n = (best(("baseline", "create")), best(("postgres", "create")), best(("sqlite", "create")),
                              best(("baseline", "list")), best(("postgres", "list")), best(("nginx", "fixed")))
print("\n| ratio (best round of each) | measured | target |")
print("|---|---|---|")
if b_c and p_c:
    print(f"| PostgreSQL creates / baseline creates | {p_c[0] / b_c[0]:.1f}x (p99 {p_c[1]:.1f} ms) | >= 20x, p99 <= 50 ms |")
if b_l and p_l:
    print(f"| PostgreSQL list-50 / baseline list-50 | {p_l[0] / b_l[0]:.1f}x | >= 50x |")
if s_c and n:
    print(f"| SQLite creates / nginx fixed JSON | {100 * s_c[0] / n[0]:.1f} % (p99 {s_c[1]:.1f} ms) | >= 15 %, p99 <= 20 ms |")
PY
