// Issue 4 benchmark: the distributed pipeline (api role + its sidecar double -> shared log
// -> audit double -> audit role, one fresh PostgreSQL database; tests/distributed/harness.mjs
// starts it) under an open-loop load of mixed task operations.
//
//   make bench-distributed      (= bench/distributed.sh: scripts/with-postgres.sh, then this)
//
// Phases (TODO_BENCH_PHASES, comma-separated, default all three, in this order):
//   sustained     a warm-up ramp from 0 to TODO_BENCH_RATE ops/s over TODO_BENCH_WARMUP_S,
//                 then TODO_BENCH_SECONDS at the full rate: achieved ops/s, HTTP latency,
//                 failures, commit -> audit-row latency (after the warm-up, and over all
//                 events), then audit rows = acknowledged operations, no duplicates,
//                 each task's events in order
//   outage-load   the same load; after 5 s the api's sidecar refuses connections (double's
//                 control API) for TODO_BENCH_OUTAGE_S; the load keeps running after the
//                 restore until the backlog is gone (at most 45 s more): peak backlog,
//                 restore -> backlog published / audited, restore -> lag back under 500 ms
//   outage-stop   the same outage, the load stopped at the restore: restore ->
//                 todo_outbox_pending = 0, restore -> every event has its audit row
// Each phase ends with the audit check of its own operations (the rows added since the
// previous check). The run keeps to TODO_BENCH_BUDGET_S (270) by cutting waits; a phase
// that does not fit is skipped and says so.
//
// Commit -> audit-row latency is measured as tests/distributed/harness.mjs (auditLatencies)
// does it: from the event's `timestamp` (taken in the committing transaction, millisecond
// resolution) to the end of the audit double's first successful delivery of that event
// (its --delivery-log; the audit role answers SUCCESS only after its row is committed, so
// this is an upper bound of the row's commit). audit_log has no write-time column. The
// shared log and the delivery log are indexed incrementally (PartitionReader of the
// double), which also splits the latency: commit -> in the log (api relay + api double),
// log -> delivery started (audit double), the delivery itself (audit role).
//
// Load generator: TODO_BENCH_WORKERS worker threads, each owning a slice of the users,
// TODO_BENCH_CONNS keep-alive connections in all, through the double's small HTTP client
// (TODO_BENCH_HTTP=raw, lib/app_client.mjs) or node:http with a keep-alive agent
// (TODO_BENCH_HTTP=node: ~1.5x the generator's CPU). Operations on one task never
// overlap (a task with an operation in flight is not picked), so each task's audit must be
// in the order its operations were answered. HTTP latency is taken from the moment an
// operation was scheduled (open loop: a generator falling behind shows up as latency and
// as "behind schedule"). CPU of every process (api, audit, PostgreSQL, both doubles, this
// generator, everything else) is read from /proc around each window.
//
// Knobs: TODO_BENCH_RATE (2000), TODO_BENCH_SECONDS (20), TODO_BENCH_WARMUP_S (5),
// TODO_BENCH_USERS (200), TODO_BENCH_CONNS (256), TODO_BENCH_WORKERS (2),
// TODO_BENCH_HTTP (raw), TODO_BENCH_OUTAGE_S (30), TODO_BENCH_PHASES,
// TODO_BENCH_AUDIT_INFLIGHT (audit double --max-in-flight; default the double's 32),
// TODO_BENCH_PG_SAMPLE_MS (1000; 0 = no pg_stat_activity sampling),
// TODO_BENCH_METRICS_POLL_MS (1000), TODO_BENCH_BUDGET_S (270); TODO_DIST_KEEP_LOGS=1
// keeps the log dir (harness).
import http from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

import { AppClient } from '../tests/dapr-double/lib/app_client.mjs';

if (isMainThread) await main(); else runWorker();

// ===================================================================================
// Load generator (worker thread)
// ===================================================================================
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

