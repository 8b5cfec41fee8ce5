// Harness for the multi-process end-to-end tests of the distributed shape:
//
//   fresh PostgreSQL database  <- api process(es) --publish--> api sidecar double(s)
//   (CREATE DATABASE, dropped       |                              | appends
//    afterwards)                    |                    shared log dir (the "Kafka")
//                                   |                              | tails
//                              audit process <----deliver---- audit sidecar double
//
// Each process gets free ports; the audit process keeps its port across restarts (its
// double delivers to a fixed --app-port, as a real sidecar does). Helpers run a client
// workload and check the audit against what the clients saw acknowledged.
//
// TODO_TEST_DATABASE_URL (required) names a PostgreSQL server and a database to connect
// to for CREATE/DROP DATABASE (scripts/with-postgres.sh provides one).
// TODO_DIST_SHAPE=embedded runs `--role=all` processes on the embedded bus instead of the
// api/audit roles over Dapr: a check of the harness itself with a binary that has no Dapr
// bus yet (tests that need the Dapr path skip themselves).
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { freePort, SidecarProcess } from '../dapr-double/client.mjs';
import { readTopic } from '../dapr-double/lib/log.mjs';
import { BINARY, JWT_SECRET, prng, sleep, TodoServer, walkPages } from '../integration/harness.mjs';

export { sleep, walkPages, JWT_SECRET, prng };

const run = promisify(execFile);
const liveChildren = new Set();
process.on('exit', () => {
  for (const child of liveChildren) {
    try { child.kill('SIGKILL'); } catch { /* gone */ }
  }
});
export const SHAPE = (process.env.TODO_DIST_SHAPE || 'dapr').toLowerCase();
if (!['dapr', 'embedded'].includes(SHAPE)) throw new Error(`TODO_DIST_SHAPE must be dapr or embedded, not ${SHAPE}`);
export const DAPR = SHAPE === 'dapr';
export const BASE_URL = process.env.TODO_TEST_DATABASE_URL;
if (!BASE_URL) throw new Error('tests/distributed need TODO_TEST_DATABASE_URL (run through scripts/with-postgres.sh)');

// The contract's names (ARCHITECTURE.md §4 and the role defaults).
export const PUBSUB = 'kafka-pubsub';
export const TOPIC = 'task-events';
export const DLQ = 'task-events-dlq';
export const ROUTE = '/dapr/task-events';
export const API_APP_ID = 'todo-api';
export const AUDIT_APP_ID = 'todo-audit';
export const DEFAULT_APP_TOKEN = 'distributed-test-app-token-2b7e1c9f04d8a6e3';  // random enough for the start-up check

const envInt = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, not ${v}`);
  return n;
};
// Sizes, overridable for quick local runs.
export const OPS = envInt('TODO_DIST_OPS', 10_000);
export const CLIENTS = envInt('TODO_DIST_CLIENTS', 100);
export const OUTAGE_MS = envInt('TODO_DIST_OUTAGE_MS', 20_000);

// ---- PostgreSQL through psql ----
export async function psql(url, sql) {
  const { stdout } = await run('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql],
    { maxBuffer: 512 * 1024 * 1024, env: { ...process.env, PGCONNECT_TIMEOUT: '10' } });
  return stdout;
}

// The rows of a query as JSON objects (json_agg does the quoting).
export async function psqlRows(url, query) {
  const out = await psql(url, `SELECT coalesce(json_agg(q), '[]'::json) FROM (${query}) q`);
  return JSON.parse(out);
}

export const sqlString = (s) => `'${String(s).replaceAll("'", "''")}'`;

export function databaseUrl(name) {
  const u = new URL(BASE_URL);
  u.pathname = `/${name}`;
  return u.href;
}

