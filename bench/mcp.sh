#!/usr/bin/env bash
# MCP tools/call add_task over streamable HTTP on SQLite: 32 sessions of one user, 32
# connections (wrk, bench/mcp.lua). Target (issue 12): >= 3 000 calls/s, p99 <= 30 ms.
#   bench/mcp.sh [BINARY]      (DURATION=10s)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/todo}
DURATION=${DURATION:-10s}
export TODO_JWT_SECRET=bench-secret-Vx7Qm2Lp9Rt4Wz8Kc3Nf6Hb1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
data=$(mktemp -d /tmp/todo-mcp-bench.XXXXXX)
TODO_LOG_LEVEL=warn TODO_MCP_MAX_SESSIONS_PER_USER=64 "$BIN" serve --listen 127.0.0.1:$port --data-dir "$data" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
out=$(curl -sf "http://127.0.0.1:$port/api/auth/sign-up/email" -H 'Content-Type: application/json' \
  -d "{\"email\":\"mcp$RANDOM@example.com\",\"password\":\"bench-password-Qm2L\",\"name\":\"Bench\"}")
token=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
sessions=""
for _ in $(seq 32); do
  id=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/mcp" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' -H "Authorization: Bearer $token" \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}}' \
    | awk 'tolower($1)=="mcp-session-id:" {print $2}' | tr -d '\r')
  sessions="$sessions $id"
done
echo "== $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); 32 sessions, 32 connections, $DURATION"
TODO_TOKEN=$token TODO_MCP_SESSIONS=$sessions wrk -t2 -c32 -d"$DURATION" --latency -s bench/mcp.lua \
  "http://127.0.0.1:$port" | grep -E "Requests/sec|p50|Non-2xx"
