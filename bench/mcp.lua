-- wrk script: MCP tools/call add_task over streamable HTTP (POST /mcp), spread over the
-- sessions in env TODO_MCP_SESSIONS (space-separated ids, all of TODO_TOKEN's user).
local token = os.getenv("TODO_TOKEN")
local sessions = {}
for id in string.gmatch(os.getenv("TODO_MCP_SESSIONS"), "%S+") do sessions[#sessions + 1] = id end
local counter = 0
wrk.method = "POST"
wrk.path = "/mcp"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["MCP-Protocol-Version"] = "2025-06-18"

request = function()
  counter = counter + 1
  -- wrk.format takes these instead of wrk.headers, not on top of them.
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Mcp-Session-Id"] = sessions[(counter % #sessions) + 1]
  local body = string.format(
    '{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"add_task","arguments":' ..
    '{"title":"Benchmark task %d","priority":"high","tags":["bench","mcp"],' ..
    '"due_at":"2026-12-01T09:00:00Z"}}}', counter, counter)
  return wrk.format(nil, nil, headers, body)
end

dofile("bench/report.lua")
