#!/usr/bin/env bash
# Issue 4 benchmark: the distributed pipeline (api role + sidecar double -> shared log ->
# audit double -> audit role) on a throwaway PostgreSQL (scripts/with-postgres.sh, fsync
# on). Open-loop mixed operations at TODO_BENCH_RATE (2000) ops/s: sustained rate and
# commit -> audit-row latency, then a TODO_BENCH_OUTAGE_S (30) s outage of the api's
# sidecar and the drain of its backlog. See bench/distributed.mjs for every knob.
# Usage: make bench-distributed. Bounded: killed after TODO_BENCH_TIMEOUT (300) s.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TODO_TEST_DATABASE_URL:-}" ]; then
  exec bash scripts/with-postgres.sh bash "$0" "$@"
fi
[ -x build/todo ] || { echo "build/todo not found: run make build" >&2; exit 1; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== node $(node --version); build/todo of $(date -r build/todo "+%F %T"), tree at $(git rev-parse --short HEAD 2>/dev/null || echo "?")"
# SIGTERM first (the harness kills its children on exit), SIGKILL 10 s later.
exec timeout -k 10 "${TODO_BENCH_TIMEOUT:-300}" node bench/distributed.mjs
