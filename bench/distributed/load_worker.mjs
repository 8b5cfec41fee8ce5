// The load generator's worker thread (bench/distributed/load.mjs starts TODO_BENCH_WORKERS of
// them). Each owns a slice of the users and their tasks and runs an open-loop schedule of
// mixed operations against the api role (create; update / complete / delete of a task with no
// operation in flight), through the sidecar double's small keep-alive client (raw) or
// node:http (node). Messages: start {rate, durationMs, rampMs}, stop, progress, exit;
// it answers ready, progress and done (acknowledged operations, failures, latencies).
import http from 'node:http';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

import { AppClient } from '../../tests/dapr-double/lib/app_client.mjs';

if (isMainThread) throw new Error('bench/distributed/load_worker.mjs runs as a worker thread of bench/distributed.mjs');
runWorker();

function runWorker() {
  const { port, users, conns, seed, client } = workerData;
  // raw: the sidecar double's small keep-alive client (a third of node:http's CPU per call);
  // node: http.request with a keep-alive agent.
  const agent = new http.Agent({ keepAlive: true, maxSockets: conns, maxFreeSockets: conns });
  const raw = client === 'raw' ? new AppClient({ host: '127.0.0.1', port, maxIdle: conns }) : null;
  let rnd = seed >>> 0;
  const random = () => {  // mulberry32
    rnd = (rnd + 0x6d2b79f5) >>> 0;
    let t = rnd;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const state = users.map((u) => ({ ...u, live: new Map(), ids: [], n: 0 }));  // live: id -> {version, completed, busy}

  function request(method, path, token, body) {
    if (raw) {
      const headers = { Authorization: `Bearer ${token}` };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      return raw.request(method, path, body === undefined ? null : body, headers, 30_000).then((r) => ({ status: r.status, text: r.body }));
    }
    return new Promise((resolve, reject) => {
      const headers = { Authorization: `Bearer ${token}` };
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = Buffer.byteLength(body);
      }
      const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
  }

  let run = null;  // the current load run
  const elu0 = { v: performance.eventLoopUtilization() };

  function pickTask(u) {
    for (let tries = 0; tries < 4 && u.ids.length; tries++) {
      const i = Math.floor(random() * u.ids.length);
      const id = u.ids[i];
      const t = u.live.get(id);
      if (t && !t.busy) return id;
    }
    return null;
  }

  function removeId(u, id) {
    const i = u.ids.indexOf(id);
    if (i >= 0) { u.ids[i] = u.ids[u.ids.length - 1]; u.ids.pop(); }
  }

  async function operation(r, scheduled, measured) {
    const u = state[r.next++ % state.length];
    const c = u.n++;
    let op = 'create';
    let id = null;
    if (u.ids.length && random() >= 0.3) {
      id = pickTask(u);
      if (id !== null) {
        const r2 = random();
        op = r2 < 0.45 ? 'update' : r2 < 0.85 ? 'complete' : 'delete';
      }
    }
    const base = `/api/${u.id}/tasks`;
    const task = id !== null ? u.live.get(id) : null;
    if (task) task.busy = true;
    r.inFlight++;
    const sent = performance.now();
    let status = 0;
    let text = '';
    try {
      let res;
      if (op === 'create') {
        res = await request('POST', base, u.token, JSON.stringify({ title: `b${c}`, priority: ['low', 'medium', 'high'][c % 3], tags: ['bench'] }));
      } else if (op === 'update') {
        res = await request('PATCH', `${base}/${id}`, u.token, JSON.stringify({ description: `n${c}` }));
      } else if (op === 'complete') {
        res = await request('PATCH', `${base}/${id}/complete`, u.token);
      } else {
        res = await request('DELETE', `${base}/${id}`, u.token);
      }
      status = res.status;
      text = res.text;
    } catch (err) {
      text = String(err?.code || err?.message || err);
    }
    const end = performance.now();
    r.inFlight--;
    if (task) task.busy = false;
    const want = op === 'create' ? 201 : op === 'delete' ? 204 : 200;
    if (status !== want) {
      r.failures.push({ op, status, text: text.slice(0, 160) });
      return;
    }
    if (measured) {
      r.latSched.push(end - scheduled);
      r.latSent.push(end - sent);
      r.measuredAcked++;
    }
    const at = Date.now();
    if (op === 'delete') {
      u.live.delete(id);
      removeId(u, id);
      r.acked.push([u.id, id, 'deleted', task.version, at]);
      return;
    }
    const j = JSON.parse(text);
    let type = 'created';
    if (op === 'create') { u.ids.push(j.id); u.live.set(j.id, { version: j.version, completed: j.completed, busy: false }); } else {
      const t = u.live.get(id);
      t.version = j.version;
      t.completed = j.completed;
      type = op === 'update' ? 'updated' : j.completed ? 'completed' : 'updated';  // un-completing is an update
    }
    r.acked.push([u.id, j.id, type, j.version, at]);
  }

  // Open loop: operation i is due at a fixed time. With rampMs the rate grows linearly
  // from 0 during the ramp (warm-up, not measured), then stays at `rate` for durationMs
  // (0: until told to stop).
  function start({ rate, durationMs, rampMs = 0 }) {
    const t0 = performance.now();
    const W = rampMs / 1000;
    const rampOps = (rate * W) / 2;
    const dueAt = (t) => (t < W ? (rate * t * t) / (2 * W) : rampOps + rate * (t - W));       // ops due by t s
    const schedOf = (i) => (i < rampOps ? Math.sqrt((2 * W * i) / rate) : W + (i - rampOps) / rate);  // s
    const r = { rate, acked: [], failures: [], latSched: [], latSent: [], inFlight: 0, issued: 0, next: 0, measuredAcked: 0,
      t0, rampMs, stopAt: durationMs ? t0 + rampMs + durationMs : Infinity, maxBehind: 0, stopping: false };
    run = r;
    // raw: one connection per request in flight, so at most `conns`; node: the agent queues
    const maxInFlight = raw ? conns : conns * 4;
    r.timer = setInterval(() => {
      const now = performance.now();
      const until = Math.min(now, r.stopAt);
      const due = Math.floor(dueAt((until - r.t0) / 1000));
      while (r.issued < due && r.inFlight < maxInFlight) {
        const at = schedOf(r.issued);
        r.issued++;
        operation(r, r.t0 + at * 1000, at >= W).catch((err) => r.failures.push({ op: 'crash', status: 0, text: String(err?.stack || err).slice(0, 300) }));
      }
      r.maxBehind = Math.max(r.maxBehind, due - r.issued);
      if (now >= r.stopAt || r.stopping) finish(r);
    }, 2);
    elu0.v = performance.eventLoopUtilization();
  }

  function finish(r) {
    if (r.finishing) return;
    r.finishing = true;
    clearInterval(r.timer);
    const issuedUntil = performance.now();
    const wait = setInterval(() => {
      if (r.inFlight > 0) return;
      clearInterval(wait);
      const elu = performance.eventLoopUtilization(elu0.v);
      parentPort.postMessage({ type: 'done', acked: r.acked, failures: r.failures, latSched: r.latSched, latSent: r.latSent,
        issued: r.issued, issueMs: issuedUntil - r.t0, measuredMs: issuedUntil - r.t0 - r.rampMs, measuredAcked: r.measuredAcked,
        maxBehind: r.maxBehind, elu: elu.utilization });
      run = null;
    }, 5);
  }

  parentPort.on('message', (m) => {
    if (m.type === 'start') start(m);
    else if (m.type === 'stop' && run) { run.stopping = true; finish(run); }
    else if (m.type === 'progress') parentPort.postMessage({ type: 'progress', acked: run ? run.acked.length : 0, failed: run ? run.failures.length : 0, inFlight: run ? run.inFlight : 0 });
    else if (m.type === 'exit') { agent.destroy(); raw?.destroy(); process.exit(0); }
  });
  parentPort.postMessage({ type: 'ready' });
}
