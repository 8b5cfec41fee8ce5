#!/usr/bin/env bash
# Issue 11's webhook figures (bench/webhooks.mjs) against the single binary, on SQLite and, with
# TODO_BENCH_POSTGRES=1, on a throwaway PostgreSQL too:
#   1. deliveries: 5 endpoints, creates at `rate`/s for `seconds` s (rate x 5 deliveries/s,
#      signatures verified by the receiver), then a burst of `burst` creates drained;
#   2. creates: wrk (bench/create.lua, 64 connections, 10 s), `rounds` rounds of four fresh
#      servers: beside 100 creates/s of another user without endpoints, and with 5 endpoints
#      (500 deliveries/s); and for a user without and with one task.created endpoint (every
#      one of wrk's creates delivered). See bench/webhooks.mjs (receiver modes).
#   bench/webhooks.sh [rate=100] [seconds=20] [burst=2000] [rounds=2]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${TODO_BENCH_POSTGRES:-0}" = 1 ] && [ -z "${TODO_TEST_DATABASE_URL:-}" ]; then
  exec bash scripts/with-postgres.sh bash "$0" "$@"
fi
export TODO_JWT_SECRET=bench-secret-Vx7Qm2Lp9Rt4Wz8Kc3Nf6Hb1 TODO_SIGN_UPS_PER_HOUR=1000000
RATE=${1:-100}; SECONDS_=${2:-20}; BURST=${3:-2000}; ROUNDS=${4:-2}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SERVER=""; DATA=""; DB=""
start_server() {  # backend recv_port
  local backend=$1 recv=$2 url_args=()
  PORT=$(free_port); DATA=$(mktemp -d /tmp/todo-bench-wh.XXXXXX)
  if [ "$backend" = postgres ]; then
    DB="wh_$RANDOM$RANDOM"
    psql -q -d "$TODO_TEST_DATABASE_URL" -c "CREATE DATABASE $DB" >/dev/null
    url_args=(DATABASE_URL="${TODO_TEST_DATABASE_URL%/*}/$DB")
  fi
  env "${url_args[@]}" TODO_LOG_LEVEL=warn TODO_WEBHOOK_ALLOW_HTTP=1 TODO_WEBHOOK_ALLOW="127.0.0.1:$recv" \
    build/todo serve --listen 127.0.0.1:$PORT --data-dir "$DATA" &
  SERVER=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
}
stop_server() {
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
  rm -rf "$DATA"
  if [ -n "$DB" ]; then psql -q -d "$TODO_TEST_DATABASE_URL" -c "DROP DATABASE $DB WITH (FORCE)" >/dev/null; DB=""; fi
}
creates() {  # backend with|without -> "N/s (p50 .., p99 ..)"
  local recv out rx
  recv=$(free_port); out=$(mktemp)
  start_server "$1" "$recv"
  node bench/webhooks.mjs receiver "http://127.0.0.1:$PORT" "$recv" "$2" "$out" >&2 &
  rx=$!
  for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
  read -r user token <"$out"
  local result
  result=$(TODO_USER=$user TODO_TOKEN=$token wrk -t2 -c64 -d10s -s bench/create.lua "http://127.0.0.1:$PORT" 2>&1)
  kill "$rx"; wait "$rx" 2>/dev/null || true
  stop_server; rm -f "$out"
  echo "$(grep -m1 'Requests/sec' <<<"$result" | awk '{print $2}')/s; $(grep -m1 '^p50' <<<"$result")"
}
echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
backends=(sqlite); [ -n "${TODO_TEST_DATABASE_URL:-}" ] && backends+=(postgres)
for backend in "${backends[@]}"; do
  recv=$(free_port)
  start_server "$backend" "$recv"
  echo "== $backend deliveries"
  TODO_BENCH_PID=$SERVER node bench/webhooks.mjs deliveries "http://127.0.0.1:$PORT" "$recv" "$RATE" "$SECONDS_" 5 "$BURST" || true
  stop_server
done
for round in $(seq "$ROUNDS"); do
  for backend in "${backends[@]}"; do
    echo "round $round $backend creates beside 100 creates/s, no endpoint:      $(creates "$backend" bg-without)"
    echo "round $round $backend creates beside 100 creates/s, 500 deliveries/s: $(creates "$backend" bg-with)"
    echo "round $round $backend creates, no endpoint:                          $(creates "$backend" without)"
    echo "round $round $backend creates, each delivered to one endpoint:       $(creates "$backend" with)"
  done
done
