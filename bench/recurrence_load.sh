#!/usr/bin/env bash
# bench/recurrence_load.mjs against build/todo and against BASELINE_BINARY (a build without the
# recurrence consumer), alternately, on SQLite (and PostgreSQL with TODO_BENCH_POSTGRES=1).
#   BASELINE_BINARY=/path/to/todo bench/recurrence_load.sh [rate=500] [seconds=10] [rounds=2]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${TODO_BENCH_POSTGRES:-0}" = 1 ] && [ -z "${TODO_TEST_DATABASE_URL:-}" ]; then
  exec bash scripts/with-postgres.sh bash "$0" "$@"
fi
: "${BASELINE_BINARY:?set BASELINE_BINARY to a build without the recurrence consumer}"
export TODO_JWT_SECRET=bench-secret-Vx7Qm2Lp9Rt4Wz8Kc3Nf6Hb1 TODO_SIGN_UPS_PER_HOUR=1000000
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
run() {
  local bin=$1 backend=$2 port data url_args=()
  port=$(free_port); data=$(mktemp -d /tmp/todo-bench-rl.XXXXXX)
  if [ "$backend" = postgres ]; then
    local db="rl_$RANDOM$RANDOM"
    psql -q -d "$TODO_TEST_DATABASE_URL" -c "CREATE DATABASE $db" >/dev/null
    url_args=(DATABASE_URL="${TODO_TEST_DATABASE_URL%/*}/$db")
  fi
  env "${url_args[@]}" TODO_LOG_LEVEL=warn "$bin" serve --listen 127.0.0.1:$port --data-dir "$data" &
  local server=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  node bench/recurrence_load.mjs "http://127.0.0.1:$port" "${RATE}" "${SECONDS_}" || true
  kill "$server"; wait "$server" 2>/dev/null || true
  rm -rf "$data"
  if [ "$backend" = postgres ]; then psql -q -d "$TODO_TEST_DATABASE_URL" -c "DROP DATABASE ${url_args[0]##*/} WITH (FORCE)" >/dev/null; fi
}
RATE=${1:-500}; SECONDS_=${2:-10}; ROUNDS=${3:-2}
backends=(sqlite); [ -n "${TODO_TEST_DATABASE_URL:-}" ] && backends+=(postgres)
echo "== $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
  for backend in "${backends[@]}"; do
    echo "round $round $backend baseline: $(run "$BASELINE_BINARY" "$backend")"
    echo "round $round $backend new:      $(run build/todo "$backend")"
  done
done
