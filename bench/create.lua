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

-- Count non-201 answers so that a fast but failing run is visible.
local failures = 0
response = function(status, headers, body)
  if status ~= 201 then failures = failures + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, non-2xx/3xx %d, errors %d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
