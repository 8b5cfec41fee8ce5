-- wrk script: POST /api/{user}/tasks spread over several users (env TODO_USERS =
-- "id:token,id:token,..."). Writes of one user share one database writer (per-user
-- commit order); this shows the throughput when many users write at once.
local users = {}
for pair in string.gmatch(os.getenv("TODO_USERS"), "[^,]+") do
  local id, token = string.match(pair, "([^:]+):(.+)")
  table.insert(users, { id = id, token = token })
end
local counter = 0

request = function()
  counter = counter + 1
  local u = users[(counter % #users) + 1]
  local body = string.format(
    '{"title":"Benchmark task %d","description":"created by bench/create_many_users.lua",' ..
    '"priority":"high","tags":["bench","load"],"due_at":"2026-12-01T09:00:00Z"}', counter)
  return wrk.format("POST", "/api/" .. u.id .. "/tasks",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. u.token }, body)
end

dofile("bench/report.lua")
