-- wrk script: GET /api/{user}/tasks?limit=50&q=… over the tasks bench/create.lua made
-- ("Benchmark task <n>", "created by bench/create.lua"). Rotates through a term every task
-- has, a two-word query with a short number (a word start), a 3+ character number inside
-- words, and a term no task has. Needs env TODO_USER, TODO_TOKEN.
local user = os.getenv("TODO_USER")
local token = os.getenv("TODO_TOKEN")
local queries = { "benchmark", "task%2042", "1234", "nothinghere" }
local counter = 0
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. token

request = function()
  counter = counter + 1
  local q = queries[(counter % #queries) + 1]
  return wrk.format(nil, "/api/" .. user .. "/tasks?limit=50&q=" .. q)
end

dofile("bench/report.lua")
