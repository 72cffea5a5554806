-- wrk: GET /v1/decide?userId=hot-N&flag=FLAG over HOT_USERS pre-seeded profiles, with a read key.
-- The fixed-JSON baseline gets the very same requests (it ignores the query and the key).
package.path = os.getenv("HTTP_LOAD_DIR") .. "/?.lua;" .. package.path
require("report")

local users = tonumber(os.getenv("HOT_USERS") or "1000")
local flag = os.getenv("FLAG") or "new_checkout"
local headers = { ["Authorization"] = "Bearer " .. (os.getenv("READ_KEY") or "none") }
local counter = 0

function setup(thread)
  thread:set("offset", math.random(0, users - 1))
end

function request()
  counter = counter + 1
  local user = ((offset or 0) + counter) % users
  return wrk.format("GET", "/v1/decide?userId=hot-" .. user .. "&flag=" .. flag, headers)
end

function done(summary, latency, requests)
  report(summary, latency)
end
