-- Shared wrk `done` hook: prints p50/p99 and counts failures, so that a fast but failing
-- run is visible. Loaded by the other scripts with dofile (bench/run.sh runs from the root).
done = function(summary, latency, requests)
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, non-2xx/3xx %d, errors %d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
