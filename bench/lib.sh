#!/usr/bin/env bash
# Shared helpers of the bench scripts (sourced): free ports, the machine line, a todo server
# on SQLite or on a fresh PostgreSQL database, nginx with a throwaway config returning a fixed
# JSON body (the reference of "flat out"), CPU and size readings. Everything listens on
# 127.0.0.1 only. Scripts that need PostgreSQL re-exec themselves through
# scripts/with-postgres.sh first (bench_need_postgres "$0" "$@").
#
#   bench_start_todo sqlite|postgres [ENV=VALUE...]  -> TODO_PID, TODO_URL, TODO_DATA, TODO_DB_URL
#   bench_stop_todo
#   bench_start_nginx [worker_processes]              -> NGINX_PID, NGINX_URL (GET /fixed.json)
#   bench_stop_nginx
#   bench_pg_postmaster                               -> the pid of this cluster's postmaster
# A caller's EXIT trap should call bench_cleanup (stops what is still running).

BENCH_JWT_SECRET=${BENCH_JWT_SECRET:-bench-secret-Vx7Qm2Lp9Rt4Wz8Kc3Nf6Hb1}  # guessable secrets are refused
BENCH_BIN=${TODO_BIN:-./build/todo}
BENCH_TMP=()

bench_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

bench_machine() {
  echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average $(cut -d' ' -f1-3 /proc/loadavg);" \
    "tree $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(date -u '+%F %H:%M UTC')"
}

# Re-runs the calling script through scripts/with-postgres.sh unless a database is given.
bench_need_postgres() {
  if [ -z "${TODO_TEST_DATABASE_URL:-}" ]; then exec bash scripts/with-postgres.sh bash "$@"; fi
}

bench_wait_ready() {
  local url=$1 pid=$2
  for _ in $(seq 600); do
    curl -sf "$url/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "bench: the server exited before it was ready" >&2; return 1; }
    sleep 0.1
  done
  echo "bench: the server was not ready after 60 s" >&2
  return 1
}

bench_start_todo() {
  local backend=$1
  shift
  local port env_args=()
  port=$(bench_free_port)
  TODO_DATA=$(mktemp -d /tmp/todo-bench.XXXXXX)
  BENCH_TMP+=("$TODO_DATA")
  TODO_DB_URL=""
  if [ "$backend" = postgres ]; then
    # a fresh database per server: every run starts from empty tables
    local db
    db="bench_$(date +%s)_$RANDOM"
    psql -q -d "$TODO_TEST_DATABASE_URL" -c "CREATE DATABASE $db" >/dev/null
    TODO_DB_URL="${TODO_TEST_DATABASE_URL%/*}/$db"
    env_args=(DATABASE_URL="$TODO_DB_URL")
  fi
  # 1 000 users sign up and connect from 127.0.0.1: lift the per-address limits
  env "${env_args[@]}" TODO_JWT_SECRET="$BENCH_JWT_SECRET" TODO_LOG_LEVEL=warn TODO_SIGN_UPS_PER_HOUR=1000000 \
    TODO_MAX_CONNECTIONS_PER_ADDRESS=100000 "$@" \
    "$BENCH_BIN" serve --listen 127.0.0.1:"$port" --data-dir "$TODO_DATA" >"$TODO_DATA/server.log" 2>&1 &
  TODO_PID=$!
  TODO_URL=http://127.0.0.1:$port
  bench_wait_ready "$TODO_URL" "$TODO_PID" || { tail -20 "$TODO_DATA/server.log" >&2; return 1; }
}

bench_stop_todo() {
  [ -n "${TODO_PID:-}" ] || return 0
  kill "$TODO_PID" 2>/dev/null || true
  wait "$TODO_PID" 2>/dev/null || true
  TODO_PID=""
  if [ -n "${TODO_DB_URL:-}" ]; then
    psql -q -d "$TODO_TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS ${TODO_DB_URL##*/} WITH (FORCE)" >/dev/null 2>&1 || true
    TODO_DB_URL=""
  fi
}

# nginx from Debian (bench/baseline/install-deps.sh) answering GET /fixed.json with a fixed
# body the size of a task, keep-alive without a request cap, no access log.
BENCH_FIXED_JSON='{"id":42,"user_id":"u_0123456789abcdef","title":"Pay rent","description":"","completed":false,"priority":"high","tags":["home"],"due_at":"2026-12-01T09:00:00Z","created_at":"2026-11-30T10:00:00.000Z","updated_at":"2026-11-30T10:00:00.000Z","completed_at":null,"version":1}'
bench_start_nginx() {
  local workers=${1:-auto} dir port
  command -v nginx >/dev/null || { echo "bench: nginx not found (bash bench/baseline/install-deps.sh)" >&2; return 1; }
  dir=$(mktemp -d /tmp/bench-nginx.XXXXXX)
  BENCH_TMP+=("$dir")
  port=$(bench_free_port)
  cat >"$dir/nginx.conf" <<EOF
worker_processes $workers;
daemon off;
master_process on;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $dir/body; proxy_temp_path $dir/proxy; fastcgi_temp_path $dir/fcgi;
  uwsgi_temp_path $dir/uwsgi; scgi_temp_path $dir/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$port;
    location = /fixed.json { default_type application/json; return 200 '$BENCH_FIXED_JSON'; }
  }
}
EOF
  nginx -c "$dir/nginx.conf" -p "$dir" &
  NGINX_PID=$!
  NGINX_URL=http://127.0.0.1:$port
  for _ in $(seq 100); do curl -sf "$NGINX_URL/fixed.json" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "bench: nginx did not start: $(cat "$dir/error.log")" >&2
  return 1
}

bench_stop_nginx() {
  [ -n "${NGINX_PID:-}" ] || return 0
  kill -QUIT "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=""
}

bench_pg_postmaster() {
  local dir
  dir=$(psql -tAq -d "$TODO_TEST_DATABASE_URL" -c "SELECT setting FROM pg_settings WHERE name = 'data_directory'")
  head -1 "$dir/postmaster.pid"
}

bench_cleanup() {
  bench_stop_todo
  bench_stop_nginx
  local d
  for d in "${BENCH_TMP[@]}"; do rm -rf "$d"; done
}
