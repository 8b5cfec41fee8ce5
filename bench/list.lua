-- wrk script: GET /api/{user}/tasks?limit=50. Needs env TODO_USER, TODO_TOKEN.
local user = os.getenv("TODO_USER")
local token = os.getenv("TODO_TOKEN")
wrk.method = "GET"
wrk.path = "/api/" .. user .. "/tasks?limit=50"
wrk.headers["Authorization"] = "Bearer " .. token

dofile("bench/report.lua")
