-- wrk script: PATCH /api/{user}/tasks/{id} with a new priority, the id drawn at random from
-- TODO_ID_LO..TODO_ID_HI (tasks the user has). Needs env TODO_USER, TODO_TOKEN, TODO_ID_LO,
-- TODO_ID_HI. Each answered PATCH is an update with its event (bench/create_cost.sh
-- WORKLOAD=update).
local user = os.getenv("TODO_USER")
local token = os.getenv("TODO_TOKEN")
local lo = tonumber(os.getenv("TODO_ID_LO"))
local hi = tonumber(os.getenv("TODO_ID_HI"))
local priorities = { "low", "medium", "high" }
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }

request = function()
  local path = "/api/" .. user .. "/tasks/" .. math.random(lo, hi)
  local body = '{"priority":"' .. priorities[math.random(3)] .. '"}'
  return wrk.format("PATCH", path, headers, body)
end

dofile("bench/report.lua")
