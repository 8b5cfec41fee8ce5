#!/usr/bin/env bash
# Before/after in one sitting: creates on SQLite and on PostgreSQL (wrk, bench/create.lua,
# 64 connections) and the commit -> audit lag at 1 000 operations/s (bench/audit_lag.mjs),
# for two binaries, interleaved A B A B ... so that the machine's drift hits both alike.
#   [BACKENDS="sqlite postgres"] bench/compare.sh BASE_BINARY NEW_BINARY [rounds]
# Prints one line per run; copy the figures into bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:?usage: bench/compare.sh BASE_BINARY NEW_BINARY [rounds]}
NEW=${2:?usage: bench/compare.sh BASE_BINARY NEW_BINARY [rounds]}
ROUNDS=${3:-3}
DURATION=${DURATION:-8s}
if [ -z "${TODO_TEST_DATABASE_URL:-}" ]; then
  exec bash scripts/with-postgres.sh bash "$0" "$@"
fi
export TODO_JWT_SECRET=bench-secret-Vx7Qm2Lp9Rt4Wz8Kc3Nf6Hb1
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# run BINARY BACKEND -> "creates/s p99 | audit-lag p50 p99"
run() {
  local bin=$1 backend=$2 port data url_args=() server out user token
  port=$(free_port)
  data=$(mktemp -d /tmp/todo-compare.XXXXXX)
  if [ "$backend" = postgres ]; then
    # A fresh database per run: every run starts from empty tables.
    local db="cmp_$RANDOM$RANDOM"
    psql -q -d "$TODO_TEST_DATABASE_URL" -c "CREATE DATABASE $db" >/dev/null
    url_args=(DATABASE_URL="${TODO_TEST_DATABASE_URL%/*}/$db")
  fi
  env "${url_args[@]}" TODO_LOG_LEVEL=warn "$bin" serve --listen 127.0.0.1:$port --data-dir "$data" &
  server=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  out=$(curl -sf "http://127.0.0.1:$port/api/auth/sign-up/email" -H 'Content-Type: application/json' \
    -d "{\"email\":\"cmp$RANDOM@example.com\",\"password\":\"bench-password-Qm2L\",\"name\":\"Bench\"}")
  user=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["id"])')
  token=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  local creates
  creates=$(TODO_USER=$user TODO_TOKEN=$token wrk -t2 -c64 -d"$DURATION" --latency -s bench/create.lua \
    "http://127.0.0.1:$port" | awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {print rps " /s, p99 " p99}')
  local lag=""
  if [ "$backend" = sqlite ]; then
    lag=$(node bench/audit_lag.mjs "http://127.0.0.1:$port" "$user" "$token" 1000 8 2>&1 | tail -1)
  fi
  kill "$server"; wait "$server" 2>/dev/null || true
  rm -rf "$data"
  if [ "$backend" = postgres ]; then psql -q -d "$TODO_TEST_DATABASE_URL" -c "DROP DATABASE ${url_args[0]##*/} WITH (FORCE)" >/dev/null; fi
  echo "$creates | $lag"
}

echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
  for backend in ${BACKENDS:-sqlite postgres}; do
    for which in base new; do
      bin=$BASE; [ "$which" = new ] && bin=$NEW
      echo "round $round $backend $which: $(run "$bin" "$backend")"
    done
  done
done
