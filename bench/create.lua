-- wrk script: POST /api/{user}/tasks with a typical body. Needs env TODO_USER, TODO_TOKEN.
local user = os.getenv("TODO_USER")
local token = os.getenv("TODO_TOKEN")
local counter = 0
wrk.method = "POST"
wrk.path = "/api/" .. user .. "/tasks"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

request = function()
  counter = counter + 1
  local body = string.format(
    '{"title":"Benchmark task %d","description":"created by bench/create.lua","priority":"high",' ..
    '"tags":["bench","load"],"due_at":"2026-12-01T09:00:00Z"}', counter)
  return wrk.format(nil, nil, nil, body)
end

dofile("bench/report.lua")
