-- wrk script: GET /api/{user}/tasks?limit=50. Needs env TODO_USER, TODO_TOKEN.
local user = os.getenv("TODO_USER")
local token = os.getenv("TODO_TOKEN")
wrk.method = "GET"
wrk.path = "/api/" .. user .. "/tasks?limit=50"
wrk.headers["Authorization"] = "Bearer " .. token

done = function(summary, latency, requests)
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, non-2xx/3xx %d, errors %d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
