// Issue 11's webhook figures, against a running single binary started by bench/webhooks.sh
// (which allows http to this script's receiver on 127.0.0.1:RECV_PORT). Bounded in time.
//   node bench/webhooks.mjs deliveries http://127.0.0.1:PORT RECV_PORT [rate=100] [seconds=20] [endpoints=5] [burst=2000]
//     0. the same creates by a user without endpoints, for the server CPU they cost alone (the
//        server's pid in TODO_BENCH_PID; the CPU per delivery is the difference);
//     1. `endpoints` endpoints of one user, tasks created at `rate`/s for `seconds` s: every
//        delivery's signature verified (HMAC-SHA256 with node:crypto), the lag from the
//        event's timestamp to its receipt (p50/p99), and the backlog at the end;
//     2. `burst` tasks created at once (x endpoints deliveries): the drain rate from the first
//        to the last receipt.
//   node bench/webhooks.mjs receiver http://127.0.0.1:PORT RECV_PORT MODE OUT_FILE
//     signs up the user wrk creates for and writes "USER TOKEN" to OUT_FILE, then answers
//     deliveries until SIGTERM (bench/webhooks.sh runs wrk meanwhile). MODE:
//       without     no endpoint anywhere;
//       with        the wrk user has one task.created endpoint: every create is delivered;
//       bg-without  another user creates 100 tasks/s, no endpoint;
//       bg-with     another user with 5 endpoints creates 100 tasks/s: 500 deliveries/s
//                   beside wrk's creates (the "without slowing task writes").
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';

const [mode, base, recvPortArg, ...rest] = process.argv.slice(2);
const recvPort = Number(recvPortArg);

async function json(method, path, token, body) {
  const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

const keys = new Map();  // endpoint path -> secret key bytes
let received = 0, bad = 0;
const lags = [];
const receipts = [];
function receiver(verify) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const now = Date.now();
      const body = Buffer.concat(chunks).toString('utf8');
      received++;
      receipts.push(now);
      if (verify) {
        const key = keys.get(req.url);
        const id = req.headers['webhook-id'], ts = req.headers['webhook-timestamp'];
        const sig = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
        if (req.headers['webhook-signature'] !== `v1,${sig}`) bad++;
        lags.push(now - Date.parse(JSON.parse(body).timestamp));
      }
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) => server.listen(recvPort, '127.0.0.1', () => resolve(server)));
}

async function user() {
  const up = await json('POST', '/api/auth/sign-up/email', null,
    { email: `bench-wh-${Date.now()}-${Math.random()}@example.com`, password: 'bench-password-Qm2L', name: 'Bench' });
  return { id: up.user.id, token: up.token };
}
async function endpoint(u, path) {
  const made = await json('POST', `/api/${u.id}/webhooks`, u.token, { url: `http://127.0.0.1:${recvPort}${path}`, event_types: ['task.created'] });
  keys.set(path, Buffer.from(made.secret.slice('whsec_'.length), 'base64'));
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };

if (mode === 'receiver') {
  const [withArg, outFile] = rest;
  await receiver(false);
  const u = await user();
  if (withArg === 'with') await endpoint(u, '/hook');
  let background = 0;
  if (withArg.startsWith('bg-')) {
    const bg = await user();
    if (withArg === 'bg-with') for (let i = 0; i < 5; i++) await endpoint(bg, `/bg/${i}`);
    const t0 = Date.now();
    (async () => {
      for (;;) {  // 100 creates/s, paced in 10 ms slices
        const due = Math.floor(((Date.now() - t0) / 1000) * 100);
        for (; background < due; background++) json('POST', `/api/${bg.id}/tasks`, bg.token, { title: `bg ${background}` }).catch(() => {});
        await sleep(10);
      }
    })();
  }
  writeFileSync(outFile, `${u.id} ${u.token}\n`);
  process.on('SIGTERM', () => { console.error(`receiver (${withArg}): ${received} deliveries, ${background} background creates`); process.exit(0); });
} else if (mode === 'deliveries') {
  const [rateArg = '100', secondsArg = '20', endpointsArg = '5', burstArg = '2000'] = rest;
  const rate = Number(rateArg), seconds = Number(secondsArg), endpoints = Number(endpointsArg), burst = Number(burstArg);
  const server = await receiver(true);
  const u = await user();
  for (let i = 0; i < endpoints; i++) await endpoint(u, `/hook/${i}`);
  // Server CPU (Linux /proc; TODO_BENCH_PID), for the cost of a delivery whatever the load.
  const cpu = () => {
    if (!process.env.TODO_BENCH_PID) return NaN;
    const f = readFileSync(`/proc/${process.env.TODO_BENCH_PID}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;  // seconds (USER_HZ = 100)
  };
  // `rate` creates per second for `seconds` s, paced in 10 ms slices.
  const steady = async (who, total) => {
    const t0 = Date.now();
    let sent = 0;
    const inflight = new Set();
    while (sent < total) {
      const due = Math.min(total, Math.floor(((Date.now() - t0) / 1000) * rate));
      for (; sent < due; sent++) {
        const p = json('POST', `/api/${who.id}/tasks`, who.token, { title: `webhook bench ${sent}` }).finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await sleep(10);
    }
    await Promise.all(inflight);
    return (Date.now() - t0) / 1000;
  };
  const total = rate * seconds;
  // 0. The same creates by a user without endpoints: the server CPU they cost alone.
  const quiet = await user();
  let c0 = cpu();
  await steady(quiet, total);
  await sleep(1000);
  const cpuWithout = cpu() - c0;
  // 1. Steady, with the endpoints.
  c0 = cpu();
  const createdIn = await steady(u, total);
  const atEnd = received;
  const expected = total * endpoints;
  const deadline = Date.now() + 60_000;
  while (received < expected && Date.now() < deadline) await sleep(50);
  await sleep(1000);
  const cpuWith = cpu() - c0;
  const span = (receipts[expected - 1] - receipts[0]) / 1000;
  console.log(`server CPU for ${total} creates: ${cpuWithout.toFixed(2)} s without endpoints, ${cpuWith.toFixed(2)} s with ${endpoints} each ` +
    `-> ${(((cpuWith - cpuWithout) / expected) * 1e6).toFixed(0)} µs of server CPU per delivery`);
  console.log(`steady: ${total} creates in ${createdIn.toFixed(1)} s (${(total / createdIn).toFixed(0)}/s) -> ${received} of ${expected} deliveries ` +
    `(${(received / span).toFixed(0)}/s over ${span.toFixed(1)} s); backlog when the creates ended ${expected - atEnd}; ` +
    `lag event -> receipt p50 ${pct(lags, 0.5)} ms, p99 ${pct(lags, 0.99)} ms, max ${Math.max(...lags)} ms; bad signatures ${bad}`);
  // 2. Burst: how fast the worker drains a backlog.
  const before = received;
  const b0 = Date.now();
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < burst) { next++; await json('POST', `/api/${u.id}/tasks`, u.token, { title: `webhook burst ${next}` }); }
  }));
  const burstCreated = (Date.now() - b0) / 1000;
  const want = before + burst * endpoints;
  const deadline2 = Date.now() + 120_000;
  while (received < want && Date.now() < deadline2) await sleep(50);
  const drain = (receipts[Math.min(want, received) - 1] - receipts[before]) / 1000;
  console.log(`burst: ${burst} creates in ${burstCreated.toFixed(1)} s -> ${received - before} of ${burst * endpoints} deliveries drained at ` +
    `${((received - before) / drain).toFixed(0)}/s (first to last receipt ${drain.toFixed(1)} s); bad signatures ${bad}`);
  server.close();
  process.exit(0);
} else {
  console.error('usage: see the header of bench/webhooks.mjs');
  process.exit(2);
}
