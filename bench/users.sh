#!/usr/bin/env bash
# Issue 16 item 1: the 1 000-user load (bench/users.mjs) against each target, in one sitting:
#   sqlite       the single binary on SQLite
#   postgres     the single binary on a fresh database of a throwaway PostgreSQL 15
#   distributed  the api and audit roles over the sidecar doubles (tests/distributed/harness.mjs),
#                plus the audit compared with every acknowledged write (none lost, none doubled)
#   nginx        the reference: nginx returning a fixed JSON body, at the same connection count,
#                flat out through the same generator, and through wrk (-t2) for scale
# Then a summary: per target paced and flat-out ops/s, p99, errors, audit lag p99, the
# generator's CPU, and flat out as a share of nginx's rate.
#
#   bench/users.sh [targets...]          (default: sqlite postgres distributed nginx)
#   USERS=1000 DURATION=60 THINK=0.2 WORKERS=2 bench/users.sh sqlite nginx
#   USERS_ARGS="--sse-share 0.2 --mix list=40,create=20,update=15,complete=5,audit=5" bench/users.sh
# JSON reports go to $OUT (default a temp dir, printed). Exit status 1 when a run had errors
# or failed checks.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sqlite postgres distributed nginx)
for t in "${targets[@]}"; do
  case $t in sqlite | postgres | distributed | nginx) ;; *) echo "unknown target $t" >&2; exit 2 ;; esac
  if [ "$t" = postgres ] || [ "$t" = distributed ]; then bench_need_postgres "$0" "$@"; fi
done
[ -x "$BENCH_BIN" ] || { echo "$BENCH_BIN not found: run make build" >&2; exit 1; }
USERS=${USERS:-1000}
DURATION=${DURATION:-60}
THINK=${THINK:-0.2}
WORKERS=${WORKERS:-2}
PHASES=${PHASES:-paced,flat}
OUT=${OUT:-$(mktemp -d /tmp/bench-users.XXXXXX)}
mkdir -p "$OUT"
common=(--users "$USERS" --duration "$DURATION" --think "$THINK" --workers "$WORKERS")
# shellcheck disable=SC2206  # USERS_ARGS is split on purpose
extra=(${USERS_ARGS:-})
trap bench_cleanup EXIT
bench_machine
echo "== reports in $OUT"
status=0

for t in "${targets[@]}"; do
  case $t in
    sqlite | postgres)
      bench_start_todo "$t"
      cpu="todo=$TODO_PID"
      [ "$t" = postgres ] && cpu+=",postgres=family:$(bench_pg_postmaster)"
      node bench/users.mjs --label "$t" --url "$TODO_URL" "${common[@]}" --phases "$PHASES" --cpu "$cpu" \
        --json "$OUT/$t.json" "${extra[@]}" || status=1
      echo "== server: RSS $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/"$TODO_PID"/status) after the run"
      bench_stop_todo
      ;;
    distributed)
      # The roles read TODO_JWT_SECRET etc. from the harness; it lifts the per-address limit.
      timeout -k 10 "${TODO_BENCH_TIMEOUT:-1200}" node bench/users.mjs --label distributed --distributed "${common[@]}" \
        --phases "$PHASES" --cpu "postgres=family:$(bench_pg_postmaster)" --json "$OUT/distributed.json" "${extra[@]}" || status=1
      ;;
    nginx)
      bench_start_nginx auto
      node bench/users.mjs --label nginx --url "$NGINX_URL" --fixed /fixed.json --users "$USERS" --duration "$DURATION" \
        --workers "$WORKERS" --phases flat --cpu "nginx=family:$NGINX_PID" --json "$OUT/nginx.json" || status=1
      echo "== nginx through wrk -t2 -c$USERS -d10s (the tool of bench/run.sh and the side-by-side)"
      wrk -t2 -c"$USERS" -d10s --latency "$NGINX_URL/fixed.json" | grep -E 'Requests/sec|^ +(50|99)%|Socket errors|Non-2xx' || true
      bench_stop_nginx
      ;;
  esac
done

node --input-type=module - "$OUT" <<'EOF'
import { existsSync, readFileSync } from 'node:fs';
const dir = process.argv[2];
const read = (t) => (existsSync(`${dir}/${t}.json`) ? JSON.parse(readFileSync(`${dir}/${t}.json`, 'utf8')) : null);
const nginx = read('nginx')?.phases[0]?.total.rate;
console.log('\n== summary (ops/s, p99 ms, errors; audit lag p99 of sampled creates; generator CPU in % of one core)');
console.log('| target | paced ops/s | paced p99 | flat ops/s | flat p99 | errors | audit lag p99 paced / flat | generator CPU paced / flat | flat / nginx |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const t of ['sqlite', 'postgres', 'distributed']) {
  const r = read(t);
  if (!r) continue;
  const p = r.phases.find((x) => x.mode === 'paced');
  const f = r.phases.find((x) => x.mode === 'flat');
  const cpu = (x) => (x ? `${((100 * x.generatorCpuS) / x.wallS).toFixed(0)} %` : '-');
  const errors = r.phases.reduce((n, x) => n + x.total.errors + x.checkFailures.length, 0) + (r.final?.problems.length ?? 0);
  console.log(`| ${t} | ${p ? p.total.rate.toFixed(0) : '-'} | ${p ? p.total.p99.toFixed(1) : '-'} | ${f ? f.total.rate.toFixed(0) : '-'} | ` +
    `${f ? f.total.p99.toFixed(1) : '-'} | ${errors} | ${p?.auditLag.p99 ?? '-'} / ${f?.auditLag.p99 ?? '-'} ms | ${cpu(p)} / ${cpu(f)} | ` +
    `${f && nginx ? `${((100 * f.total.rate) / nginx).toFixed(1)} %` : '-'} |`);
}
if (nginx) console.log(`nginx fixed JSON, same generator and connections: ${nginx.toFixed(0)} req/s`);
EOF
exit $status
