// The 1 000-user load generator as a library: runLoad(options) -> report. bench/users.mjs is
// its command line; tests/integration/load_generator.test.mjs runs it small as the
// generator's self-check. Steps: sign up the users in parallel (each gets its own token),
// probe POST /api/{id}/chat, start the worker threads (bench/users/worker.mjs, users split
// between them, one keep-alive connection per user), open the SSE streams of a share of
// the users, seed tasks, run the phases, then the end-of-run checks.
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { Worker } from 'node:worker_threads';

import { AppClient } from '../../tests/dapr-double/lib/app_client.mjs';

import { DEFAULT_MIX } from './ops.mjs';

export const DEFAULTS = {
  users: 1000, durationS: 60, warmupS: 3, thinkS: 0.2, phases: ['paced', 'flat'], workers: 2, sseShare: 0.1,
  seedTasks: 5, maxTasks: 50, checkRate: 0.01, auditSample: 0.02, auditPollMs: 20, signupConcurrency: 16,
  finalCheckUsers: 20, finalAudit: true, auditWaitS: 60, mix: DEFAULT_MIX, fixedPath: null, cpu: {}, password: 'bench-password-Qm2L-7x',
};

// ---- CPU time of processes, from /proc (Linux) ----
const HZ = 100;  // USER_HZ, 100 on every Linux this runs on (getconf CLK_TCK)
function ticksOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);  // utime + stime
  } catch { return 0; }
}
// pid and its live children (PostgreSQL: the postmaster and its backends)
function familyOf(pid) {
  const out = [pid];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}
// {name: pid | 'family:pid'} -> {name: seconds of CPU so far, per pid summed}
function cpuNow(spec) {
  const out = {};
  for (const [name, what] of Object.entries(spec)) {
    const fam = String(what).startsWith('family:');
    const pid = Number(String(what).replace('family:', ''));
    const pids = fam ? familyOf(pid) : [pid];
    out[name] = { pids: new Map(pids.map((p) => [p, ticksOf(p)])) };
  }
  return out;
}
function cpuSince(before, spec) {
  const after = cpuNow(spec);
  const out = {};
  for (const name of Object.keys(spec)) {
    let t = 0;
    for (const [p, v] of after[name].pids) t += v - (before[name].pids.get(p) ?? 0);  // a new backend counts from 0
    out[name] = t / HZ;
  }
  return out;
}

export function percentiles(xs) {
  const a = Float64Array.from(xs).sort();
  const q = (p) => (a.length ? a[Math.min(a.length - 1, Math.max(0, Math.ceil(p * a.length) - 1))] : NaN);
  return { n: a.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: a.length ? a[a.length - 1] : NaN };
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function signUpAll(url, n, { concurrency, password, log }) {
  const u = new URL(url);
  const client = new AppClient({ host: u.hostname, port: Number(u.port), maxIdle: concurrency });
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const users = new Array(n);
  let next = 0;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) {
      const i = next++;
      const body = JSON.stringify({ email: `load-${tag}-${i}@example.com`, password, name: `Load ${i}` });
      const res = await client.request('POST', '/api/auth/sign-up/email', body, { 'Content-Type': 'application/json' });
      if (res.status !== 201) throw new Error(`sign-up ${i}: ${res.status} ${res.body.slice(0, 200)}`);
      const j = JSON.parse(res.body);
      users[i] = { id: j.user.id, token: j.token };
    }
  }));
  client.destroy();
  log?.(`${n} users signed up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${concurrency} at a time)`);
  return users;
}

// Does GET /api/{id}/stream exist in this process (the api role of the distributed shape
// may not serve it)? -> its status, from the head alone (an SSE answer never ends).
function probeStream(url, user, port) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const req = http.get({ host: u.hostname, port: port ?? Number(u.port), path: `/api/${user.id}/stream`, agent: false,
      headers: { authorization: `Bearer ${user.token}`, accept: 'text/event-stream' } }, (res) => { resolve(res.statusCode); req.destroy(); });
    req.on('error', () => resolve(0));
  });
}

