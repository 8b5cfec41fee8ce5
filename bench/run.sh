#!/usr/bin/env bash
# Benchmarks of the HTTP API with wrk (64 connections, 2 threads, bounded time), on a
# fresh SQLite data directory and, when TODO_BENCH_POSTGRES=1, on a throwaway PostgreSQL.
#   bench/run.sh                 SQLite: creates, then list-50
#   TODO_BENCH_POSTGRES=1 bench/run.sh   the same on PostgreSQL (via scripts/with-postgres.sh)
#   TODO_BIN=/path/to/todo bench/run.sh  another binary (e.g. a baseline build, for before/after)
#   TODO_BENCH_REVOKED=1 bench/run.sh    with an ended session in the revocation state
# Usage: make bench. Prints wrk's summary and p50/p99; copy figures into bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
BIN=${TODO_BIN:-./build/todo}
CONNECTIONS=${CONNECTIONS:-64}

if [ "${TODO_BENCH_POSTGRES:-0}" = 1 ] && [ -z "${TODO_TEST_DATABASE_URL:-}" ]; then
  exec bash scripts/with-postgres.sh bash "$0" "$@"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
data=$(mktemp -d /tmp/todo-bench.XXXXXX)
export TODO_JWT_SECRET=bench-secret-6f2a9d4c1e8b7a3f5d0c9e2b4a6f8d1c  # guessable secrets are refused
env_args=()
if [ "${TODO_BENCH_POSTGRES:-0}" = 1 ]; then env_args=(DATABASE_URL="$TODO_TEST_DATABASE_URL"); fi
env "${env_args[@]}" TODO_LOG_LEVEL=warn "$BIN" serve --listen 127.0.0.1:$port --data-dir "$data" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
base=http://127.0.0.1:$port
for _ in $(seq 100); do curl -sf $base/readyz >/dev/null && break; sleep 0.1; done

signup=$(curl -sf $base/api/auth/sign-up/email -H 'Content-Type: application/json' \
  -d "{\"email\":\"bench$RANDOM@example.com\",\"password\":\"bench-password\",\"name\":\"Bench\"}")
export TODO_TOKEN=$(echo "$signup" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
export TODO_USER=$(echo "$signup" | python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["id"])')
if [ "${TODO_BENCH_REVOKED:-0}" = 1 ]; then
  # An ended session in the server's revocation state: every request's check then takes the
  # state's lock and looks up its jti and user instead of one atomic load.
  email=$(echo "$signup" | python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["email"])')
  other=$(curl -sf $base/api/auth/sign-in/email -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"bench-password\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  curl -sf -X POST $base/api/auth/sign-out -H "Authorization: Bearer $other" >/dev/null
  echo "== one ended session in the revocation state (TODO_BENCH_REVOKED=1)"
fi

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== backend: $([ "${TODO_BENCH_POSTGRES:-0}" = 1 ] && echo PostgreSQL || echo SQLite)"
echo "== POST /api/{user}/tasks, $CONNECTIONS connections, $DURATION"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/create.lua "$base"
users=""
for i in $(seq 8); do
  s=$(curl -sf $base/api/auth/sign-up/email -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench$i-$RANDOM@example.com\",\"password\":\"bench-password\",\"name\":\"Bench $i\"}")
  users+="$(echo "$s" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["user"]["id"] + ":" + d["token"])'),"
done
echo "== POST /api/{user}/tasks over 8 users, $CONNECTIONS connections, $DURATION"
TODO_USERS="${users%,}" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/create_many_users.lua "$base"
echo "== GET /api/{user}/tasks?limit=50, $CONNECTIONS connections, $DURATION"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/list.lua "$base"
echo "== GET /api/{user}/tasks?limit=50&q=… (bench/search.lua), $CONNECTIONS connections, $DURATION"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/search.lua "$base"
echo "== audit lag (commit -> audit row) at full create load: todo_audit_lag_seconds"
curl -s $base/metrics | grep -E '^todo_audit_lag_seconds_(bucket\{le="(0.005|0.01|0.025|0.05|0.1|0.25|\+Inf)"|count)'
echo "== audit lag at 1 000 operations/s for 10 s (bench/audit_lag.mjs)"
node bench/audit_lag.mjs "$base" "$TODO_USER" "$TODO_TOKEN" 1000 10
echo "== idle resident memory after the runs: $(ps -o rss= -p $server | awk '{printf "%.1f MB", $1/1024}')"

if [ "${TODO_BENCH_POSTGRES:-0}" != 1 ]; then
  # The same list with the response cache off: what the database path alone sustains.
  kill $server; wait $server 2>/dev/null || true
  TODO_LIST_CACHE_MB=0 TODO_LOG_LEVEL=warn "$BIN" serve --listen 127.0.0.1:$port --data-dir "$data" &
  server=$!
  for _ in $(seq 100); do curl -sf $base/readyz >/dev/null && break; sleep 0.1; done
  echo "== GET /api/{user}/tasks?limit=50 with TODO_LIST_CACHE_MB=0, $CONNECTIONS connections, $DURATION"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/list.lua "$base"
  echo "== GET /api/{user}/tasks?limit=50&q=… with TODO_LIST_CACHE_MB=0, $CONNECTIONS connections, $DURATION"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/search.lua "$base"
fi
