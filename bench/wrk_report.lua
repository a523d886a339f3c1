-- wrk script for bench/user_sessions.py.
--
-- Sends `Authorization: Bearer <key>` with the keys listed one per line in the file named by
-- the first script argument, taking them in turn: the plan's rate limit counts per key, and
-- one key alone would be refused (429) long before the server is saturated. The requests are
-- formatted once, in init, so that choosing one costs wrk next to nothing.
--
-- When done, prints wrk's summary as one JSON line (latencies in microseconds). wrk counts a
-- response with a status above 399 as a status error.

local requests = {}
local turn = 0

init = function(args)
  local file = args[1] and io.open(args[1])
  if not file then
    return
  end
  for key in file:lines() do
    if key ~= "" then
      requests[#requests + 1] = wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. key })
    end
  end
  file:close()
end

request = function()
  if #requests == 0 then
    return wrk.format()
  end
  turn = turn % #requests + 1
  return requests[turn]
end

done = function(summary, latency, _)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"connect_errors":%d,"read_errors":%d,"write_errors":%d,'
      .. '"status_errors":%d,"timeouts":%d,'
      .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
