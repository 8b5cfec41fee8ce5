#!/usr/bin/env bash
# What one create costs on PostgreSQL, per binary, interleaved A B A B: CPU time of the server
# and of PostgreSQL (all its processes), transactions committed and WAL written, each divided
# by the creates done (wrk, bench/create.lua, 64 connections, one user). Unlike creates/s these
# figures hardly move when other work shares the machine, so they compare two builds even on
# a busy day; the drain of the relay (audit) is waited for before the counters are read.
#   bench/create_cost.sh BINARY... [-- rounds]      (ROUNDS=3, DURATION=6s)
# PERF=1 also samples the server and PostgreSQL with `perf record -g` during the load (the
# last round's profiles: /tmp/create-perf/<binary>-{server,postgres}.data) and prints the
# top self-time symbols of each (issue 16: where a create's time goes).
# WORKLOAD=list measures GET /tasks?limit=50 (bench/list.lua) instead, on the tasks that
# FILL (default 3s) of creates left, as bench/side_by_side.sh's list-50 does: CPU per list.
# Context switches per operation (the threads' wake-ups, /proc/*/task/*/status) hardly move
# with the machine's load either.
# WORKLOAD=update: PATCHes of random tasks among those (bench/update.lua): CPU per update.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TODO_TEST_DATABASE_URL:-}" ]; then
  exec bash scripts/with-postgres.sh bash "$0" "$@"