// ===================================================================================
// Orchestration (main thread)
// ===================================================================================
async function main() {
  const { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } = await import('node:fs');
  const H = await import('../tests/distributed/harness.mjs');
  const { PartitionReader, PARTITIONS } = await import('../tests/dapr-double/lib/log.mjs');

  const envNum = (name, dflt) => {
    const v = process.env[name];
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0, not ${v}`);
    return n;
  };
  const RATE = envNum('TODO_BENCH_RATE', 2000);
  const SECONDS = envNum('TODO_BENCH_SECONDS', 20);
  const USERS = envNum('TODO_BENCH_USERS', 200);
  const CONNS = envNum('TODO_BENCH_CONNS', 256);
  const WORKERS = Math.max(1, envNum('TODO_BENCH_WORKERS', 2));
  const WARMUP_S = envNum('TODO_BENCH_WARMUP_S', 5);
  const HTTP_CLIENT = process.env.TODO_BENCH_HTTP || 'raw';
  if (!['raw', 'node'].includes(HTTP_CLIENT)) throw new Error(`TODO_BENCH_HTTP must be raw or node, not ${HTTP_CLIENT}`);
  const OUTAGE_S = envNum('TODO_BENCH_OUTAGE_S', 30);
  const AUDIT_INFLIGHT = envNum('TODO_BENCH_AUDIT_INFLIGHT', 0);
  const PG_SAMPLE_MS = envNum('TODO_BENCH_PG_SAMPLE_MS', 1000);
  // Every /metrics scrape of the api role counts the outbox three times (todo_outbox_pending,
  // _oldest_age_seconds, _backlog: each a scan of the outbox, ~17 ms at a 60 000-row
  // backlog); scraping every 100 ms took ~0.4 core of PostgreSQL during the drain.
  const METRICS_POLL_MS = envNum('TODO_BENCH_METRICS_POLL_MS', 1000);
  // The whole run stays under 5 minutes: waits are cut to what is left of this budget
  // (bench/distributed.sh kills the run at TODO_BENCH_TIMEOUT, 300 s).
  const BUDGET_S = envNum('TODO_BENCH_BUDGET_S', 270);
  const PHASES = (process.env.TODO_BENCH_PHASES || 'sustained,outage-load,outage-stop').split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of PHASES) if (!['sustained', 'outage-load', 'outage-stop'].includes(p)) throw new Error(`unknown phase ${p}`);
  const LAG_TARGET_MS = 500;
  const T_START = Date.now();
  const left = () => T_START + BUDGET_S * 1000 - Date.now();  // ms of the budget left
  const say = (s = '') => console.log(s);
  const since = () => `${((Date.now() - T_START) / 1000).toFixed(1)}s`;
  const fmtMs = (x) => (x === undefined || x === null ? '-' : `${x >= 100 ? x.toFixed(0) : x.toFixed(1)} ms`);
  const pct = (xs, q) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] : undefined);
  const stats = (arr) => {
    const xs = Float64Array.from(arr).sort();
    return { n: xs.length, p50: pct(xs, 0.5), p90: pct(xs, 0.9), p99: pct(xs, 0.99), max: xs.length ? xs[xs.length - 1] : undefined };
  };
  const fmtStats = (s) => `n=${s.n} p50 ${fmtMs(s.p50)}, p90 ${fmtMs(s.p90)}, p99 ${fmtMs(s.p99)}, max ${fmtMs(s.max)}`;

  // ---- the cluster ----
  say(`== distributed pipeline benchmark: rate ${RATE} ops/s, ${SECONDS} s, ${USERS} users, ${WORKERS} generator workers,` +
    ` ${CONNS} connections, outage ${OUTAGE_S} s; phases ${PHASES.join(', ')}`);
  const auditDoubleArgs = AUDIT_INFLIGHT ? ['--max-in-flight', String(AUDIT_INFLIGHT)] : [];
  const cluster = await H.startCluster({ auditDoubleArgs });
  const api = cluster.api;
  const apiDouble = cluster.apis[0].sidecar;
  const audit = cluster.audit.server;
  const auditDouble = cluster.audit.sidecar;
  let workers = [];
  const results = { phases: {} };
  try {
    say(`cluster up at ${since()}: api :${api.port} (double :${apiDouble.daprPort}), audit :${audit.port} (double :${auditDouble.daprPort}), database ${cluster.db.name}`);

    // ---- CPU accounting from /proc ----
    const pgPort = new URL(H.BASE_URL).port;
    const procCpu = (pid) => {
      try {
        const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
        return (Number(f[11]) + Number(f[12])) / 100;  // utime + stime, CLK_TCK 100 -> s
      } catch { return 0; }
    };
    const ppidOf = (pid) => {
      try { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]); } catch { return -1; }
    };
    let postmaster = null;
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
        if (cmd[0].endsWith('/postgres') && cmd.includes('-p') && cmd[cmd.indexOf('-p') + 1] === pgPort) { postmaster = Number(d); break; }
      } catch { /* gone */ }
    }
    const pgCpu = () => {
      if (!postmaster) return 0;
      let t = procCpu(postmaster);
      for (const d of readdirSync('/proc')) if (/^\d+$/.test(d) && ppidOf(Number(d)) === postmaster) t += procCpu(Number(d));
      return t;
    };
    const machineCpu = () => {
      const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      const idle = f[3] + f[4];
      const total = f.reduce((a, b) => a + b, 0);
      return { busy: (total - idle) / 100, total: total / 100 };
    };
    const cpuSnapshot = () => ({
      at: Date.now(), api: procCpu(api.child.pid), audit: procCpu(audit.child.pid), apiDouble: procCpu(apiDouble.child.pid),
      auditDouble: procCpu(auditDouble.child.pid), postgres: pgCpu(), bench: procCpu(process.pid), machine: machineCpu(),
    });
    const cpuDelta = (a, b) => {
      const wall = (b.at - a.at) / 1000;
      const out = {};
      for (const k of ['api', 'audit', 'apiDouble', 'auditDouble', 'postgres', 'bench']) out[k] = (b[k] - a[k]) / wall;
      const ncpu = (b.machine.total - a.machine.total) / wall;
      out.machineBusy = (b.machine.busy - a.machine.busy) / wall;
      out.others = out.machineBusy - ['api', 'audit', 'apiDouble', 'auditDouble', 'postgres', 'bench'].reduce((s, k) => s + out[k], 0);
      out.ncpu = ncpu;
      return out;
    };
    const fmtCpu = (c) => `CPU in cores (of ${c.ncpu.toFixed(1)}): api ${c.api.toFixed(2)}, audit ${c.audit.toFixed(2)}, postgres ${c.postgres.toFixed(2)},` +
      ` api double ${c.apiDouble.toFixed(2)}, audit double ${c.auditDouble.toFixed(2)}, generator ${c.bench.toFixed(2)},` +
      ` other processes ${Math.max(0, c.others).toFixed(2)}; machine busy ${c.machineBusy.toFixed(2)}`;

    // ---- metrics ----
    const parseMetrics = (text) => {
      const m = new Map();
      for (const line of text.split('\n')) {
        // label values may hold braces (route="/api/{user_id}/tasks"): quoted strings as a whole
        const r = /^([a-zA-Z_:][\w:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?\s+(\S+)/.exec(line);
        if (r) m.set(r[1] + (r[2] || ''), Number(r[3]));
      }
      return m;
    };
    const scrape = async (server) => parseMetrics(await server.metrics());
    const sumOf = (m, name, labelPart = '') => {
      let s = 0;
      for (const [k, v] of m) if ((k === name || k.startsWith(`${name}{`)) && k.includes(labelPart)) s += v;
      return s;
    };
    const diffOf = (a, b, name, labelPart = '') => sumOf(b, name, labelPart) - sumOf(a, name, labelPart);
    // Histogram quantile bounds between two scrapes: bucket upper bounds (le).
    const histQ = (a, b, name, labelPart, qs) => {
      const byLe = new Map();  // summed over every matching series (routes, methods)
      for (const [k, v] of b) {
        if (!k.startsWith(`${name}_bucket{`) || !k.includes(labelPart)) continue;
        const le = /le="([^"]+)"/.exec(k)[1];
        const x = le === '+Inf' ? Infinity : Number(le);
        byLe.set(x, (byLe.get(x) || 0) + v - (a.get(k) || 0));
      }
      const buckets = [...byLe].sort((x, y) => x[0] - y[0]);
      const total = buckets.length ? buckets[buckets.length - 1][1] : 0;
      return { total, q: qs.map((q) => (buckets.find(([, n]) => n >= q * total) || [Infinity])[0]) };
    };
    const fmtLe = (le) => (le === Infinity ? '+Inf' : `≤ ${le * 1000} ms`);
    const pending = async () => {
      const v = sumOf(await scrape(api), 'todo_outbox_pending');
      return v;
    };

    // ---- the pipeline's own record: the shared log and the audit double's delivery log ----
    const events = new Map();  // event id -> {commit, logged, delivered, attempts}
    const readers = Array.from({ length: PARTITIONS }, (_, p) => new PartitionReader(cluster.logDir, H.TOPIC, p));
    const dl = { pos: 0, tail: '' };
    const ev = (id) => { let e = events.get(id); if (!e) { e = { commit: null, logged: null, delivered: null }; events.set(id, e); } return e; };
    async function indexLogs() {
      for (const r of readers) {
        for (;;) {
          const lines = await r.readNew(16 * 1024 * 1024);
          if (!lines.length) break;
          for (const { line } of lines) {
            let rec;
            try { rec = JSON.parse(line); } catch { continue; }
            const ce = rec.event;
            if (!ce || typeof ce !== 'object' || !ce.id || rec.producer?.endsWith('/inject')) continue;
            const e = ev(ce.id);
            if (e.logged === null) { e.logged = rec.ts; e.commit = Date.parse(ce.data?.timestamp); } else e.republished = (e.republished || 0) + 1;
          }
        }
      }
      if (!existsSync(cluster.deliveryLog)) return;
      const fd = openSync(cluster.deliveryLog, 'r');
      try {
        const buf = Buffer.allocUnsafe(8 * 1024 * 1024);
        for (;;) {
          const n = readSync(fd, buf, 0, buf.length, dl.pos);
          if (!n) break;
          dl.pos += n;
          const text = dl.tail + buf.toString('utf8', 0, n);
          const lines = text.split('\n');
          dl.tail = lines.pop();
          for (const line of lines) {
            if (!line) continue;
            const d = JSON.parse(line);
            if (!d.id) continue;
            const e = ev(d.id);
            e.attempts = (e.attempts || 0) + 1;
            if (d.result === 'success') {
              if (e.delivered === null) { e.delivered = d.ended; e.started = d.started; } else e.redelivered = (e.redelivered || 0) + 1;
            }
          }
        }
      } finally { closeSync(fd); }
    }
    // Events committed in [from, to): commit -> audit row, commit -> published, published -> delivered.
    function latencyOver(from, to) {
      const total = []; const publish = []; const queue = []; const handle = [];
      let missing = 0; let n = 0; let republished = 0; let redelivered = 0;
      for (const e of events.values()) {
        if (e.commit === null || !(e.commit >= from && e.commit < to)) continue;
        n++;
        republished += e.republished || 0;
        redelivered += e.redelivered || 0;
        if (e.delivered === null) { missing++; continue; }
        total.push(e.delivered - e.commit);
        publish.push(e.logged - e.commit);
        queue.push(e.started - e.logged);
        handle.push(e.delivered - e.started);
      }
      return { n, missing, republished, redelivered, total: stats(total), publish: stats(publish), queue: stats(queue), handle: stats(handle) };
    }
    // commit -> audit-row p99 per `stepMs` window of commit time, and deliveries started per second in it
    function lagTimeline(from, to, stepMs = 2000) {
      const buckets = [];
      for (const e of events.values()) {
        if (e.commit === null || e.delivered === null || !(e.commit >= from && e.commit < to)) continue;
        const i = Math.floor((e.commit - from) / stepMs);
        (buckets[i] ||= []).push(e.delivered - e.commit);
      }
      return Array.from(buckets, (b) => (b ? stats(b).p99 : undefined));
    }

    // ---- pg_stat_activity sampling ----
    const pgSamples = new Map();
    let pgSampling = false;
    async function pgSampler() {
      while (pgSampling) {
        try {
          const rows = await H.psqlRows(cluster.db.url, `SELECT state, backend_type AS type, coalesce(wait_event_type || ':' || wait_event, 'cpu') AS wait,
              left(regexp_replace(query, '\\s+', ' ', 'g'), 48) AS head FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type IN ('client backend', 'autovacuum worker')`);
          for (const r of rows) {
            const who = r.type === 'client backend' ? '' : `${r.type}: `;
            const k = r.state === 'active' ? `${who}active ${r.wait} | ${r.head}` : `${who}${r.state}${r.state === 'idle' ? '' : ` | ${r.head}`}`;
            pgSamples.set(k, (pgSamples.get(k) || 0) + 1);
          }
          pgSamples.set('#samples', (pgSamples.get('#samples') || 0) + 1);
        } catch { /* keep sampling */ }
        await H.sleep(PG_SAMPLE_MS);
      }
    }
    const startPg = () => { pgSamples.clear(); if (PG_SAMPLE_MS > 0) { pgSampling = true; return pgSampler(); } return Promise.resolve(); };
    const printPg = () => {
      const n = pgSamples.get('#samples') || 0;
      if (!n) return;
      say(`  pg_stat_activity (${n} samples, mean connections of the database per state; "cpu" = active, no wait event):`);
      const list = [...pgSamples].filter(([k]) => k !== '#samples').sort((a, b) => b[1] - a[1]).slice(0, 12);
      for (const [k, v] of list) say(`    ${(v / n).toFixed(2)}  ${k}`);
    };

    // ---- users and generator workers ----
    const t0 = Date.now();
    const signed = await H.signUpUsers(api, USERS, { concurrency: 4 });
    const users = signed.map((u) => ({ id: u.user.id, token: u.token }));
    say(`${USERS} users signed up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${since()})`);
    workers = Array.from({ length: WORKERS }, (_, w) => new Worker(new URL(import.meta.url), {
      workerData: { port: api.port, users: users.filter((_, i) => i % WORKERS === w), conns: Math.max(1, Math.floor(CONNS / WORKERS)), seed: 1000 + w, client: HTTP_CLIENT },
    }));
    await Promise.all(workers.map((w) => new Promise((res, rej) => { w.once('message', res); w.once('error', rej); })));
    const ackedAll = [];
    // Starts the load on every worker; returns {stop(), done: Promise<merged result>}
    function startLoad(rate, durationMs = 0, rampMs = 0) {
      const done = Promise.all(workers.map((w) => new Promise((res, rej) => {
        const on = (m) => { if (m.type === 'done') { w.off('message', on); res(m); } };
        w.on('message', on);
        w.once('error', rej);
      }))).then((parts) => {
        const acked = []; const failures = []; const latSched = []; const latSent = [];
        for (const p of parts) {
          for (const a of p.acked) acked.push({ client: `${a[0]}|${a[1]}`, user: a[0], task_id: a[1], type: a[2], version: a[3], at: a[4] });
          for (const f of p.failures) failures.push(f);
          for (const x of p.latSched) latSched.push(x);
          for (const x of p.latSent) latSent.push(x);
        }
        for (const a of acked) ackedAll.push(a);  // (push(...a) overflows the stack past ~100 000)
        return { acked, failures, latSched: stats(latSched), latSent: stats(latSent), issued: parts.reduce((s, p) => s + p.issued, 0),
          issueMs: Math.max(...parts.map((p) => p.issueMs)), measuredMs: Math.max(...parts.map((p) => p.measuredMs)),
          measuredAcked: parts.reduce((s, p) => s + p.measuredAcked, 0), rampMs,
          maxBehind: parts.reduce((s, p) => s + p.maxBehind, 0), elu: parts.map((p) => p.elu) };
      });
      for (const w of workers) w.postMessage({ type: 'start', rate: rate / WORKERS, durationMs, rampMs });
      return { stop: () => { for (const w of workers) w.postMessage({ type: 'stop' }); }, done };
    }
    const progress = () => Promise.all(workers.map((w) => new Promise((res) => {
      const on = (m) => { if (m.type === 'progress') { w.off('message', on); res(m); } };
      w.on('message', on);
      w.postMessage({ type: 'progress' });
    }))).then((ps) => ({ acked: ps.reduce((s, p) => s + p.acked, 0), failed: ps.reduce((s, p) => s + p.failed, 0), inFlight: ps.reduce((s, p) => s + p.inFlight, 0) }));

    const auditCount = async () => Number((await H.psql(cluster.db.url, 'SELECT count(*) FROM audit_log')).trim());
    async function waitAudit(expected, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const n = await auditCount();
        if (n >= expected) return { n, at: Date.now() };
        if (Date.now() > deadline) return { n, at: null };
        await H.sleep(200);
      }
    }
    let lastAuditId = 0;
    // The audit rows written since the previous check, against this phase's acknowledged operations.
    async function checkAudit(acked) {
      const rows = await H.psqlRows(cluster.db.url, `SELECT id, event_id, event_type AS type, user_id AS "user", task_id,
          (event_data::jsonb->>'task_version')::bigint AS version FROM audit_log WHERE id > ${lastAuditId} ORDER BY id`);
      if (rows.length) lastAuditId = rows[rows.length - 1].id;
      const cmp = H.compareAudit(acked, rows);
      const ok = !cmp.missing.length && !cmp.extra.length && !cmp.duplicateOps.length && !cmp.duplicateIds.length && !cmp.orderViolations.length && cmp.rows === cmp.acked;
      return { ...cmp, ok };
    }
    const fmtCheck = (c) => `audit rows ${c.rows} for ${c.acked} acknowledged operations; missing ${c.missing.length}, never acknowledged ${c.extra.length},` +
      ` duplicate operations ${c.duplicateOps.length}, duplicate event ids ${c.duplicateIds.length}, tasks out of order ${c.orderViolations.length}` +
      ` -> ${c.ok ? 'OK' : 'FAILED'}`;
    const rateOf = (l) => l.measuredAcked / (l.measuredMs / 1000);
    const fmtLoad = (l) => {
      const byType = {};
      for (const a of l.acked) byType[a.type] = (byType[a.type] || 0) + 1;
      const ramp = l.rampMs ? ` after a ${(l.rampMs / 1000).toFixed(0)} s warm-up ramp (${l.acked.length - l.measuredAcked} operations, not counted)` : '';
      return `${l.measuredAcked} operations acknowledged in ${(l.measuredMs / 1000).toFixed(1)} s${ramp} = ${rateOf(l).toFixed(0)} ops/s` +
        ` (${JSON.stringify(byType)}); failed ${l.failures.length}${l.failures.length ? ` e.g. ${JSON.stringify(l.failures.slice(0, 3))}` : ''};` +
        ` generator max behind schedule ${l.maxBehind} ops; event-loop use per worker ${l.elu.map((x) => `${(x * 100).toFixed(0)} %`).join(', ')}`;
    };
    async function diagnostics(label, m0, m1, s0, s1, cpu0, cpu1) {
      say(`  ${label}:`);
      const pub = ['published', 'broker_error', 'circuit_open', 'config_error'].map((o) => `${o} ${diffOf(m0.api, m1.api, 'todo_dapr_publish_total', `outcome="${o}"`)}`).join(', ');
      const dlag = histQ(m0.api, m1.api, 'todo_event_delivery_lag_seconds', '', [0.5, 0.99]);
      say(`    api relay: todo_dapr_publish_total ${pub}; todo_event_delivery_lag_seconds (commit -> sidecar 204) over ${dlag.total}: p50 ${fmtLe(dlag.q[0])}, p99 ${fmtLe(dlag.q[1])}`);
      const a0 = s0.api.topics?.[H.TOPIC] || {}; const a1 = s1.api.topics?.[H.TOPIC] || {};
      const bulk = (a1.bulk_requests || 0) - (a0.bulk_requests || 0);
      const single = (s1.api.requests?.publish?.['204'] || 0) - (s0.api.requests?.publish?.['204'] || 0);
      const published = (a1.published || 0) - (a0.published || 0);
      say(`    api double: ${published} published in ${bulk} bulk + ${single} single requests (${bulk + single ? (published / (bulk + single)).toFixed(1) : '-'} events per request)`);
      const d0 = s0.audit.topics?.[H.TOPIC] || {}; const d1 = s1.audit.topics?.[H.TOPIC] || {};
      say(`    audit double: attempts ${(d1.attempts || 0) - (d0.attempts || 0)}, delivered ${(d1.delivered || 0) - (d0.delivered || 0)}, retried ${(d1.retried || 0) - (d0.retried || 0)},` +
        ` dead-lettered ${(d1.dead_lettered || 0) - (d0.dead_lettered || 0)}; consumer lag now ${s1.audit.consumer?.lag?.[H.TOPIC]?.total}, in flight ${s1.audit.consumer?.in_flight}`);
      const outcomes = ['stored', 'duplicate', 'retry', 'dropped'].map((o) => `${o} ${diffOf(m0.audit, m1.audit, 'todo_dapr_deliveries_total', `outcome="${o}"`)}`).join(', ');
      const hd = histQ(m0.audit, m1.audit, 'todo_http_request_duration_seconds', '/dapr/', [0.5, 0.99]);
      const hdAll = histQ(m0.audit, m1.audit, 'todo_http_request_duration_seconds', '', [0.5, 0.99]);
      const useHd = hd.total ? hd : hdAll;
      say(`    audit role: todo_dapr_deliveries_total ${outcomes}; todo_http_request_duration_seconds${hd.total ? ' (/dapr route)' : ' (all routes)'} over ${useHd.total}: p50 ${fmtLe(useHd.q[0])}, p99 ${fmtLe(useHd.q[1])}`);
      const apiHd = histQ(m0.api, m1.api, 'todo_http_request_duration_seconds', 'tasks', [0.5, 0.99]);
      say(`    api role: todo_http_request_duration_seconds (task routes, server side) over ${apiHd.total}: p50 ${fmtLe(apiHd.q[0])}, p99 ${fmtLe(apiHd.q[1])}`);
      for (const [role, a, b] of [['api', m0.api, m1.api], ['audit', m0.audit, m1.audit]]) {
        const parts = [];
        for (const kind of ['write', 'read']) {
          const h = histQ(a, b, 'todo_db_query_duration_seconds', `kind="${kind}"`, [0.5, 0.99]);
          if (h.total) parts.push(`${kind} ${h.total}: p50 ${fmtLe(h.q[0])}, p99 ${fmtLe(h.q[1])}`);
        }
        say(`    ${role} role: todo_db_query_duration_seconds (queue wait included) ${parts.join('; ') || '-'}`);
      }
      say(`    ${fmtCpu(cpuDelta(cpu0, cpu1))}`);
    }
    const snapshot = async () => ({
      m: { api: await scrape(api), audit: await scrape(audit) },
      s: { api: await apiDouble.stats(), audit: await auditDouble.stats() },
      cpu: cpuSnapshot(),
    });
    say(`machine: ${readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ')} load average before the run`);
    say('note: the audit-row time is the end of the audit double\'s first successful delivery (its --delivery-log);' +
      ' commit time is the event\'s timestamp (ms resolution)');

    // =========================== phase: sustained ===========================
    if (PHASES.includes('sustained')) {
      say();
      say(`== sustained: open-loop ${RATE} ops/s for ${SECONDS} s${WARMUP_S ? `, after a ${WARMUP_S} s warm-up ramp from 0 (JIT of the Node doubles and generator, caches)` : ''}`);
      const snap0 = await snapshot();
      const pgDone = startPg();
      const from = Date.now();
      const measuredFrom = from + WARMUP_S * 1000;
      let peakPending = 0;
      const load = startLoad(RATE, SECONDS * 1000, WARMUP_S * 1000);
      let loadDone = false;
      load.done.then(() => { loadDone = true; });
      await H.sleep(Math.max(0, measuredFrom - Date.now()));
      const snapMid0 = { cpu: cpuSnapshot() };
      while (!loadDone) {
        await H.sleep(1000);
        try { peakPending = Math.max(peakPending, await pending()); } catch { /* keep going */ }
      }
      const snapMid1 = { cpu: cpuSnapshot() };
      pgSampling = false;
      await pgDone;
      const l = await load.done;
      const to = Date.now();
      const w = await waitAudit(ackedAll.length, Math.min(60_000, left() - 10_000));
      await H.sleep(1000);
      const snap1 = await snapshot();
      await indexLogs();
      const lat = latencyOver(measuredFrom, to + 1);
      const latAll = latencyOver(from - 1000, to + 1);
      const check = await checkAudit(l.acked);
      say(`  load: ${fmtLoad(l)}`);
      say(`  HTTP latency from the scheduled time: p50 ${fmtMs(l.latSched.p50)}, p99 ${fmtMs(l.latSched.p99)}, max ${fmtMs(l.latSched.max)}` +
        ` (from the send: p50 ${fmtMs(l.latSent.p50)}, p99 ${fmtMs(l.latSent.p99)})`);
      say(`  commit -> audit row over the ${lat.n} events committed after the warm-up (${lat.missing} without a delivery): ${fmtStats(lat.total)}`);
      say(`    commit -> in the log (api relay + api double): ${fmtStats(lat.publish)}`);
      say(`    in the log -> delivery started (audit double: tailing, per-key order, --max-in-flight): ${fmtStats(lat.queue)}`);
      say(`    the delivery, as the audit double times it (audit role's answer incl. its commit): ${fmtStats(lat.handle)}`);
      if (WARMUP_S) say(`  commit -> audit row over all ${latAll.n} events, warm-up included: ${fmtStats(latAll.total)}`);
      say(`  commit -> audit row p99 per 2 s of commit time, from the start of the ramp: ${lagTimeline(from, to).map((x) => (x === undefined ? '-' : x.toFixed(0))).join(' ')} ms`);
      const lastAnswer = Math.max(...l.acked.map((a) => a.at));
      say(`  peak todo_outbox_pending (1 s polls) ${peakPending}; audit complete ${w.at ? `${w.at - lastAnswer} ms after the last answer (200 ms polls)` : `NOT within the time bound (${w.n} of ${ackedAll.length})`}`);
      say(`  check: ${fmtCheck(check)}; published twice ${lat.republished}, delivered twice ${lat.redelivered}`);
      say(`  CPU during the load: ${fmtCpu(cpuDelta(snapMid0.cpu, snapMid1.cpu))}`);
      await diagnostics('where the time goes (whole phase incl. the catch-up)', snap0.m, snap1.m, snap0.s, snap1.s, snap0.cpu, snap1.cpu);
      printPg();
      results.phases.sustained = { ops: rateOf(l), lagAll: latAll.total, p50: l.latSched.p50, p99: l.latSched.p99, failed: l.failures.length, lag: lat.total, check: check.ok, complete: Boolean(w.at) };
    }

    // =========================== phases: outage ===========================
    async function outagePhase(name, keepLoad) {
      say();
      const need = (5 + OUTAGE_S + 25) * 1000;
      if (left() < need) {
        say(`== ${name}: SKIPPED, ${(left() / 1000).toFixed(0)} s left of the ${BUDGET_S} s budget, it needs ~${need / 1000} s`);
        return;
      }
      say(`== ${name}: ${RATE} ops/s, the api's sidecar refuses connections for ${OUTAGE_S} s after 5 s,` +
        ` ${keepLoad ? 'load kept running after the restore until the backlog is gone (at most 45 s)' : 'load stopped at the restore'}`);
      const from = Date.now();
      const rampMs = results.phases.sustained ? 0 : WARMUP_S * 1000;  // warm after the sustained phase
      const load = startLoad(RATE, 0, rampMs);
      let peak = { pending: 0, at: 0 };
      let polling = true;
      let lastPoll = null;
      const poller = (async () => {
        while (polling) {
          try {
            const p = await pending();
            lastPoll = { at: Date.now(), pending: p };
            if (p > peak.pending) peak = { pending: p, at: Date.now() };
          } catch { /* keep polling */ }
          await H.sleep(METRICS_POLL_MS);
        }
      })();
      await H.sleep(5000 + rampMs);
      const tOut = Date.now();
      await apiDouble.fault({ publish: 'refuse' });
      const cpuOut0 = cpuSnapshot();
      let p0 = await progress();
      for (let s = 5; s < OUTAGE_S; s += 5) {
        await H.sleep(5000);
        const p = await progress();
        say(`  outage +${s} s: ${((p.acked - p0.acked) / 5).toFixed(0)} ops/s acknowledged, ${p.failed} failed so far, todo_outbox_pending ${lastPoll?.pending}`);
        p0 = p;
      }
      await H.sleep(Math.max(0, tOut + OUTAGE_S * 1000 - Date.now()));
      const cpuOut1 = cpuSnapshot();
      const acked = await progress();
      let l = null;
      if (!keepLoad) { load.stop(); l = await load.done; }
      const loadStopAt = Date.now();
      await apiDouble.fault({ publish: 'ok' });
      const tRestore = Date.now();
      const backlogAtRestore = lastPoll?.pending;
      say(`  restored at +${((tRestore - tOut) / 1000).toFixed(1)} s; ${acked.acked} operations acknowledged so far, ${acked.failed} failed; todo_outbox_pending ${backlogAtRestore} (peak ${peak.pending})`);
      const snapR = await snapshot();
      const pgDone = startPg();
      const cpuR0 = cpuSnapshot();
      // wait for the drain
      let zeroAt = null; let underAt = null;
      const under = Math.max(100, RATE / 4);  // 250 ms worth of load: the outbox is back to its working level
      // keepLoad: the load runs until the backlog is gone, at most 45 s (and what the budget allows)
      const deadline = Math.min(tRestore + (keepLoad ? 45_000 : 90_000), Date.now() + left() - (keepLoad && PHASES.includes('outage-stop') ? 90_000 : 25_000));
      let firstPublishAt = null;
      for (;;) {
        const p = lastPoll && lastPoll.at > tRestore ? lastPoll.pending : null;
        if (p !== null && p === 0 && zeroAt === null) zeroAt = lastPoll.at;
        if (p !== null && p <= under && underAt === null) underAt = lastPoll.at;
        if (firstPublishAt === null) {
          const st = await apiDouble.stats();
          if ((st.topics?.[H.TOPIC]?.published || 0) > (snapR.s.api.topics?.[H.TOPIC]?.published || 0)) firstPublishAt = Date.now();
        }
        if (keepLoad) {
          const s = await auditDouble.stats();
          if (underAt !== null && (s.consumer?.lag?.[H.TOPIC]?.total ?? Infinity) <= under) break;
        } else if (zeroAt !== null) break;
        if (Date.now() > deadline) break;
        await H.sleep(100);
      }
      if (keepLoad) { load.stop(); l = await load.done; }
      const loadEnd = Date.now();
      const cpuR1 = cpuSnapshot();
      pgSampling = false;
      await pgDone;
      // every acknowledged operation audited
      const w = await waitAudit(ackedAll.length, Math.max(5_000, left() - (keepLoad && PHASES.includes('outage-stop') ? 75_000 : 12_000)));
      if (zeroAt === null) {
        // with the load stopped afterwards the outbox empties for good
        const until = Date.now() + Math.min(30_000, Math.max(0, left() - 12_000));
        while (Date.now() < until) { if ((await pending()) === 0) break; await H.sleep(METRICS_POLL_MS); }
      }
      polling = false;
      await poller;
      await H.sleep(1000);
      const snap1 = await snapshot();
      await indexLogs();
      // the backlog: every event committed before the restore
      let backlog = 0; let lastLogged = 0; let lastDelivered = 0; let undelivered = 0;
      for (const e of events.values()) {
        if (e.commit === null || e.commit < from || e.commit >= tRestore) continue;
        backlog++;
        lastLogged = Math.max(lastLogged, e.logged);
        if (e.delivered === null) undelivered++; else lastDelivered = Math.max(lastDelivered, e.delivered);
      }
      // after the restore, when every event's commit -> audit lag is under the target again
      let lagOkAt = tRestore;
      for (const e of events.values()) {
        if (e.commit === null || e.commit < from) continue;
        if (e.delivered === null || e.delivered - e.commit > LAG_TARGET_MS) lagOkAt = Math.max(lagOkAt, e.delivered ?? Infinity);
      }
      const check = await checkAudit(l.acked);
      const latAfter = latencyOver(tRestore, loadEnd);
      say(`  load: ${fmtLoad(l)}`);
      say(`  HTTP latency from the scheduled time: p50 ${fmtMs(l.latSched.p50)}, p99 ${fmtMs(l.latSched.p99)}, max ${fmtMs(l.latSched.max)}`);
      say(`  peak backlog (todo_outbox_pending, ${METRICS_POLL_MS} ms polls): ${peak.pending} at +${((peak.at - tOut) / 1000).toFixed(1)} s; ${backlog} events committed before the restore`);
      say(`  restore -> first event accepted by the api double: ${firstPublishAt ? `${firstPublishAt - tRestore} ms` : '-'} (1st stats poll after it; the relay's backoff and circuit breaker)`);
      say(`  restore -> the backlog published (last pre-restore event in the log): ${lastLogged ? `${((lastLogged - tRestore) / 1000).toFixed(1)} s` : '-'}`);
      say(`  restore -> the backlog audited (last pre-restore event's audit row): ${undelivered ? `NOT ALL (${undelivered} missing)` : `${((lastDelivered - tRestore) / 1000).toFixed(1)} s`}`);
      if (keepLoad) {
        say(`  restore -> todo_outbox_pending <= ${under}: ${underAt ? `${((underAt - tRestore) / 1000).toFixed(1)} s` : 'not within 45 s'}; = 0 during the load: ${zeroAt ? `${((zeroAt - tRestore) / 1000).toFixed(1)} s` : 'never (new events keep arriving)'}`);
        say(`  restore -> commit -> audit lag back under ${LAG_TARGET_MS} ms for good: ${lagOkAt === Infinity ? 'never' : `${((lagOkAt - tRestore) / 1000).toFixed(1)} s`}; load ran ${((loadEnd - tRestore) / 1000).toFixed(1)} s after the restore`);
        say(`  events committed after the restore (while draining): commit -> audit row ${fmtStats(latAfter.total)}`);
      } else {
        say(`  restore -> todo_outbox_pending = 0: ${zeroAt ? `${((zeroAt - tRestore) / 1000).toFixed(1)} s` : 'not within 90 s'} (load stopped ${tRestore - loadStopAt} ms before the restore)`);
      }
      say(`  every acknowledged operation audited: ${w.at ? `${((w.at - tRestore) / 1000).toFixed(1)} s after the restore (200 ms polls of count(*))` : `NO: ${w.n} of ${ackedAll.length}`}`);
      say(`  check: ${fmtCheck(check)}`);
      say(`  CPU during the outage: ${fmtCpu(cpuDelta(cpuOut0, cpuOut1))}`);
      say(`  CPU during the drain: ${fmtCpu(cpuDelta(cpuR0, cpuR1))}`);
      await diagnostics('drain diagnostics (restore -> end of the phase)', snapR.m, snap1.m, snapR.s, snap1.s, snapR.cpu, snap1.cpu);
      printPg();
      results.phases[name] = { complete: Boolean(w.at), ops: rateOf(l), failed: l.failures.length, peak: peak.pending, backlog,
        published: lastLogged ? (lastLogged - tRestore) / 1000 : null, audited: undelivered ? null : (lastDelivered - tRestore) / 1000,
        zero: zeroAt ? (zeroAt - tRestore) / 1000 : null, all: w.at ? (w.at - tRestore) / 1000 : null, check: check.ok };
    }
    // A phase whose audit never completed leaves rows behind that the next one would count.
    const complete = () => Object.values(results.phases).every((p) => p.complete);
    for (const [name, keep] of [['outage-load', true], ['outage-stop', false]]) {
      if (!PHASES.includes(name)) continue;
      if (!complete()) { say(`\n== ${name}: SKIPPED, the previous phase's audit is not complete`); continue; }
      await outagePhase(name, keep);
    }

    // =========================== summary ===========================
    say();
    say(`== summary (targets from issue 4) — total ${since()}`);
    const s = results.phases.sustained;
    if (s) {
      say(`  sustained rate: ${s.ops.toFixed(0)} ops/s (target ≥ 2000), HTTP p50 ${fmtMs(s.p50)} p99 ${fmtMs(s.p99)}, failed ${s.failed}`);
      say(`  commit -> audit row after the warm-up: p50 ${fmtMs(s.lag.p50)}, p99 ${fmtMs(s.lag.p99)} (target ≤ 500 ms), max ${fmtMs(s.lag.max)};` +
        ` all events incl. warm-up: p99 ${fmtMs(s.lagAll.p99)}, max ${fmtMs(s.lagAll.max)}; audit exact: ${s.check ? 'yes' : 'NO'}`);
    }
    for (const n of ['outage-load', 'outage-stop']) {
      const o = results.phases[n];
      if (!o) continue;
      say(`  ${n}: peak backlog ${o.peak}; restore -> backlog published ${o.published?.toFixed(1) ?? '-'} s, audited ${o.audited?.toFixed(1) ?? 'NOT ALL'} s (target < 30 s)` +
        `${o.zero !== null ? `, pending = 0 at ${o.zero.toFixed(1)} s` : ''}${o.all !== null ? `, all audited at ${o.all.toFixed(1)} s` : ''}; ${o.ops.toFixed(0)} ops/s, failed ${o.failed}; audit exact: ${o.check ? 'yes' : 'NO'}`);
    }
    const allOk = Object.values(results.phases).every((p) => p.check) && PHASES.every((p) => results.phases[p]);
    if (!allOk) process.exitCode = 1;
  } finally {
    for (const w of workers) w.postMessage({ type: 'exit' });
    await cluster.stop().catch((err) => console.error(`stopping the cluster: ${err.message}`));
  }
}
