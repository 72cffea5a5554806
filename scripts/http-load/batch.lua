-- wrk: POST /v1/batch, each body a Segment-style batch of BATCH_SIZE track messages over
-- LOAD_USERS users (no messageId: the server assigns one), with a write key.
package.path = os.getenv("HTTP_LOAD_DIR") .. "/?.lua;" .. package.path
require("report")

local size = tonumber(os.getenv("BATCH_SIZE") or "100")
local users = tonumber(os.getenv("LOAD_USERS") or "10000")
local headers = {
  ["Authorization"] = "Bearer " .. (os.getenv("WRITE_KEY") or "none"),
  ["Content-Type"] = "application/json",
}
local names = { "purchase", "page_view", "add_to_cart", "search" }
local counter = 0

function setup(thread)
  thread:set("offset", math.random(0, users - 1))
end

function request()
  local parts = {}
  for i = 1, size do
    counter = counter + 1
    local n = (offset or 0) + counter
    parts[i] = string.format('{"type":"track","userId":"load-%d","event":"%s","properties":{"amount":%d,"currency":"EUR"}}',
      n % users, names[(n % #names) + 1], n % 200)
  end
  return wrk.format("POST", "/v1/batch", headers, '{"batch":[' .. table.concat(parts, ",") .. ']}')
end

function done(summary, latency, requests)
  report(summary, latency)
end
