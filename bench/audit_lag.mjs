// Audit lag (commit -> audit row) of the single binary under a fixed rate of task
// operations, read from the server's todo_audit_lag_seconds histogram.
//   node bench/audit_lag.mjs http://127.0.0.1:PORT USER TOKEN [rate/s] [seconds]
// bench/run.sh calls it with 1000 operations/s for 10 s. Bounded in time and count.
import { AppClient } from '../tests/dapr-double/lib/app_client.mjs';

const [base, user, token, rateArg = '1000', secondsArg = '10'] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
// Keep-alive requests through the doubles' lean client, not fetch(): at 1 000/s fetch took a
// good part of a core from the server measured on these 2 cores (bench/RESULTS.md, issue 13).
const url = new URL(base);
const client = new AppClient({ host: url.hostname, port: Number(url.port), maxIdle: 256 });
const call = (method, path, body) => client.request(method, path, body ?? null, headers);

async function histogram() {
  const text = (await client.request('GET', '/metrics', null, {})).body;
  const buckets = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^todo_audit_lag_seconds_bucket\{le="([^"]+)"\} (\d+)/);
    if (m) buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
    const s = line.match(/^todo_audit_lag_seconds_sum (\S+)/);
    if (s) buckets.sum = Number(s[1]);
  }
  return buckets;
}

// Upper bound of the bucket holding quantile q of the observations between two snapshots.
function quantile(before, after, q) {
  const counts = after.map(([le, n], i) => [le, n - (before[i]?.[1] ?? 0)]);
  const total = counts[counts.length - 1][1];
  for (const [le, n] of counts) if (n >= q * total) return { le, total };
  return { le: Infinity, total };
}

const before = await histogram();
let sent = 0, failed = 0, inFlight = 0;
const ids = [];
const start = Date.now();
const ops = ['create', 'create', 'patch', 'complete', 'delete'];
await new Promise((resolve) => {
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - start) / 1000) * rate);
    while (sent < due && sent < rate * seconds && inFlight < 256) {
      const op = ops[sent % ops.length];
      sent++;
      inFlight++;
      let req;
      if (op === 'create' || ids.length === 0) {
        req = call('POST', `/api/${user}/tasks`, JSON.stringify({ title: `lag ${sent}` }))
          .then((r) => { if (r.status === 201) ids.push(JSON.parse(r.body).id); else failed++; });
      } else {
        const id = op === 'delete' ? ids.shift() : ids[ids.length - 1];
        const path = op === 'complete' ? `/api/${user}/tasks/${id}/complete` : `/api/${user}/tasks/${id}`;
        const method = op === 'delete' ? 'DELETE' : 'PATCH';
        req = call(method, path, op === 'patch' ? JSON.stringify({ description: `edited ${sent}` }) : undefined)
          .then((r) => { if (r.status >= 300 && r.status !== 404) failed++; });
      }
      req.catch(() => failed++).finally(() => inFlight--);
    }
    if (sent >= rate * seconds && inFlight === 0) { clearInterval(timer); resolve(); }
  }, 5);
});
const elapsed = (Date.now() - start) / 1000;
await new Promise((r) => setTimeout(r, 500));  // let the last events reach the audit
const after = await histogram();
client.destroy();
const p50 = quantile(before, after, 0.5);
const p99 = quantile(before, after, 0.99);
console.log(`operations: ${sent} in ${elapsed.toFixed(1)} s (${(sent / elapsed).toFixed(0)}/s), failed ${failed}`);
// The mean is exact (the histogram's _sum and _count), so two builds compare finer than the
// bucket bounds of the quantiles.
const mean = p99.total > 0 ? ((after.sum - before.sum) / p99.total) * 1000 : NaN;
console.log(`audit lag over ${p99.total} events: mean ${mean.toFixed(1)} ms, p50 <= ${p50.le * 1000} ms, p99 <= ${p99.le * 1000} ms (histogram bucket bounds)`);