// A fresh, empty database on the test server; drop() removes it (and its connections).
export async function createDatabase() {
  const name = `todo_dist_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await psql(BASE_URL, `CREATE DATABASE ${name}`);
  return {
    name,
    url: databaseUrl(name),
    drop: () => psql(BASE_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

// ---- one role process of build/todo ----
export class RoleProcess extends TodoServer {
  // role: api | audit | all; port: fixed across restarts (0: a free one, chosen once)
  constructor({ role, databaseUrl: dbUrl, env = {}, port = 0, name = role }) {
    super({ env });
    this.role = role;
    this.databaseUrl = dbUrl;
    this.port = port;
    this.name = name;
  }

  childEnv() {
    const env = { ...process.env };
    for (const k of ['DATABASE_URL', 'TODO_DATABASE_URL', 'TODO_BUS', 'DAPR_HTTP_PORT', 'APP_API_TOKEN', 'DAPR_API_TOKEN']) delete env[k];
    env.TODO_JWT_SECRET = JWT_SECRET;
    env.TODO_LOG_LEVEL = 'warn';
    env.TODO_SIGN_UPS_PER_HOUR = '1000000';  // every user signs up from 127.0.0.1
    return { ...env, ...this.extraEnv };
  }

  async start() {
    if (!existsSync(BINARY)) throw new Error(`server binary ${BINARY} not found: run make build`);
    if (!this.port) this.port = await freePort();
    this.output = '';
    this.exit = null;
    const args = ['serve', `--role=${this.role}`, '--listen', `127.0.0.1:${this.port}`,
      '--database-url', this.databaseUrl, '--data-dir', this.dataDir];
    const child = spawn(BINARY, args, { env: this.childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (chunk) => {
      this.output += chunk.toString('utf8');
      if (this.output.length > 64 * 1024) this.output = this.output.slice(-64 * 1024);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    liveChildren.add(child);
    this.exited = new Promise((res) => {
      child.on('exit', (code, signal) => { liveChildren.delete(child); this.exit = { code, signal }; res(this.exit); });
      child.on('error', (err) => { liveChildren.delete(child); this.exit = { code: null, signal: null, error: err }; res(this.exit); });
    });
    try {
      await this.waitReady();
    } catch (err) {
      err.message = `${this.name} (--role=${this.role}): ${err.message}`;
      throw err;
    }
    return this;
  }

  async metrics() {
    const res = await this.api('GET', '/metrics');
    if (res.status !== 200) throw new Error(`${this.name} /metrics -> ${res.status}`);
    return res.text;
  }

  // The value of an unlabelled sample (or the first with the given labels substring).
  async metric(name, labels = '') {
    const text = await this.metrics();
    for (const line of text.split('\n')) {
      if (!line.startsWith(name)) continue;
      const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (m && m[1] === name && (m[2] || '').includes(labels)) return Number(m[3]);
    }
    return undefined;
  }
}

// ---- a whole distributed deployment ----
// options: {apiReplicas, appApiToken, daprApiToken, apiEnv, auditEnv, auditDoubleArgs, apiDoubleArgs}
export async function startCluster(options = {}) {
  // Every role with --bus=dapr needs APP_API_TOKEN (or --insecure-no-app-token): the cluster
  // has one unless a test brings its own.
  const { apiReplicas = 1, appApiToken = DEFAULT_APP_TOKEN, daprApiToken = null, apiEnv = {}, auditEnv = {},
    auditDoubleArgs = [], apiDoubleArgs = [] } = options;
  const db = await createDatabase();
  const logDir = mkdtempSync(join(tmpdir(), 'todo-dist-log-'));
  const cluster = { db, logDir, apis: [], audit: null, shape: SHAPE, started: [] };
  cluster.deliveryLog = join(logDir, 'audit-deliveries.jsonl');
  cluster.stop = () => stopCluster(cluster);
  try {
    for (let i = 0; i < apiReplicas; i++) {
      const appId = apiReplicas > 1 ? `${API_APP_ID}-${i}` : API_APP_ID;
      const sidecar = new SidecarProcess({ appId, logDir, daprApiToken, args: ['--quiet', ...apiDoubleArgs] });
      await sidecar.start();
      cluster.started.push(sidecar);
      const env = DAPR
        ? { TODO_BUS: 'dapr', DAPR_HTTP_PORT: String(sidecar.daprPort), APP_API_TOKEN: appApiToken, ...(daprApiToken ? { DAPR_API_TOKEN: daprApiToken } : {}), ...apiEnv }
        : { ...apiEnv };
      // one at a time: the first one applies the migrations
      const server = new RoleProcess({ role: DAPR ? 'api' : 'all', databaseUrl: db.url, env, name: `api-${i}` });
      await server.start();
      cluster.started.push(server);
      cluster.apis.push({ server, sidecar });
    }
    const auditPort = DAPR ? await freePort() : cluster.apis[0].server.port;
    const auditSidecar = new SidecarProcess({
      appId: AUDIT_APP_ID, logDir, appPort: auditPort, appApiToken, daprApiToken, deliveryLog: cluster.deliveryLog,
      // quick redelivery, so a restarted audit process is found again within a second
      args: ['--retry-initial-ms', '50', '--retry-max-ms', '1000', ...auditDoubleArgs],
    });
    await auditSidecar.start();
    cluster.started.push(auditSidecar);
    let auditServer = cluster.apis[0].server;  // embedded: the all-role process audits itself
    if (DAPR) {
      auditServer = new RoleProcess({
        role: 'audit', databaseUrl: db.url, port: auditPort, name: 'audit',
        env: { TODO_BUS: 'dapr', DAPR_HTTP_PORT: String(auditSidecar.daprPort),
          ...(appApiToken ? { APP_API_TOKEN: appApiToken } : {}), ...(daprApiToken ? { DAPR_API_TOKEN: daprApiToken } : {}), ...auditEnv },
      });
      await auditServer.start();
      cluster.started.push(auditServer);
    }
    await auditSidecar.waitSubscribed();
    cluster.audit = { server: auditServer, sidecar: auditSidecar };
    cluster.api = cluster.apis[0].server;
    return cluster;
  } catch (err) {
    await stopCluster(cluster).catch(() => {});
    throw err;
  }
}

// Another consumer role beside the audit (recurrence, notification), with its own sidecar
// double that delivers the shared log's task events to it. Returns {server, sidecar}.
export async function startConsumerRole(cluster, { role, appId = `todo-${role}`, env = {}, appApiToken = DEFAULT_APP_TOKEN } = {}) {
  const port = await freePort();
  const sidecar = new SidecarProcess({
    appId, logDir: cluster.logDir, appPort: port, appApiToken,
    args: ['--quiet', '--retry-initial-ms', '50', '--retry-max-ms', '1000'],
  });
  await sidecar.start();
  cluster.started.push(sidecar);
  const server = new RoleProcess({
    role, databaseUrl: cluster.db.url, port, name: role,
    env: { TODO_BUS: 'dapr', DAPR_HTTP_PORT: String(sidecar.daprPort), APP_API_TOKEN: appApiToken, ...env },
  });
  await server.start();
  cluster.started.push(server);
  await sidecar.waitSubscribed();
  return { server, sidecar };
}

export async function stopCluster(cluster) {
  const errors = [];
  for (const p of [...cluster.started].reverse()) {
    try {
      if (p instanceof RoleProcess) await p.cleanup(); else await p.stop();
    } catch (err) { errors.push(err); }
  }
  cluster.started = [];
  try { await cluster.db.drop(); } catch (err) { errors.push(err); }
  if (!process.env.TODO_DIST_KEEP_LOGS) rmSync(cluster.logDir, { recursive: true, force: true });
  if (errors.length) throw errors[0];
}

// Every process's recent output, for a failure message.
export function clusterOutput(cluster) {
  return cluster.started.map((p) => `----- ${p.name || p.opts?.appId}:\n${p.output.slice(-4000)}`).join('\n');
}

// ---- users and the client workload ----
export async function signUpUsers(server, n, { concurrency = 4 } = {}) {
  const users = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) {
      const i = next++;
      users[i] = await server.signUp({ name: `Dist ${i}`, prefix: 'dist' });
    }
  }));
  return users;
}

// Runs `clients` sequential clients; client c acts for users[c % users.length] through
// servers[c % servers.length]. Each does `perClient` operations (or runs until
// stop() returns true): create, update (PATCH), complete/un-complete, delete, chosen by
// a seeded PRNG. Returns what was acknowledged, in each client's order:
//   {acked: [{client, user, task_id, type, version, at}], failures: [...], elapsedMs}
// An operation not acknowledged (error status or connection error) is recorded in
// failures with its kind, and the client moves on (state unchanged).
export async function runWorkload({ servers, users, clients, perClient = Infinity, stop = () => false, seed = 42, onAck }) {
  const acked = [];
  const failures = [];
  const t0 = Date.now();
  async function client(c) {
    const rnd = prng(seed * 1000 + c);
    const server = servers[c % servers.length];
    const u = users[c % users.length];
    const base = `/api/${u.user.id}/tasks`;
    const live = new Map();  // id -> {version, completed}
    const ack = (task_id, type, version) => {
      const a = { client: c, user: u.user.id, task_id, type, version, at: Date.now() };
      acked.push(a);
      onAck?.(a);
    };
    for (let n = 0; n < perClient && !stop(); n++) {
      const r = rnd.next();
      let op = 'create';
      let id;
      if (live.size && r >= 0.3) {
        const ids = [...live.keys()];
        id = ids[rnd.int(ids.length)];
        const r2 = rnd.next();
        op = r2 < 0.45 ? 'update' : r2 < 0.85 ? 'complete' : 'delete';
      }
      try {
        if (op === 'create') {
          const res = await server.api('POST', base, { token: u.token, body: { title: `c${c}-n${n}`, priority: ['low', 'medium', 'high'][n % 3], tags: [`c${c}`] } });
          if (res.status !== 201) { failures.push({ client: c, op, status: res.status, text: res.text.slice(0, 200) }); continue; }
          live.set(res.json.id, { version: res.json.version, completed: res.json.completed });
          ack(res.json.id, 'created', res.json.version);
        } else if (op === 'update') {
          const res = await server.api('PATCH', `${base}/${id}`, { token: u.token, body: { description: `n${n}` } });
          if (res.status !== 200) { failures.push({ client: c, op, status: res.status, text: res.text.slice(0, 200) }); continue; }
          live.set(id, { version: res.json.version, completed: res.json.completed });
          ack(id, 'updated', res.json.version);
        } else if (op === 'complete') {
          const wasCompleted = live.get(id).completed;
          const res = await server.api('PATCH', `${base}/${id}/complete`, { token: u.token });
          if (res.status !== 200) { failures.push({ client: c, op, status: res.status, text: res.text.slice(0, 200) }); continue; }
          live.set(id, { version: res.json.version, completed: res.json.completed });
          ack(id, wasCompleted ? 'updated' : 'completed', res.json.version);  // un-completing is an update
        } else {
          const { version } = live.get(id);
          const res = await server.api('DELETE', `${base}/${id}`, { token: u.token });
          if (res.status !== 204) { failures.push({ client: c, op, status: res.status, text: res.text.slice(0, 200) }); continue; }
          live.delete(id);
          ack(id, 'deleted', version);
        }
      } catch (err) {
        failures.push({ client: c, op, error: String(err?.cause?.code || err?.message || err) });
      }
    }
  }
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  return { acked, failures, elapsedMs: Date.now() - t0 };
}

// ---- reading the outcome ----
const opKey = (x) => `${x.user}|${x.task_id}|${x.type}|${x.version}`;

// The audit rows of the given users, in insertion order (audit_log.id).
export function auditRows(db, userIds) {
  const list = userIds.map(sqlString).join(',');
  return psqlRows(db.url, `SELECT id, event_id, event_type AS type, user_id AS "user", task_id,
      (event_data::jsonb->>'task_version')::bigint AS version, event_data::jsonb->>'timestamp' AS ts
    FROM audit_log WHERE user_id IN (${list}) ORDER BY id`);
}

export async function auditCount(db, userIds) {
  const list = userIds.map(sqlString).join(',');
  return Number((await psql(db.url, `SELECT count(*) FROM audit_log WHERE user_id IN (${list})`)).trim());
}

// Resolves once nothing more can reach the audit (a condition, not a pause): every api
// process's outbox is empty, so each committed event was accepted by its sidecar (is in
// the log), and then the audit double has no lag and nothing in flight, so each logged
// event was delivered and answered. In the embedded shape the outbox alone says it (a
// row leaves it in the transaction that stores its audit row). Call it once the writes
// are done. Deadlines are safety nets for a busy machine.
export async function waitQuiet(cluster, { timeoutMs = 300_000 } = {}) {
  for (const { server } of cluster.apis) {
    await waitUntil(async () => (await server.metric('todo_outbox_pending')) === 0, `${server.name}: an empty outbox`, { timeoutMs, pollMs: 100 });
  }
  if (DAPR) await cluster.audit.sidecar.waitIdle({ timeoutMs });
}

// Polls until the users' audit holds at least `expected` rows (or the time is up), then
// until the cluster is quiet (waitQuiet), and reads all rows: a late duplicate or an
// extra event would be among them.
export async function waitForAuditRows(cluster, userIds, expected, { timeoutMs = 300_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let reachedAt = null;
  while (Date.now() < deadline) {
    if (await auditCount(cluster.db, userIds) >= expected) { reachedAt = Date.now(); break; }
    await sleep(200);
  }
  await waitQuiet(cluster, { timeoutMs });
  const rows = await auditRows(cluster.db, userIds);
  rows.reachedAt = reachedAt;  // when the count was first reached (null: never)
  return rows;
}

// The audit double's --delivery-log: one record per delivery attempt (per entry in bulk),
// written with one write(2) each, so whole lines even after a SIGKILL.
export function deliveryAttempts(cluster) {
  if (!existsSync(cluster.deliveryLog)) return [];
  return readFileSync(cluster.deliveryLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// Compares the audit rows with the acknowledged operations: every acknowledged operation
// exactly once (no loss, no duplicates by event_id or by operation), and, with
// checkOrder, each client's operations audited in the order the client was answered
// (a client is sequential, so that is commit order; events of one user are delivered in
// commit order, ARCHITECTURE.md §4). Returns
// {missing, extra, duplicateIds, duplicateOps, orderViolations} (lists, empty when all is
// well) plus counts.
export function compareAudit(acked, rows, { checkOrder = true } = {}) {
  const ackedKeys = new Map();
  for (const a of acked) ackedKeys.set(opKey(a), (ackedKeys.get(opKey(a)) || 0) + 1);
  const rowKeys = new Map();
  const ids = new Map();
  for (const r of rows) {
    rowKeys.set(opKey(r), (rowKeys.get(opKey(r)) || 0) + 1);
    ids.set(r.event_id, (ids.get(r.event_id) || 0) + 1);
  }
  const missing = [...ackedKeys.keys()].filter((k) => !rowKeys.has(k));
  const extra = [...rowKeys.keys()].filter((k) => !ackedKeys.has(k));
  const duplicateOps = [...rowKeys].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`);
  const duplicateIds = [...ids].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`);
  const orderViolations = [];
  if (checkOrder) {
    const byClient = new Map();
    const clientOf = new Map();
    for (const a of acked) {
      if (!byClient.has(a.client)) byClient.set(a.client, { want: [], got: [] });
      byClient.get(a.client).want.push(opKey(a));
      clientOf.set(opKey(a), a.client);
    }
    const seen = new Set();
    for (const r of rows) {
      const k = opKey(r);
      if (seen.has(k) || !clientOf.has(k)) continue;
      seen.add(k);
      byClient.get(clientOf.get(k)).got.push(k);
    }
    for (const [client, { want, got }] of byClient) {
      const expect = want.filter((k) => rowKeys.has(k));
      const i = got.findIndex((k, j) => k !== expect[j]);
      if (i >= 0) orderViolations.push(`client ${client}: audit #${i} is ${got[i]}, expected ${expect[i]}`);
    }
  }
  return { acked: acked.length, rows: rows.length, missing, extra, duplicateOps, duplicateIds, orderViolations };
}

