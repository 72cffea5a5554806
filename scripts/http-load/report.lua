-- Shared by the wrk scripts: one machine-readable line at the end of a run, for http-load.sh.
-- Latencies are in microseconds; "failed" counts socket errors and timeouts, "non2xx" answers
-- whose status is not 2xx or 3xx.
function report(summary, latency)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d failed=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
