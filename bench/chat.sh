#!/usr/bin/env bash
# POST /api/{user}/chat at concurrency (wrk, bench/chat.lua) on SQLite: messages/s and
# p50/p99. Each message is stored (user message before the agent, reply after) and its tool
# call applied (add_task: task, event, audit). AGENT=builtin (default): the built-in English
# command assistant parses "add bench task N tomorrow 9am !high #bench" (the issue's target:
# >= 1 000 msg/s, p99 <= 50 ms). AGENT=llm: the LLM agent against a fake OpenAI-compatible
# endpoint answering at once (bench/chat_fake_llm.mjs: one add_task round, then text: two LLM
# requests per message), so the chat's own cost plus two local HTTP round trips.
#   bench/chat.sh [BINARY]      (AGENT=builtin DURATION=10s CONNECTIONS=32)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/todo}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
export TODO_JWT_SECRET=bench-secret-Vx7Qm2Lp9Rt4Wz8Kc3Nf6Hb1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
data=$(mktemp -d /tmp/todo-chat-bench.XXXXXX)
AGENT=${AGENT:-builtin}
llm=
llm_env=()
if [ "$AGENT" = llm ]; then
  fifo="$data/llm-port"
  mkfifo "$fifo"
  node bench/chat_fake_llm.mjs >"$fifo" &
  llm=$!
  read -r llm_port <"$fifo"
  llm_env=(TODO_LLM_BASE_URL="http://127.0.0.1:$llm_port/v1" TODO_LLM_MODEL=fake)
fi
env TODO_LOG_LEVEL=warn "${llm_env[@]}" "$BIN" serve --listen 127.0.0.1:$port --data-dir "$data" &
server=$!
trap 'kill $server $llm 2>/dev/null; wait $server $llm 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
out=$(curl -sf "http://127.0.0.1:$port/api/auth/sign-up/email" -H 'Content-Type: application/json' \
  -d "{\"email\":\"chat$RANDOM@example.com\",\"password\":\"bench-password-Qm2L\",\"name\":\"Bench\"}")
token=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
user=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["id"])')
echo "== $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); $CONNECTIONS connections, $DURATION; agent: $AGENT"
TODO_TOKEN=$token TODO_USER=$user wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/chat.lua \
  "http://127.0.0.1:$port" | grep -E "Requests/sec|p50|Non-2xx"
tasks=$(curl -sf "http://127.0.0.1:$port/api/$user/tasks?limit=1" -H "Authorization: Bearer $token" | head -c 200)
echo "== a task made by the chat: $tasks"
