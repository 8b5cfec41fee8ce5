// Issue 11's live-update figures against a running single binary (bench/stream.sh starts
// one on SQLite or PostgreSQL):
//   node bench/stream.mjs http://127.0.0.1:PORT [streams=1000] [users=100] [rate=500] [seconds=20]
// 1. `users` accounts, `streams` SSE streams spread over them (GET /api/{user}/stream).
//    Memory per idle stream: the server's RSS (Linux /proc; pass its pid as TODO_BENCH_PID)
//    after the streams are open and idle, minus before, over the number of streams.
// 2. `rate` changes/s (creates and updates, users round-robin) for `seconds` s while every
//    stream is read: for each change, commit -> delivered to EVERY stream of its user (the
//    latest of them), from the event's own `timestamp` (taken in the writing transaction,
//    so it includes the commit) to the moment this process parsed it: p50/p99/max. Also
//    the server's todo_stream_lag_seconds (append -> pushed to the socket queue) p99 bound.
// The streams are read with node:http and a minimal line parser (enough for our own
// well-formed events; the tests use the npm `eventsource` client): 1 000 EventSource
// objects would cost this process more than the server.
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [base, streamsArg = '1000', usersArg = '100', rateArg = '500', secondsArg = '20'] = process.argv.slice(2);
const nStreams = Number(streamsArg), nUsers = Number(usersArg), rate = Number(rateArg), seconds = Number(secondsArg);
const pid = process.env.TODO_BENCH_PID;
const url = new URL(base);
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

async function json(method, path, token, body) {
  const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}
const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// event_id -> how many of its user's streams got it so far (until all of them did)
const pending = new Map();
const byId = new Map();
const lags = [];
let opened = 0, received = 0;

function openStream(user) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: url.hostname, port: url.port, path: `/api/${user.id}/stream`, agent,
      headers: { authorization: `Bearer ${user.token}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`stream: ${res.statusCode}`)); return; }
      opened++;
      resolve(res);
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buf += chunk;
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (!data || !block.includes('event: task')) continue;
          const now = Date.now();
          const e = JSON.parse(data.slice(6));
          received++;
          const seen = (pending.get(e.event_id) ?? 0) + 1;
          if (seen < byId.get(e.user_id).streams) pending.set(e.event_id, seen);
          else {
            lags.push(now - Date.parse(e.timestamp));  // the last of the user's streams
            pending.delete(e.event_id);
          }
        }
      });
    });
    req.on('error', reject);
  });
}

const users = [];
for (let i = 0; i < nUsers; i++) {
  const up = await json('POST', '/api/auth/sign-up/email', null,
    { email: `bench-stream-${Date.now()}-${i}@example.com`, password: 'bench-password-Qm2L', name: 'Bench' });
  users.push({ id: up.user.id, token: up.token, streams: 0, writes: 0, tasks: [] });
  byId.set(up.user.id, users.at(-1));
}
// A task per user to update later.
for (const u of users) u.tasks.push((await json('POST', `/api/${u.id}/tasks`, u.token, { title: 'bench' })).id);
await sleep(1000);

// 1. Streams, and memory per idle stream.
const rssBefore = pid ? rssKb() : 0;
const responses = [];
for (let i = 0; i < nStreams; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, nStreams - i) }, (_, k) => {
    const u = users[(i + k) % nUsers];
    u.streams++;
    return openStream(u).then((r) => responses.push(r));
  }));
}
await sleep(3000);  // idle: the first bytes written, buffers settled
if (pid) {
  const delta = rssKb() - rssBefore;
  console.log(`${opened} streams open over ${nUsers} users: server RSS +${(delta / 1024).toFixed(1)} MiB, ${(delta * 1024 / opened / 1024).toFixed(1)} KiB per idle stream`);
} else console.log(`${opened} streams open (no TODO_BENCH_PID: no memory figure)`);

async function histogram(name) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out = [];
  for (const line of text.split('\n')) {
    const m = line.match(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`));
    if (m) out.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  }
  return out;
}
const lagBefore = await histogram('todo_stream_lag_seconds');

// 2. Writes at `rate`/s: every 20 ms a slice, each write registered before it is sent.
const total = rate * seconds;
let sent = 0, failed = 0, next = 0;
const inflight = new Set();
const t0 = Date.now();
while (sent < total) {
  const due = Math.min(total, Math.floor(((Date.now() - t0) / 1000) * rate));
  for (; sent < due; sent++) {
    const u = users[next++ % nUsers];
    const body = sent % 2 ? { title: `c${sent}` } : { description: `u${sent}` };
    const p = (sent % 2
      ? json('POST', `/api/${u.id}/tasks`, u.token, body)
      : json('PATCH', `/api/${u.id}/tasks/${u.tasks[0]}`, u.token, body))
      .catch(() => { failed++; })
      .finally(() => inflight.delete(p));
    inflight.add(p);
    u.writes++;
  }
  await sleep(20);
}
await Promise.all(inflight);
const writeSeconds = (Date.now() - t0) / 1000;
// Every write's event to every stream of its user (or a deadline: then counted as lost).
const expected = users.reduce((n, u) => n + u.streams * u.writes, 0) - failed * (nStreams / nUsers);
const deadline = Date.now() + 30_000;
while (received < expected && Date.now() < deadline) await sleep(100);
const lagAfter = await histogram('todo_stream_lag_seconds');

lags.sort((a, b) => a - b);
const q = (f) => lags[Math.min(lags.length - 1, Math.floor(f * lags.length))];
console.log(`${sent} writes in ${writeSeconds.toFixed(1)} s (${(sent / writeSeconds).toFixed(0)}/s, ${failed} failed); ` +
  `${received} of ${expected} messages received, ${lags.length} changes delivered to every stream of their user, ${pending.size} not`);
console.log(`commit -> delivered to every stream of the user: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${lags.at(-1)} ms`);
const counts = lagAfter.map(([le, n], i) => [le, n - (lagBefore[i]?.[1] ?? 0)]);
const all = counts.at(-1)?.[1] ?? 0;
const bound = (f) => counts.find(([, n]) => n >= f * all)?.[0];
console.log(`server todo_stream_lag_seconds (append -> socket queue), ${all} pushes: p50 <= ${bound(0.5) * 1000} ms, p99 <= ${bound(0.99) * 1000} ms (bucket bounds)`);
// Where the time goes: commit -> each consumer's effect committed (the relay), the stream's
// consumer (commit -> appended) beside the others for comparison.
{
  const text = await (await fetch(`${base}/metrics`)).text();
  for (const sub of ['stream', 'audit', 'reminders', 'recurrence']) {
    const re = new RegExp(`^todo_event_delivery_lag_seconds_bucket\\{subscriber="${sub}",le="([^"]+)"\\} (\\d+)$`, 'gm');
    const rows = [...text.matchAll(re)].map((m) => [m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
    const n = rows.at(-1)?.[1] ?? 0;
    const b = (f) => rows.find(([, c]) => c >= f * n)?.[0];
    if (n) console.log(`server todo_event_delivery_lag_seconds{subscriber="${sub}"} (commit -> consumer committed), ${n} events: p50 <= ${b(0.5) * 1000} ms, p99 <= ${b(0.99) * 1000} ms`);
  }
}
for (const r of responses) r.destroy();
agent.destroy();
process.exit(0);
