// What bench/distributed.mjs reads from the running pipeline, apart from the load itself:
// percentiles of samples; CPU of every process from /proc; the roles' /metrics (parsed,
// summed, histogram quantiles, todo_outbox_pending); pg_stat_activity sampling; the
// pipeline's own record (the shared log and the audit double's delivery log, indexed
// incrementally) for commit -> audit-row latency; and audit_log, for the exactness check.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

import * as H from '../../tests/distributed/harness.mjs';
import { PartitionReader, PARTITIONS } from '../../tests/dapr-double/lib/log.mjs';

// ---- percentiles ----
const pct = (xs, q) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] : undefined);
export const stats = (arr) => {
  const xs = Float64Array.from(arr).sort();
  return { n: xs.length, p50: pct(xs, 0.5), p90: pct(xs, 0.9), p99: pct(xs, 0.99), max: xs.length ? xs[xs.length - 1] : undefined };
};

// ---- CPU accounting from /proc ----
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
const machineCpu = () => {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / 100, total: total / 100 };
};
// Returns cpuSnapshot(): CPU seconds so far of the roles, the doubles, PostgreSQL (the
// postmaster of the harness's server and its children), this process and the machine.
export function cpuSampler({ api, audit, apiDouble, auditDouble }) {
  const pgPort = new URL(H.BASE_URL).port;
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
  return () => ({
    at: Date.now(), api: procCpu(api.child.pid), audit: procCpu(audit.child.pid), apiDouble: procCpu(apiDouble.child.pid),
    auditDouble: procCpu(auditDouble.child.pid), postgres: pgCpu(), bench: procCpu(process.pid), machine: machineCpu(),
  });
}
// Cores used by each between two snapshots.
export const cpuDelta = (a, b) => {
  const wall = (b.at - a.at) / 1000;
  const out = {};
  for (const k of ['api', 'audit', 'apiDouble', 'auditDouble', 'postgres', 'bench']) out[k] = (b[k] - a[k]) / wall;
  const ncpu = (b.machine.total - a.machine.total) / wall;
  out.machineBusy = (b.machine.busy - a.machine.busy) / wall;
  out.others = out.machineBusy - ['api', 'audit', 'apiDouble', 'auditDouble', 'postgres', 'bench'].reduce((s, k) => s + out[k], 0);
  out.ncpu = ncpu;
  return out;
};

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
export const scrape = async (server) => parseMetrics(await server.metrics());
const sumOf = (m, name, labelPart = '') => {
  let s = 0;
  for (const [k, v] of m) if ((k === name || k.startsWith(`${name}{`)) && k.includes(labelPart)) s += v;
  return s;
};
export const diffOf = (a, b, name, labelPart = '') => sumOf(b, name, labelPart) - sumOf(a, name, labelPart);
// Histogram quantile bounds between two scrapes: bucket upper bounds (le).
export const histQ = (a, b, name, labelPart, qs) => {
  const byLe = new Map();  // summed over every matching series (routes, methods)
  for (const [k, v] of b) {
    if (!k.startsWith(`${name}_bucket{`) || !k.includes(labelPart)) continue;
    const le = /le="([^"]+)"/.exec(k)[1];
    const x = le === '+Inf' ? Infinity : Number(le);
    byLe.set(x, (byLe.get(x) || 0) + v - (a.get(k) || 0));
  }
  const buckets = [...byLe].sort((x, y) => x[0] - y[0]);
  const total = buckets.length ? buckets[buckets.length - 1][1] : 0;
  // nothing counted: no quantile (printed '-' rather than the first bucket)
  if (!total) return { total, q: qs.map(() => NaN) };
  return { total, q: qs.map((q) => (buckets.find(([, n]) => n >= q * total) || [Infinity])[0]) };
};
// todo_outbox_pending of the api role (each scrape runs one scan of the outbox)
export const outboxPending = async (api) => {
  const v = sumOf(await scrape(api), 'todo_outbox_pending');
  return v;
};

// ---- pg_stat_activity sampling ----
// start() samples every sampleMs (0: not at all) until stop(); the promise it returns ends
// with the sampling. samples: state | wait event | query head -> count, and '#samples'.
export function pgSampler(dbUrl, sampleMs) {
  const samples = new Map();
  let sampling = false;
  async function sampler() {
    while (sampling) {
      try {
        const rows = await H.psqlRows(dbUrl, `SELECT state, backend_type AS type, coalesce(wait_event_type || ':' || wait_event, 'cpu') AS wait,
            left(regexp_replace(query, '\\s+', ' ', 'g'), 48) AS head FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type IN ('client backend', 'autovacuum worker')`);
        for (const r of rows) {
          const who = r.type === 'client backend' ? '' : `${r.type}: `;
          const k = r.state === 'active' ? `${who}active ${r.wait} | ${r.head}` : `${who}${r.state}${r.state === 'idle' ? '' : ` | ${r.head}`}`;
          samples.set(k, (samples.get(k) || 0) + 1);
        }
        samples.set('#samples', (samples.get('#samples') || 0) + 1);
      } catch { /* keep sampling */ }
      await H.sleep(sampleMs);
    }
  }
  return {
    samples,
    start: () => { samples.clear(); if (sampleMs > 0) { sampling = true; return sampler(); } return Promise.resolve(); },
    stop: () => { sampling = false; },
  };
}

// ---- the pipeline's own record: the shared log and the audit double's delivery log ----
export function pipelineRecord(cluster) {
  const events = new Map();  // event id -> {commit, logged, delivered, attempts}
  const readers = Array.from({ length: PARTITIONS }, (_, p) => new PartitionReader(cluster.logDir, H.TOPIC, p));
  const dl = { pos: 0, tail: '' };
  const ev = (id) => { let e = events.get(id); if (!e) { e = { commit: null, logged: null, delivered: null }; events.set(id, e); } return e; };
  // Reads what the logs gained since the previous call.
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
  return { events, indexLogs, latencyOver, lagTimeline };
}

// ---- audit_log: the exactness check ----
export function auditChecker(dbUrl) {
  const auditCount = async () => Number((await H.psql(dbUrl, 'SELECT count(*) FROM audit_log')).trim());
  // Polls count(*) every 200 ms until it reaches `expected`: {n, at} (at null on timeout).
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
    const rows = await H.psqlRows(dbUrl, `SELECT id, event_id, event_type AS type, user_id AS "user", task_id,
        (event_data::jsonb->>'task_version')::bigint AS version FROM audit_log WHERE id > ${lastAuditId} ORDER BY id`);
    if (rows.length) lastAuditId = rows[rows.length - 1].id;
    const cmp = H.compareAudit(acked, rows);
    const ok = !cmp.missing.length && !cmp.extra.length && !cmp.duplicateOps.length && !cmp.duplicateIds.length && !cmp.orderViolations.length && cmp.rows === cmp.acked;
    return { ...cmp, ok };
  }
  return { waitAudit, checkAudit };
}
