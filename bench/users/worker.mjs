// A worker thread of the 1 000-user load generator (bench/users/run.mjs starts them). It
// owns a slice of the users; each user is a closed loop on its OWN keep-alive connection
// (one AppClient per user, at most one request in flight): paced (an exponential think
// time between requests) or flat out (the next request as soon as the answer is in). A
// share of the users also hold an SSE stream open on a second connection.
//
// Messages in: seed, streams, phase {name, mode, durationMs, warmupMs, thinkMs}, final
// (bench/users/final.mjs), acked, exit. Out: ready, seeded, streams, phase (latencies per operation as Float64Arrays,
// counts, errors, check failures, audit lags), final (end-of-run checks), acked (for the
// audit comparison).
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

import { AppClient } from '../../tests/dapr-double/lib/app_client.mjs';

import { finalChecks } from './final.mjs';
import { checkList, listVariant, newTaskBody, picker, searchVariant, taskDiff } from './ops.mjs';

if (isMainThread) throw new Error('bench/users/worker.mjs runs as a worker thread of bench/users/run.mjs');

const { host, port, users: userList, opts, seed } = workerData;
const TIMEOUT_MS = 30_000;
let rnd = seed >>> 0;
const random = () => {  // mulberry32: a seeded, reproducible mix
  rnd = (rnd + 0x6d2b79f5) >>> 0;
  let t = rnd;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pickOp = picker(opts.mix);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const users = userList.map((u) => ({
  ...u, client: new AppClient({ host, port, maxIdle: 1 }), tasks: new Map(), n: 0, cursor: null,
  stream: null, streamEvents: 0, eventsSinceStream: 0, checkNext: null,
}));
// The distributed shape serves some routes from other roles (opts.routes: audit,
// notifications, stream -> port); a user then has one keep-alive connection per role it
// talks to, as a client behind no ingress would.
const routes = opts.routes ?? {};
const routeOf = (path) => {
  const m = /^\/api\/[^/]+\/(audit|notifications|stream)\b/.exec(path);
  return m && routes[m[1]] ? m[1] : null;
};
function clientFor(u, path) {
  const r = routeOf(path);
  if (!r) return u.client;
  u.clients ??= {};
  return (u.clients[r] ??= new AppClient({ host, port: routes[r], maxIdle: 1 }));
}
const probe = new AppClient({ host, port: routes.audit ?? port, maxIdle: 8 });  // audit-lag polls: not a user's connection
const opened = (u) => u.client.opened + Object.values(u.clients ?? {}).reduce((n, c) => n + c.opened, 0);
const acked = [];  // [user, task_id, type, version] of every acknowledged write (audit comparison)

function request(u, method, path, body) {
  const headers = u.token ? { Authorization: `Bearer ${u.token}` } : {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return clientFor(u, path).request(method, path, body === undefined ? null : JSON.stringify(body), headers, TIMEOUT_MS);
}

// ---- one phase's records ----
let ph = null;
const newPhase = () => ({ lat: {}, count: {}, errors: [], errorCount: 0, checks: 0, checkFailures: [], auditLags: [], auditMissing: 0, auditPending: 0 });
function record(op, ms, inWindow) {
  if (!inWindow) return;
  (ph.lat[op] ??= []).push(ms);
  ph.count[op] = (ph.count[op] ?? 0) + 1;
}
function fail(op, what) {
  ph.errorCount++;
  ph.count[`${op}:errors`] = (ph.count[`${op}:errors`] ?? 0) + 1;
  if (ph.errors.length < 20) ph.errors.push(`${op}: ${what}`);
}
function checkFailed(what) {
  if (ph.checkFailures.length < 20) ph.checkFailures.push(what);
  else ph.checkFailures.overflow = (ph.checkFailures.overflow ?? 0) + 1;
}
const sampled = () => random() < opts.checkRate;

// ---- the operations ----
// A sampled create's check runs before the user's next request (an extra request, not
// measured), so no other create of the user comes between the two.
async function flushCheck(u) {
  if (u.checkNext === null) return;
  const id = u.checkNext;
  u.checkNext = null;
  try { await verifyListed(u, id); } catch (err) { checkFailed(`list after create: ${err.message}`); }
}

async function create(u, { audit = false } = {}) {
  await flushCheck(u);
  const body = newTaskBody(random, u.n++);
  const res = await request(u, 'POST', `/api/${u.id}/tasks`, body);
  if (res.status !== 201) return { ok: false, what: `POST tasks -> ${res.status} ${res.body.slice(0, 160)}` };
  const task = JSON.parse(res.body);
  const want = { ...body, completed: false, description: body.description ?? '', due_at: body.due_at ?? null };
  const d = taskDiff(task, want, u.id);
  if (d) checkFailed(`create answered ${task.id} with ${d}`);
  u.tasks.set(task.id, { ...want, version: task.version });
  acked.push([u.id, task.id, 'created', task.version]);
  u.eventsSinceStream++;
  if (sampled()) u.checkNext = task.id;  // then listed among the newest, with these fields
  if (audit) ph.auditPending++, pollAudit(u, task.id);
  return { ok: true };
}

function someTask(u) {
  const n = u.tasks.size;
  if (!n) return null;
  let i = Math.floor(random() * n);
  for (const id of u.tasks.keys()) if (i-- === 0) return id;
  return null;
}

async function update(u, id) {
  const description = `updated ${u.n++}`;
  const res = await request(u, 'PATCH', `/api/${u.id}/tasks/${id}`, { description });
  if (res.status !== 200) return { ok: false, what: `PATCH task -> ${res.status} ${res.body.slice(0, 160)}` };
  const task = JSON.parse(res.body);
  const t = u.tasks.get(id);
  t.description = description;
  if (task.version <= t.version) checkFailed(`PATCH ${id}: version ${task.version} after ${t.version}`);
  t.version = task.version;
  const d = taskDiff(task, t, u.id);
  if (d) checkFailed(`PATCH answered ${id} with ${d}`);
  acked.push([u.id, id, 'updated', task.version]);
  u.eventsSinceStream++;
  return { ok: true };
}

async function complete(u, id) {
  const res = await request(u, 'PATCH', `/api/${u.id}/tasks/${id}/complete`);
  if (res.status !== 200) return { ok: false, what: `PATCH complete -> ${res.status} ${res.body.slice(0, 160)}` };
  const task = JSON.parse(res.body);
  const t = u.tasks.get(id);
  if (task.completed === t.completed) checkFailed(`complete of ${id} did not toggle (completed ${task.completed})`);
  t.completed = task.completed;
  t.version = task.version;
  acked.push([u.id, id, task.completed ? 'completed' : 'updated', task.version]);  // un-completing is an update
  u.eventsSinceStream++;
  return { ok: true };
}

async function remove(u, id) {
  const res = await request(u, 'DELETE', `/api/${u.id}/tasks/${id}`);
  if (res.status !== 204) return { ok: false, what: `DELETE task -> ${res.status} ${res.body.slice(0, 160)}` };
  acked.push([u.id, id, 'deleted', u.tasks.get(id).version]);
  u.tasks.delete(id);
  u.eventsSinceStream++;
  return { ok: true };
}

async function list(u, variant) {
  const res = await request(u, 'GET', `/api/${u.id}/tasks?${variant.query}`);
  if (res.status !== 200) return { ok: false, what: `GET tasks?${variant.query} -> ${res.status} ${res.body.slice(0, 160)}` };
  const wantCheck = sampled();
  if (variant.page || wantCheck) {
    const json = JSON.parse(res.body);
    if (variant.page) u.cursor = json.next_cursor ?? null;
    if (wantCheck) {
      ph.checks++;
      const limit = Number(/limit=(\d+)/.exec(variant.query)[1]);
      const p = checkList(json, variant, u, limit);
      if (p) checkFailed(`GET tasks?${variant.query}: ${p}`);
    }
  }
  return { ok: true };
}

// A sampled create must then be listed (newest first) with the fields it was created with.
async function verifyListed(u, id) {
  const res = await request(u, 'GET', `/api/${u.id}/tasks?limit=5&sort=created_at&order=desc`);
  ph.checks++;
  if (res.status !== 200) { checkFailed(`list after create -> ${res.status}`); return; }
  const item = JSON.parse(res.body).items.find((t) => t.id === id);
  const want = u.tasks.get(id);
  if (!want) return;  // deleted since
  if (!item) { checkFailed(`task ${id} created (201) but not among the newest 5 listed`); return; }
  const d = taskDiff(item, want, u.id);
  if (d) checkFailed(`task ${id} listed with ${d}`);
}

async function getTask(u, id) {
  const res = await request(u, 'GET', `/api/${u.id}/tasks/${id}`);
  if (res.status !== 200) return { ok: false, what: `GET task -> ${res.status} ${res.body.slice(0, 160)}` };
  if (sampled()) {
    ph.checks++;
    const d = taskDiff(JSON.parse(res.body), u.tasks.get(id), u.id);
    if (d) checkFailed(`GET task ${id}: ${d}`);
  }
  return { ok: true };
}

async function audit(u) {
  const r = random();
  let q = 'limit=20';
  if (r < 0.3) q += '&event_type=created';
  else if (r < 0.5 && u.tasks.size) q += `&task_id=${someTask(u)}`;
  const res = await request(u, 'GET', `/api/${u.id}/audit?${q}`);
  if (res.status !== 200) return { ok: false, what: `GET audit?${q} -> ${res.status} ${res.body.slice(0, 160)}` };
  if (sampled()) {
    ph.checks++;
    const items = JSON.parse(res.body).items;
    if (!Array.isArray(items) || items.some((e) => e.user_id !== u.id)) checkFailed(`GET audit?${q}: items of another user or no items`);
  }
  return { ok: true };
}

async function notifications(u) {
  const res = await request(u, 'GET', `/api/${u.id}/notifications?limit=20`);
  if (res.status !== 200) return { ok: false, what: `GET notifications -> ${res.status} ${res.body.slice(0, 160)}` };
  return { ok: true };
}

// Each user talks in one conversation (its history is read on every message) and starts a new
// one after CHAT_TURNS messages, deleting the old one (operation chat_reset): as with the task
// cap, the data a soak keeps stays bounded — a new conversation per message made the database
// grow by ~0.3 MB/s in a 1 000-user soak, all of it chat history.
const CHAT_TURNS = 10;
async function chat(u) {
  const body = { message: 'show my pending tasks' };
  if (u.chat) body.conversation_id = u.chat.id;
  const res = await request(u, 'POST', `/api/${u.id}/chat`, body);
  if (res.status !== 200) return { ok: false, what: `POST chat -> ${res.status} ${res.body.slice(0, 160)}` };
  const id = JSON.parse(res.body).conversation_id;
  if (u.chat && id !== u.chat.id) return { ok: false, what: `POST chat answered in conversation ${id}, not ${u.chat.id}` };
  u.chat = { id, turns: (u.chat?.turns ?? 0) + 1 };
  return { ok: true };
}

async function chatReset(u) {
  const res = await request(u, 'DELETE', `/api/${u.id}/conversations/${u.chat.id}`);
  if (res.status !== 204) return { ok: false, what: `DELETE conversation -> ${res.status} ${res.body.slice(0, 160)}` };
  u.chat = null;
  return { ok: true };
}

async function fixed(u) {
  const res = await u.client.request('GET', opts.fixedPath, null, {}, TIMEOUT_MS);
  if (res.status !== 200) return { ok: false, what: `GET ${opts.fixedPath} -> ${res.status}` };
  return { ok: true };
}

// One operation of user u: -> the operation's name (for the records).
// p: the phase; an operation is measured when it started after the warm-up and ended before
// the phase's end (the window its throughput is divided by).
async function operation(u, p) {
  const inWindow = performance.now() >= p.measureFrom && !p.stopping;
  let op = opts.fixedPath ? 'fixed' : pickOp(random());
  const id = someTask(u);
  // Keep each user's task count bounded (creates and deletes balance at maxTasks), and
  // operations on a task need one.
  if (op === 'create' && u.tasks.size >= opts.maxTasks) op = 'delete';
  if (['update', 'complete', 'delete', 'get'].includes(op) && id === null) op = 'create';
  if (op === 'chat' && u.chat && u.chat.turns >= CHAT_TURNS) op = 'chat_reset';
  await flushCheck(u);
  const t0 = performance.now();
  let res;
  try {
    switch (op) {
      case 'fixed': res = await fixed(u); break;
      case 'create': res = await create(u, { audit: inWindow && random() < opts.auditSample }); break;
      case 'update': res = await update(u, id); break;
      case 'complete': res = await complete(u, id); break;
      case 'delete': res = await remove(u, id); break;
      case 'get': res = await getTask(u, id); break;
      case 'list': res = await list(u, listVariant(random, u)); break;
      case 'search': res = await list(u, searchVariant(random)); break;
      case 'audit': res = await audit(u); break;
      case 'notifications': res = await notifications(u); break;
      case 'chat': res = await chat(u); break;
      case 'chat_reset': res = await chatReset(u); break;
      default: throw new Error(`unknown operation ${op}`);
    }
  } catch (err) {
    res = { ok: false, what: `${err.code || ''} ${err.message}`.trim() };
  }
  const ms = performance.now() - t0;
  if (!res.ok) fail(op, res.what);
  else record(op, ms, inWindow && !p.stopping);
}

// ---- commit -> audit lag of sampled creates ----
// Polls GET /audit?task_id=… on a probe connection until the task's `created` event is
// there: lag = the answer's arrival (wall clock) - the event's own timestamp (taken in the
// committing transaction, ms resolution). An upper bound: the row was there at some point
// between the poll's sending and its answer.
async function pollAudit(u, taskId) {
  const phase = ph;
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      const res = await probe.request('GET', `/api/${u.id}/audit?task_id=${taskId}&event_type=created`, null,
        { Authorization: `Bearer ${u.token}` }, TIMEOUT_MS);
      const now = Date.now();
      if (res.status === 200) {
        const e = JSON.parse(res.body).items.find((x) => x.task_id === taskId);
        if (e) { phase.auditLags.push(now - Date.parse(e.timestamp)); return; }
      }
      if (now > deadline) { phase.auditMissing++; return; }
      await sleep(opts.auditPollMs);
    }
  } catch {
    phase.auditMissing++;
  } finally {
    phase.auditPending--;
  }
}

