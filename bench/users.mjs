// Issue 16 item 1: 1 000 distinct signed-up users, each on its own keep-alive connection,
// through a realistic mix (lists with filters, search and pages, create, update, complete,
// delete, get, audit pages, notifications, chat where POST /api/{id}/chat exists; SSE
// streams held open by a share of the users), in two phases: paced (random think time)
// and flat out (closed loop). Reports per operation ops/s, p50/p95/p99, errors, the
// commit -> audit lag of sampled creates, and the generator's own CPU. bench/users.sh
// starts the servers (SQLite, PostgreSQL, the distributed roles, nginx as the reference).
//
//   node bench/users.mjs --url http://127.0.0.1:PORT [options]
//   node bench/users.mjs --distributed [options]     starts the api, audit and notification
//        roles with the sidecar doubles on TODO_TEST_DATABASE_URL (tests/distributed/harness.mjs) and also
//        compares the audit with every acknowledged write (none lost, none doubled); the
//        audit routes go to the audit role, notifications and streams to the notification role
//
// Options (defaults in bench/users/run.mjs): --users 1000 --duration 60 --warmup 3
// --think 0.2 (mean, seconds) --phases paced,flat --workers 2 --sse-share 0.1
// --seed-tasks 5 --max-tasks 50 --check-rate 0.01 --audit-sample 0.02
// --final-check-users 20 --final-audit 1 (0: audit not compared, e.g. with a short retention)
// --mix list=30,create=18,... --fixed PATH (reference mode: GET PATH
// on each connection, no users) --cpu name=pid,name=family:pid (CPU of other processes;
// family: the pid and its children) --json FILE (the whole report) --start-marker FILE.
// Exit status 1 when any request failed or any check did.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { parseMix } from './users/ops.mjs';
import { DEFAULTS, formatReport, runLoad } from './users/run.mjs';

