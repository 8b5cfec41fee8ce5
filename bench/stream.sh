#!/usr/bin/env bash
# Issue 11 live-update figures (bench/stream.mjs) against the single binary, on SQLite and, with
# TODO_BENCH_POSTGRES=1, on a throwaway PostgreSQL too.
#   bench/stream.sh [streams=1000] [users=100] [rate=500] [seconds=20]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${TODO_BENCH_POSTGRES:-0}" = 1 ] && [ -z "${TODO_TEST_DATABASE_URL:-}" ]; then
  exec bash scripts/with-postgres.sh bash "$0" "$@"
fi
export TODO_JWT_SECRET=bench-secret-Vx7Qm2Lp9Rt4Wz8Kc3Nf6Hb1
export TODO_SIGN_UPS_PER_HOUR=1000000
# Every stream comes from 127.0.0.1 here: lift the per-address cap (256) above the streams.
export TODO_MAX_CONNECTIONS_PER_ADDRESS=100000
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
run() {
  local backend=$1 port data url_args=()
  shift
  port=$(free_port)
  data=$(mktemp -d /tmp/todo-bench-stream.XXXXXX)
  [ "$backend" = postgres ] && url_args=(DATABASE_URL="$TODO_TEST_DATABASE_URL")
  env "${url_args[@]}" TODO_LOG_LEVEL=warn build/todo serve --listen 127.0.0.1:$port --data-dir "$data" &
  local server=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  echo "== $backend"
  TODO_BENCH_PID=$server node bench/stream.mjs "http://127.0.0.1:$port" "$@" || true
  kill "$server"; wait "$server" 2>/dev/null || true
  rm -rf "$data"
}
echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
# TODO_BENCH_ONLY=sqlite|postgres runs one backend.
if [ "${TODO_BENCH_ONLY:-sqlite}" = sqlite ] || [ -z "${TODO_BENCH_ONLY:-}" ]; then run sqlite "$@"; fi
if [ -n "${TODO_TEST_DATABASE_URL:-}" ] && [ "${TODO_BENCH_ONLY:-postgres}" = postgres ]; then run postgres "$@"; fi