// ---- SSE streams held open ----
function openStream(u) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port: routes.stream ?? port, path: `/api/${u.id}/stream`, agent: false,
      headers: { authorization: `Bearer ${u.token}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`GET stream -> ${res.statusCode}`)); res.resume(); return; }
      u.stream = res;
      u.eventsSinceStream = 0;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buf += chunk;
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          if (buf.slice(0, end).includes('event: task')) u.streamEvents++;
          buf = buf.slice(end + 2);
        }
      });
      res.on('error', () => {});
      resolve();
    });
    req.on('error', reject);
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error('stream open timed out')));
  });
}

// ---- phases ----
async function userLoop(u, p) {
  if (p.mode === 'paced') await sleep(random() * p.thinkMs * 2);  // spread the starts
  while (!p.stopping) {
    await operation(u, p);
    if (p.mode === 'paced' && !p.stopping) {
      await sleep(Math.min(-Math.log(1 - random()) * p.thinkMs, p.thinkMs * 10));
    }
  }
}

async function runPhase({ name, mode, durationMs, warmupMs, thinkMs }) {
  ph = newPhase();
  const t0 = performance.now();
  const p = { mode, thinkMs, measureFrom: t0 + warmupMs, stopping: false };
  const elu0 = performance.eventLoopUtilization();
  const loops = users.map((u) => userLoop(u, p));
  await sleep(warmupMs + durationMs);
  p.stopping = true;
  const measuredMs = performance.now() - p.measureFrom;
  await Promise.all(loops);
  const deadline = Date.now() + 35_000;
  while (ph.auditPending > 0 && Date.now() < deadline) await sleep(20);
  const lat = {};
  const transfer = [];
  for (const [op, xs] of Object.entries(ph.lat)) {
    lat[op] = Float64Array.from(xs);
    transfer.push(lat[op].buffer);
  }
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const { errors, errorCount, count, checks, checkFailures, auditLags, auditMissing } = ph;
  parentPort.postMessage({ type: 'phase', name, measuredMs, lat, count, errors, errorCount, checks,
    checkFailures, checkOverflow: checkFailures.overflow ?? 0, auditLags, auditMissing, elu,
    connections: users.reduce((n, u) => n + opened(u), 0) }, transfer);
}

parentPort.on('message', async (m) => {
  try {
    if (m.type === 'seed') {
      ph = newPhase();
      for (const u of users) for (let i = 0; i < m.tasks; i++) {
        const r = await create(u);
        if (!r.ok) throw new Error(`seeding: ${r.what}`);
      }
      parentPort.postMessage({ type: 'seeded', problems: ph.checkFailures });
    } else if (m.type === 'streams') {
      const chosen = users.filter(() => random() < m.share);
      for (let i = 0; i < chosen.length; i += 50) await Promise.all(chosen.slice(i, i + 50).map(openStream));
      parentPort.postMessage({ type: 'streams', opened: chosen.length });
    } else if (m.type === 'phase') {
      await runPhase(m);
    } else if (m.type === 'final') {
      const sample = users.slice(0, m.sampleUsers);
      const r = await finalChecks({ users, sample, acked, request, auditWaitMs: m.auditWaitMs, audit: m.audit });
      parentPort.postMessage({ type: 'final', ...r, users: sample.length });
    } else if (m.type === 'acked') {
      parentPort.postMessage({ type: 'acked', acked });
    } else if (m.type === 'exit') {
      for (const u of users) { u.client.destroy(); for (const c of Object.values(u.clients ?? {})) c.destroy(); u.stream?.destroy(); }
      probe.destroy();
      process.exit(0);
    }
  } catch (err) {
    parentPort.postMessage({ type: 'fatal', error: String(err?.stack || err) });
  }
});
parentPort.postMessage({ type: 'ready' });