// Throws with a readable summary unless compareAudit found nothing wrong.
// assertAuditExact of what the clients saw against the audit rows, with the cluster's
// process output appended on failure (what a reader of a failed run needs first).
export function assertClusterAudit(cluster, acked, rows) {
  try {
    assertAuditExact(compareAudit(acked, rows));
  } catch (err) {
    err.message += `\n${clusterOutput(cluster)}`;
    throw err;
  }
}

export function assertAuditExact(cmp, what = 'audit') {
  const problems = [];
  const show = (name, list) => { if (list.length) problems.push(`${list.length} ${name} (e.g. ${list.slice(0, 5).join('; ')})`); };
  show('acknowledged operations missing', cmp.missing);
  show('audited operations never acknowledged', cmp.extra);
  show('operations audited more than once', cmp.duplicateOps);
  show('event ids audited more than once', cmp.duplicateIds);
  show('users whose audit is out of order', cmp.orderViolations);
  if (cmp.rows !== cmp.acked) problems.push(`${cmp.rows} audit rows for ${cmp.acked} acknowledged operations`);
  if (problems.length) throw new Error(`${what}: ${problems.join('; ')}`);
}

// The task events in the shared log (what the api doubles accepted), checked against the
// publishing contract: a whole CloudEvent, id = event_id, type todo.task.<event_type>,
// source todo-api, partition key = user_id. -> {messages, distinct, duplicates, byProducer, violations}
export function publishedEvents(cluster) {
  const messages = readTopic(cluster.logDir, TOPIC).filter((m) => !m.producer?.endsWith('/inject'));
  const violations = [];
  const count = new Map();
  const byProducer = {};
  for (const m of messages) {
    byProducer[m.producer] = (byProducer[m.producer] || 0) + 1;
    const ce = m.event;
    const where = `${m.partition}@${m.offset}`;
    if (m.corrupt || m.raw || !ce || typeof ce !== 'object') { violations.push(`${where}: not a CloudEvent`); continue; }
    const e = ce.data;
    count.set(ce.id, (count.get(ce.id) || 0) + 1);
    if (!e || typeof e !== 'object') { violations.push(`${where}: data is not the event object`); continue; }
    if (ce.specversion !== '1.0') violations.push(`${where}: specversion ${ce.specversion}`);
    if (ce.id !== e.event_id) violations.push(`${where}: id ${ce.id} != event_id ${e.event_id}`);
    if (ce.type !== `todo.task.${e.event_type}`) violations.push(`${where}: type ${ce.type} for ${e.event_type}`);
    if (ce.source !== 'todo-api') violations.push(`${where}: source ${ce.source}`);
    if (ce.datacontenttype !== 'application/json') violations.push(`${where}: datacontenttype ${ce.datacontenttype}`);
    if (m.key !== e.user_id) violations.push(`${where}: partition key ${m.key} != user_id ${e.user_id}`);
  }
  const duplicates = [...count].filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`);
  return { messages: messages.length, distinct: count.size, duplicates, byProducer, violations };
}

// Commit -> audit-row latency per event: from the event's timestamp (taken in the
// transaction that committed the change) to the end of the audit double's first
// successful delivery (the audit role answers SUCCESS only after its row is committed).
// Also split into stages: commit -> in the log (published), log -> delivery started
// (the double's tailing and queueing), and the successful delivery itself (the audit
// role's work). Each: {n, p50, p90, p99, max} in ms.
export function auditLatencies(cluster, rows) {
  if (!existsSync(cluster.deliveryLog)) return null;
  const delivered = new Map();
  for (const line of readFileSync(cluster.deliveryLog, 'utf8').split('\n')) {
    if (!line) continue;
    const d = JSON.parse(line);
    if (d.result === 'success' && d.id && !delivered.has(d.id)) delivered.set(d.id, d);
  }
  const loggedAt = new Map();
  for (const m of readTopic(cluster.logDir, TOPIC)) {
    const id = m.event?.id;
    if (id && !loggedAt.has(id)) loggedAt.set(id, m.ts);
  }
  const total = [];
  const publish = [];
  const queue = [];
  const handle = [];
  for (const r of rows) {
    const d = delivered.get(r.event_id);
    const committed = Date.parse(r.ts);
    if (!d || !Number.isFinite(committed)) continue;
    total.push(d.ended - committed);
    handle.push(d.ended - d.started);
    const logged = loggedAt.get(r.event_id);
    if (logged !== undefined) {
      publish.push(logged - committed);
      queue.push(d.started - logged);
    }
  }
  if (!total.length) return null;
  const stats = (xs) => {
    xs.sort((a, b) => a - b);
    const q = (p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
    return { n: xs.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: xs[xs.length - 1] };
  };
  return { ...stats(total), stages: { publish: stats(publish), queue: stats(queue), handle: stats(handle) } };
}

export const formatLatency = (l) => `p50 ${l.p50} ms, p90 ${l.p90} ms, p99 ${l.p99} ms, max ${l.max} ms`;

// Redeliveries seen by the audit double: event ids delivered successfully more than once.
export function redeliveries(cluster) {
  return [...successfulDeliveries(cluster).values()].filter((x) => x > 1).length;
}

// Event id -> how many times the audit double delivered it successfully.
export function successfulDeliveries(cluster) {
  const n = new Map();
  for (const d of deliveryAttempts(cluster)) {
    if (d.result === 'success' && d.id) n.set(d.id, (n.get(d.id) || 0) + 1);
  }
  return n;
}

export const skipUnlessDapr = (t) => {
  if (!DAPR) { t.skip('needs the Dapr shape (TODO_DIST_SHAPE=dapr)'); return true; }
  return false;
};

// Polls `cond` until it returns a truthy value, which it returns; the deadline is a safety
// net for a busy machine.
export async function waitUntil(cond, what, { timeoutMs = 120_000, pollMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}

// Status counts of the requests a double answered, summed over single and bulk publish.
export function publishRequests(stats, status) {
  return (stats.requests?.publish?.[status] || 0) + (stats.requests?.bulk?.[status] || 0);
}
