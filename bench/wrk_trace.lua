-- wrk script: cycle through a query trace, one URL-encoded request target per line.
--   wrk -t1 -c16 -d10s --latency -s bench/wrk_trace.lua http://127.0.0.1:8000 -- paths.txt
-- Each wrk thread starts at its own offset in the trace so threads do not replay in lockstep.
-- done() prints one machine-readable line: WRK_JSON {...} (latencies in microseconds).

local next_id = 0

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

local paths = {}
local counter = 0

function init(args)
  local file = args[1] or "paths.txt"
  for line in io.lines(file) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  if #paths == 0 then error("no request paths in " .. file) end
  counter = ((thread_id or 0) * 7919) % #paths
end

function request()
  counter = counter + 1
  if counter > #paths then counter = 1 end
  return wrk.format("GET", paths[counter])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"duration_us":%d,"requests":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"mean":%.1f,"max":%d}}\n',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.mean, latency.max))
end
