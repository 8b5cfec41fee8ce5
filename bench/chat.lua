-- wrk script: POST /api/{user}/chat (TODO_USER, TODO_TOKEN), one new conversation per message.
local token = os.getenv("TODO_TOKEN")
local user = os.getenv("TODO_USER")
local counter = 0
wrk.method = "POST"
wrk.path = "/api/" .. user .. "/chat"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

request = function()
  counter = counter + 1
  local body = string.format('{"message":"add bench task %d tomorrow 9am !high #bench","timezone":"Europe/Paris"}', counter)
  return wrk.format(nil, nil, nil, body)
end

dofile("bench/report.lua")