async function probeGet(url, user, path, port) {
  const u = new URL(url);
  const client = new AppClient({ host: u.hostname, port: port ?? Number(u.port), maxIdle: 1 });
  try {
    return (await client.request('GET', `/api/${user.id}${path}`, null, { Authorization: `Bearer ${user.token}` })).status;
  } finally { client.destroy(); }
}

// Does POST /api/{id}/chat exist? -> true, or false with a printed note when it 404s.
async function probeChat(url, user, log) {
  const u = new URL(url);
  const client = new AppClient({ host: u.hostname, port: Number(u.port), maxIdle: 1 });
  try {
    const res = await client.request('POST', `/api/${user.id}/chat`, JSON.stringify({ message: 'show my pending tasks' }),
      { 'Content-Type': 'application/json', Authorization: `Bearer ${user.token}` });
    if (res.status === 200) return true;
    log?.(`note: POST /api/{id}/chat answered ${res.status}: chat messages left out of the mix`);
    return false;
  } finally { client.destroy(); }
}

// Starts the workers; -> {send(type, data) -> replies of every worker, close()}.
function startWorkers(url, users, n, opts) {
  const u = new URL(url);
  const slices = Array.from({ length: n }, () => []);
  users.forEach((x, i) => slices[i % n].push(x));
  const workers = slices.map((slice, i) => new Worker(new URL('./worker.mjs', import.meta.url), {
    workerData: { host: u.hostname, port: Number(u.port), users: slice, opts, seed: 0x5eed + i * 7919 },
  }));
  const waiters = workers.map(() => []);
  const errors = [];
  workers.forEach((w, i) => {
    w.on('message', (m) => {
      if (m.type === 'fatal') errors.push(m.error);
      const q = waiters[i].shift();
      if (q) (m.type === 'fatal' ? q.reject(new Error(m.error)) : q.resolve(m));
    });
    w.on('error', (err) => { errors.push(String(err?.stack || err)); const q = waiters[i].shift(); q?.reject(err); });
  });
  const next = (i) => new Promise((resolve, reject) => waiters[i].push({ resolve, reject }));
  const ready = Promise.all(workers.map((_, i) => next(i)));
  return {
    ready,
    send: (type, data = {}) => Promise.all(workers.map((w, i) => { const p = next(i); w.postMessage({ type, ...data }); return p; })),
    close: () => { for (const w of workers) w.postMessage({ type: 'exit' }); },
    errors,
  };
}

