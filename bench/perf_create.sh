#!/usr/bin/env bash
# Issue 16 item 6: where a create's time goes in the server, on SQLite and on PostgreSQL.
# build/todo under wrk (bench/create.lua, -t2 -c64) while `perf record` samples the server
# process alone (PERF_SECONDS, 5, after 2 s of load), then the samples grouped by what they
# are (JSON, auth, validation, HTTP/Asio, the outbox/audit/relay, SQLite, libpq, allocation,
# locks, the kernel: syscalls and networking) and the top symbols. PostgreSQL's own processes
# are not sampled (bench/create_cost.sh gives their CPU per create).
#
#   bench/perf_create.sh [sqlite] [postgres]      (default both; linux-perf from Debian)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(sqlite postgres)
for b in "${backends[@]}"; do [ "$b" = postgres ] && bench_need_postgres "$0" "$@"; done
command -v perf >/dev/null || { echo "perf not found: bash bench/baseline/install-deps.sh" >&2; exit 1; }
SECONDS_SAMPLED=${PERF_SECONDS:-5}
OUT=${OUT:-$(mktemp -d /tmp/bench-perf.XXXXXX)}
mkdir -p "$OUT"
trap bench_cleanup EXIT
bench_machine
for backend in "${backends[@]}"; do
  bench_start_todo "$backend"
  read -r user token < <(curl -sf "$TODO_URL/api/auth/sign-up/email" -H 'Content-Type: application/json' \
    -d "{\"email\":\"perf$RANDOM$RANDOM@example.com\",\"password\":\"bench-password-Qm2L-7x\",\"name\":\"Perf\"}" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["user"]["id"], d["token"])')
  TODO_USER=$user TODO_TOKEN=$token wrk -t2 -c64 -d$((SECONDS_SAMPLED + 3))s -s bench/create.lua "$TODO_URL" >"$OUT/wrk-$backend.txt" 2>&1 &
  wrk_pid=$!
  sleep 2
  perf record -F 999 -g -p "$TODO_PID" -o "$OUT/perf-$backend.data" -- sleep "$SECONDS_SAMPLED" >/dev/null 2>&1
  wait "$wrk_pid" || true
  echo "== $backend: $(grep -E 'Requests/sec' "$OUT/wrk-$backend.txt" | xargs), $(grep -E '^p50' "$OUT/wrk-$backend.txt")"
  perf report -i "$OUT/perf-$backend.data" --no-children --sort dso,sym --stdio --percent-limit 0.01 2>/dev/null |
    grep -E '^ +[0-9.]+%' >"$OUT/report-$backend.txt" || true
  python3 - "$OUT/report-$backend.txt" <<'PY'
import re, sys
cats = [
    ("kernel: syscalls, TCP, scheduling", lambda d, s: d.startswith("[kernel")),
    ("SQLite engine", lambda d, s: "sqlite3" in d or s.startswith("sqlite3")),
    ("libpq (PostgreSQL client)", lambda d, s: "libpq" in d or s.startswith("PQ") or s.startswith("pq")),
    ("JSON (boost::json, task writer)", lambda d, s: re.search(r"json|task_writer|write_task", s, re.I)),
    ("auth (JWT, HMAC, revocation)", lambda d, s: re.search(r"todo::auth|jwt|hmac|sha256|EVP_|libcrypto|sodium", s + d, re.I)),
    ("validation (task fields, libical)", lambda d, s: re.search(r"valid|parse_task|libical|ical", s + d, re.I)),
    ("outbox, relay, audit, consumers", lambda d, s: re.search(r"outbox|relay|audit|consumer|todo::bus|processed_event", s, re.I)),
    ("storage layer (todo::storage)", lambda d, s: "todo::storage" in s),
    ("HTTP and Asio (Beast, coroutines)", lambda d, s: re.search(r"beast|asio|todo::http|coroutine", s, re.I)),
    ("locks and atomics (mutex, futex)", lambda d, s: re.search(r"mutex|futex|lock|condition_variable", s, re.I)),
    ("allocation (malloc/free/new)", lambda d, s: re.search(r"malloc|free|operator new|operator delete|cfree|_int_", s)),
    ("strings and memory (memcpy, std::string)", lambda d, s: re.search(r"mem(cpy|move|set|cmp)|strlen|basic_string|__strchr", s)),
]
totals, tops = {}, []
for line in open(sys.argv[1]):
    m = re.match(r"\s+([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)", line)
    if not m:
        continue
    pct, dso, sym = float(m.group(1)), m.group(2), m.group(3).strip()
    name = next((c for c, f in cats if f(dso, sym)), "other")
    totals[name] = totals.get(name, 0) + pct
    tops.append((pct, dso, sym))
print("| where the server's time goes | share of samples |")
print("|---|---|")
for name, pct in sorted(totals.items(), key=lambda x: -x[1]):
    print(f"| {name} | {pct:.1f} % |")
print("top symbols:")
for pct, dso, sym in sorted(tops, reverse=True)[:12]:
    print(f"  {pct:5.2f} %  {dso}  {sym[:110]}")
PY
  bench_stop_todo
done
echo "== perf data in $OUT (perf report -i $OUT/perf-<backend>.data)"