fi
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-6s}
WORKLOAD=${WORKLOAD:-create}
case $WORKLOAD in create | list | update) ;; *) echo "WORKLOAD must be create, list or update" >&2; exit 2 ;; esac
export TODO_JWT_SECRET=bench-secret-Vx7Qm2Lp9Rt4Wz8Kc3Nf6Hb1
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# utime+stime in clock ticks of the given pids (and their reaped children)
cpu_ticks() { local t=0 p; for p in "$@"; do [ -r /proc/$p/stat ] && t=$((t + $(awk '{print $14+$15+$16+$17}' /proc/$p/stat))); done; echo $t; }
# context switches (voluntary and not: the thread wake-ups) of the given pids' threads
ctx_switches() {
  local t=0 p
  for p in "$@"; do
    [ -d /proc/$p/task ] || continue
    t=$((t + $(cat /proc/$p/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s + 0}')))
  done
  echo $t
}
# This cluster's processes only (other clusters may run on the machine): the postmaster of
# the data directory and its children.
pg_pids() {
  local dir pm
  dir=$(psql -tAq -d "$TODO_TEST_DATABASE_URL" -c "SELECT setting FROM pg_settings WHERE name = 'data_directory'")
  pm=$(head -1 "$dir/postmaster.pid")
  echo "$pm $(pgrep -P "$pm" | tr '\n' ' ')"
}

run() {
  local bin=$1 port data db server out user token
  port=$(free_port); data=$(mktemp -d /tmp/todo-cost.XXXXXX); db="cost_$RANDOM$RANDOM"
  psql -q -d "$TODO_TEST_DATABASE_URL" -c "CREATE DATABASE $db" >/dev/null
  local url="${TODO_TEST_DATABASE_URL%/*}/$db"
  DATABASE_URL="$url" TODO_LOG_LEVEL=warn "$bin" serve --listen 127.0.0.1:$port --data-dir "$data" 2>/dev/null &
  server=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  out=$(curl -sf "http://127.0.0.1:$port/api/auth/sign-up/email" -H 'Content-Type: application/json' \
    -d "{\"email\":\"cost$RANDOM@example.com\",\"password\":\"bench-password-Qm2L\",\"name\":\"Bench\"}")
  user=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["id"])')
  token=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  drained() { [ "$(psql -tAq -d "$url" -c 'SELECT count(*) FROM outbox')" = 0 ]; }
  if [ "$WORKLOAD" != create ]; then  # the tasks to list or update, written and relayed first
    TODO_USER=$user TODO_TOKEN=$token wrk -t2 -c64 -d"${FILL:-3s}" -s bench/create.lua "http://127.0.0.1:$port" >/dev/null
    for _ in $(seq 600); do drained && break; sleep 0.1; done
  fi
  local pgp; pgp=$(pg_pids)
  local s_cpu s_pg s_x s_wal
  s_cpu=$(cpu_ticks $server); s_pg=$(cpu_ticks $pgp)
  local s_cs s_pgcs; s_cs=$(ctx_switches $server); s_pgcs=$(ctx_switches $pgp)
  s_x=$(psql -tAq -d "$url" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
  s_wal=$(psql -tAq -d "$url" -c "SELECT pg_current_wal_lsn() - '0/0'")
  local reqs perf_pids=()
  if [ "${PERF:-0}" = 1 ]; then
    mkdir -p /tmp/create-perf
    local tag; tag=$(basename "$(dirname "$bin")")-$(basename "$bin")
    perf record -q -F 499 -g -p "$server" -o "/tmp/create-perf/$tag-server.data" >/dev/null 2>&1 &
    perf_pids+=($!)
    perf record -q -F 499 -g -p "$(echo $pgp | tr ' ' ',')" -o "/tmp/create-perf/$tag-postgres.data" >/dev/null 2>&1 &
    perf_pids+=($!)
  fi
  local id_lo id_hi
  id_lo=$(psql -tAq -d "$url" -c "SELECT coalesce(min(id), 0) FROM tasks")
  id_hi=$(psql -tAq -d "$url" -c "SELECT coalesce(max(id), 0) FROM tasks")
  reqs=$(TODO_USER=$user TODO_TOKEN=$token TODO_ID_LO=$id_lo TODO_ID_HI=$id_hi wrk -t2 -c64 -d"$DURATION" -s "bench/$WORKLOAD.lua" \
    "http://127.0.0.1:$port" | awk '/requests in/ {print $1}')
  # wait for the relay to drain (the audit has every event)
  for _ in $(seq 600); do drained && break; sleep 0.1; done
  pgp=$(pg_pids)
  if [ ${#perf_pids[@]} -gt 0 ]; then kill -INT "${perf_pids[@]}"; wait "${perf_pids[@]}" 2>/dev/null || true; fi
  local e_cpu e_pg e_x e_wal
  e_cpu=$(cpu_ticks $server); e_pg=$(cpu_ticks $pgp)
  local e_cs e_pgcs; e_cs=$(ctx_switches $server); e_pgcs=$(ctx_switches $pgp)
  e_x=$(psql -tAq -d "$url" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
  e_wal=$(psql -tAq -d "$url" -c "SELECT pg_current_wal_lsn() - '0/0'")
  kill "$server"; wait "$server" 2>/dev/null || true
  rm -rf "$data"
  psql -q -d "$TODO_TEST_DATABASE_URL" -c "DROP DATABASE $db WITH (FORCE)" >/dev/null
  local hz; hz=$(getconf CLK_TCK)
  python3 - "$reqs" $((e_cpu - s_cpu)) $((e_pg - s_pg)) $((e_x - s_x)) $((e_wal - s_wal)) "$hz" \
    $((e_cs - s_cs)) $((e_pgcs - s_pgcs)) "$WORKLOAD" <<'PY'
import sys
n, cpu, pg, x, wal, hz, cs, pgcs = map(float, sys.argv[1:9])
what = sys.argv[9]
ms = 1000.0 / hz
print(f"{int(n)} {what}s; per {what}: server {cpu*ms/n*1000:.0f} us CPU, postgres {pg*ms/n*1000:.0f} us CPU, "
      f"{x/n:.2f} commits, {wal/n:.0f} WAL bytes, context switches {cs/n:.2f} server + {pgcs/n:.2f} postgres")
PY
}

echo "== $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); workload $WORKLOAD"
for round in $(seq "$ROUNDS"); do
  for bin in "$@"; do echo "round $round $bin: $(run "$bin")"; done
done
if [ "${PERF:-0}" = 1 ]; then
  for f in /tmp/create-perf/*.data; do
    echo "== $f: top self time"
    perf report -q -i "$f" --no-children -g none --sort dso,symbol --percent-limit 1 --stdio 2>/dev/null |
      grep -E '^ +[0-9]' | sed -E 's/ +$//' | cut -c1-140 | head -25
  done
fi