// options: DEFAULTS plus url and log(line). -> report {users, phases: [{name, ops, ...}], final, notes}
export async function runLoad(options) {
  const o = { ...DEFAULTS, ...options };
  const log = o.log ?? (() => {});
  const report = { url: o.url, users: o.users, workers: o.workers, notes: [], phases: [], startLoad: loadavg() };
  let users;
  let mix = { ...o.mix };
  if (o.fixedPath) {
    users = Array.from({ length: o.users }, (_, i) => ({ id: `c${i}`, token: null }));
    mix = { fixed: 1 };
  } else {
    users = await signUpAll(o.url, o.users, { concurrency: o.signupConcurrency, password: o.password, log });
    const note = (l) => { report.notes.push(l); log(l); };
    if ((mix.chat ?? 0) > 0 && !(await probeChat(o.url, users[0], note))) delete mix.chat;
    if ((mix.notifications ?? 0) > 0) {
      const st = await probeGet(o.url, users[0], '/notifications?limit=1', o.routes?.notifications);
      if (st === 404) { note('note: GET /api/{id}/notifications answered 404 here: left out of the mix'); delete mix.notifications; }
    }
    if (o.sseShare > 0) {
      const st = await probeStream(o.url, users[0], o.routes?.stream);
      if (st !== 200) { note(`note: GET /api/{id}/stream answered ${st} here: no SSE streams held open`); o.sseShare = 0; }
    }
  }
  const opts = { routes: o.routes ?? {}, mix, checkRate: o.checkRate, auditSample: o.auditSample, auditPollMs: o.auditPollMs, maxTasks: o.maxTasks, fixedPath: o.fixedPath };
  const pool = startWorkers(o.url, users, Math.max(1, Math.min(o.workers, users.length)), opts);
  try {
    await pool.ready;
    if (!o.fixedPath) {
      // streams first: every write after this, seeding included, must reach them
      const s = o.sseShare > 0 ? await pool.send('streams', { share: o.sseShare }) : [];
      report.streams = s.reduce((n, r) => n + r.opened, 0);
      if (report.streams) log(`${report.streams} SSE streams open`);
      const t0 = Date.now();
      const seeded = await pool.send('seed', { tasks: o.seedTasks });
      report.seedProblems = seeded.flatMap((r) => r.problems);
      log(`${o.seedTasks * users.length} tasks seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    for (const name of o.phases) {
      const mode = name.startsWith('flat') ? 'flat' : 'paced';
      const cpu0 = process.cpuUsage();
      const spec = o.cpu;
      const other0 = cpuNow(spec);
      const load0 = loadavg();
      log(`phase ${name}: ${mode === 'paced' ? `think time mean ${o.thinkS * 1000} ms` : 'closed loop, no think time'}, ` +
        `${o.durationS} s after ${o.warmupS} s of warm-up; load average ${load0}`);
      o.onPhaseStart?.(name);
      const t0 = process.hrtime.bigint();
      const parts = await pool.send('phase', { name, mode, durationMs: o.durationS * 1000, warmupMs: o.warmupS * 1000, thinkMs: o.thinkS * 1000 });
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      report.phases.push(mergePhase(name, mode, parts, {
        generatorCpuS: (cpu.user + cpu.system) / 1e6, wallS, other: cpuSince(other0, spec), load: `${load0} -> ${loadavg()}`,
      }));
    }
    if (!o.fixedPath && o.finalCheckUsers > 0) {
      const parts = await pool.send('final', { sampleUsers: Math.ceil(o.finalCheckUsers / o.workers), auditWaitMs: o.auditWaitS * 1000, audit: o.finalAudit });
      report.final = {
        problems: parts.flatMap((p) => p.problems), users: parts.reduce((n, p) => n + p.users, 0),
        tasks: parts.reduce((n, p) => n + p.tasksChecked, 0), auditEvents: parts.reduce((n, p) => n + p.auditChecked, 0),
        streams: parts.reduce((n, p) => n + p.streamsChecked, 0),
      };
    }
    if (o.wantAcked) report.acked = (await pool.send('acked')).flatMap((p) => p.acked);
  } finally {
    pool.close();
  }
  report.ok = isClean(report);
  return report;
}

function mergePhase(name, mode, parts, extra) {
  const measuredS = Math.min(...parts.map((p) => p.measuredMs)) / 1000;
  const ops = {};
  let total = 0, errors = 0;
  const names = new Set(parts.flatMap((p) => [...Object.keys(p.lat), ...Object.keys(p.count).filter((k) => k.endsWith(':errors')).map((k) => k.split(':')[0])]));
  for (const op of names) {
    const lat = parts.flatMap((p) => (p.lat[op] ? [...p.lat[op]] : []));
    const errs = parts.reduce((n, p) => n + (p.count[`${op}:errors`] ?? 0), 0);
    ops[op] = { ...percentiles(lat), rate: lat.length / measuredS, errors: errs };
    total += lat.length;
    errors += errs;
  }
  const all = percentiles(parts.flatMap((p) => Object.values(p.lat).flatMap((a) => [...a])));
  return {
    name, mode, measuredS, ops, total: { ...all, rate: total / measuredS, errors },
    errors: parts.flatMap((p) => p.errors), checks: parts.reduce((n, p) => n + p.checks, 0),
    checkFailures: parts.flatMap((p) => p.checkFailures), checkOverflow: parts.reduce((n, p) => n + p.checkOverflow, 0),
    auditLag: { ...percentiles(parts.flatMap((p) => p.auditLags)), missing: parts.reduce((n, p) => n + p.auditMissing, 0) },
    connections: parts.reduce((n, p) => n + p.connections, 0), elu: parts.map((p) => p.elu),
    ...extra,
  };
}

export function isClean(report) {
  if (report.seedProblems?.length) return false;
  for (const p of report.phases) {
    if (p.total.errors || p.checkFailures.length || p.auditLag.missing) return false;
  }
  return !report.final || report.final.problems.length === 0;
}

const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');

// A readable report: one Markdown table per phase, then the checks.
export function formatReport(r) {
  const lines = [];
  for (const p of r.phases) {
    lines.push('', `### ${p.name} (${p.mode}), ${f(p.measuredS)} s measured, ${r.users} ${r.fixed ? 'connections' : 'users'}`, '');
    lines.push('| operation | ops/s | p50 ms | p95 ms | p99 ms | max ms | errors |', '|---|---|---|---|---|---|---|');
    for (const [op, s] of Object.entries(p.ops).sort((a, b) => b[1].n - a[1].n)) {
      lines.push(`| ${op} | ${f(s.rate, 0)} | ${f(s.p50, 2)} | ${f(s.p95, 2)} | ${f(s.p99, 2)} | ${f(s.max, 0)} | ${s.errors} |`);
    }
    lines.push(`| **all** | **${f(p.total.rate, 0)}** | ${f(p.total.p50, 2)} | ${f(p.total.p95, 2)} | **${f(p.total.p99, 2)}** | ${f(p.total.max, 0)} | **${p.total.errors}** |`, '');
    if (p.auditLag.n || p.auditLag.missing) {
      lines.push(`commit -> audit row (sampled creates, polled every 20 ms; upper bound): n ${p.auditLag.n}, p50 ${f(p.auditLag.p50, 0)} ms, ` +
        `p99 ${f(p.auditLag.p99, 0)} ms, max ${f(p.auditLag.max, 0)} ms, never seen ${p.auditLag.missing}`);
    }
    const other = Object.entries(p.other).map(([k, v]) => `${k} ${f(v)} s (${f((100 * v) / p.wallS, 0)} %)`).join(', ');
    lines.push(`CPU over the phase's ${f(p.wallS)} s: generator ${f(p.generatorCpuS)} s (${f((100 * p.generatorCpuS) / p.wallS, 0)} % of one core; ` +
      `event loops ${p.elu.map((x) => `${f(100 * x, 0)} %`).join(' / ')} busy)${other ? `, ${other}` : ''}; load average ${p.load}`);
    lines.push(`connections opened by the users: ${p.connections}; answers checked against the model: ${p.checks}, ` +
      `failed: ${p.checkFailures.length + p.checkOverflow}`);
    for (const e of p.errors.slice(0, 5)) lines.push(`  error: ${e}`);
    for (const e of p.checkFailures.slice(0, 5)) lines.push(`  check failed: ${e}`);
  }
  if (r.final) {
    lines.push('', `end-of-run check over ${r.final.users} users: ${r.final.tasks} tasks listed = the model, ${r.final.auditEvents} audit events = ` +
      `acknowledged writes${r.final.auditEvents ? '' : ' (not checked)'}, ${r.final.streams} streams got every event: ${r.final.problems.length ? 'FAILED' : 'ok'}`);
    for (const e of r.final.problems.slice(0, 10)) lines.push(`  ${e}`);
  }
  for (const n of r.notes) lines.push(n);
  lines.push(r.ok ? 'result: no error, every check passed' : 'result: FAILED (errors or failed checks above)');
  return lines.join('\n');
}