const { values: a } = parseArgs({
  options: {
    url: { type: 'string' }, distributed: { type: 'boolean' }, users: { type: 'string' }, duration: { type: 'string' },
    warmup: { type: 'string' }, think: { type: 'string' }, phases: { type: 'string' }, workers: { type: 'string' },
    'sse-share': { type: 'string' }, 'seed-tasks': { type: 'string' }, 'max-tasks': { type: 'string' },
    'check-rate': { type: 'string' }, 'audit-sample': { type: 'string' }, 'final-check-users': { type: 'string' },
    mix: { type: 'string' }, fixed: { type: 'string' }, cpu: { type: 'string' }, json: { type: 'string' }, label: { type: 'string' },
    'start-marker': { type: 'string' }, 'final-audit': { type: 'string' },
  },
});
const num = (name, key, dflt) => {
  if (a[name] === undefined) return dflt;
  const n = Number(a[name]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0, not ${a[name]}`);
  return n;
};
const options = {
  users: num('users', 'users', DEFAULTS.users), durationS: num('duration', 'durationS', DEFAULTS.durationS),
  warmupS: num('warmup', 'warmupS', DEFAULTS.warmupS), thinkS: num('think', 'thinkS', DEFAULTS.thinkS),
  workers: num('workers', 'workers', DEFAULTS.workers), sseShare: num('sse-share', 'sseShare', DEFAULTS.sseShare),
  seedTasks: num('seed-tasks', 'seedTasks', DEFAULTS.seedTasks), maxTasks: num('max-tasks', 'maxTasks', DEFAULTS.maxTasks),
  checkRate: num('check-rate', 'checkRate', DEFAULTS.checkRate), auditSample: num('audit-sample', 'auditSample', DEFAULTS.auditSample),
  finalCheckUsers: num('final-check-users', 'finalCheckUsers', DEFAULTS.finalCheckUsers),
  finalAudit: num('final-audit', 'finalAudit', 1) > 0,
  phases: a.phases ? a.phases.split(',') : DEFAULTS.phases,
  mix: a.mix ? parseMix(a.mix) : DEFAULTS.mix,
  fixedPath: a.fixed ?? null,
  cpu: Object.fromEntries((a.cpu ?? '').split(',').filter(Boolean).map((x) => x.split('='))),
  log: (line) => console.log(line),
  // --start-marker FILE: created when the first phase starts (bench/soak.sh tells setup from load)
  onPhaseStart: () => { if (a['start-marker']) writeFileSync(a['start-marker'], ''); },
};

let cluster = null;
let H = null;
try {
  if (a.distributed) {
    H = await import('../tests/distributed/harness.mjs');
    const lift = { TODO_MAX_CONNECTIONS_PER_ADDRESS: '100000' };
    cluster = await H.startCluster({ apiEnv: lift, auditEnv: lift });
    // notifications and SSE streams live in the notification role (src/app/roles.cpp)
    const notification = await H.startConsumerRole(cluster, { role: 'notification', env: lift });
    options.routes = { audit: cluster.audit.server.port, notifications: notification.server.port, stream: notification.server.port };
    options.url = cluster.api.baseUrl;
    options.wantAcked = true;
    options.cpu = { api: cluster.api.child.pid, audit: cluster.audit.server.child.pid, 'api double': cluster.apis[0].sidecar.child?.pid,
      'audit double': cluster.audit.sidecar.child?.pid, notification: notification.server.child.pid, ...options.cpu };
    for (const k of Object.keys(options.cpu)) if (!options.cpu[k]) delete options.cpu[k];
    console.log(`distributed: api :${cluster.api.port}, audit :${cluster.audit.server.port}, notification :${notification.server.port} over the sidecar doubles, database ${cluster.db.name}`);
  } else if (!a.url) {
    throw new Error('usage: node bench/users.mjs --url http://127.0.0.1:PORT | --distributed [options]');
  } else options.url = a.url;

  console.log(`== ${a.label ?? 'load'}: ${options.fixedPath ? `${options.users} connections, GET ${options.fixedPath}` : `${options.users} users`} ` +
    `against ${options.url}, ${options.workers} generator threads`);
  const report = await runLoad(options);
  report.fixed = Boolean(options.fixedPath);
  if (cluster) {
    // every acknowledged write audited exactly once (no loss, no double) in each user's order
    const userIds = [...new Set(report.acked.map((x) => x[0]))];
    const acked = report.acked.map(([user, task_id, type, version], i) => ({ client: user, user, task_id, type, version, at: i }));
    await H.waitQuiet(cluster);
    const rows = [];
    for (let i = 0; i < userIds.length; i += 200) rows.push(...await H.auditRows(cluster.db, userIds.slice(i, i + 200)));
    const cmp = H.compareAudit(acked, rows);
    report.auditCompare = { acked: cmp.acked, rows: cmp.rows, missing: cmp.missing.length, extra: cmp.extra.length,
      duplicateIds: cmp.duplicateIds.length, duplicateOps: cmp.duplicateOps.length, orderViolations: cmp.orderViolations.length };
    const bad = cmp.missing.length + cmp.extra.length + cmp.duplicateIds.length + cmp.duplicateOps.length + cmp.orderViolations.length;
    if (bad) report.ok = false;
    const lat = H.auditLatencies(cluster, rows);
    if (lat) report.pipelineLag = lat;
  }
  delete report.acked;
  console.log(formatReport(report));
  if (report.auditCompare) {
    const c = report.auditCompare;
    console.log(`audit vs acknowledged writes: ${c.acked} acknowledged, ${c.rows} audit rows; missing ${c.missing}, never acknowledged ${c.extra}, ` +
      `doubled ids ${c.duplicateIds}, doubled operations ${c.duplicateOps}, users out of order ${c.orderViolations}`);
  }
  if (report.pipelineLag) console.log(`commit -> audit row over every event (audit double's delivery log): ${H.formatLatency(report.pipelineLag)}`);
  if (a.json) writeFileSync(a.json, JSON.stringify(report, null, 1));
  if (!report.ok) process.exitCode = 1;
} finally {
  await cluster?.stop().catch((err) => console.error(`stopping the cluster: ${err.message}`));
}
