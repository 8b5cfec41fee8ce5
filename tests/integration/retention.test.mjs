// The audit retention job inside a running server (issue 14, item 18): events older than
// TODO_AUDIT_RETENTION leave the audit trail on their own, every
// TODO_AUDIT_RETENTION_INTERVAL, together with the consumers' dedupe rows
// (processed_events) of the same age, and todo_audit_purged_total counts them; younger
// events stay. On SQLite and PostgreSQL (TODO_TEST_BACKEND).
//
// "Old" without waiting for it: with a retention of an hour, some users' rows are made two
// hours old in the database (sqlite3 / psql), so which rows must go and which must stay does
// not depend on how fast the machine is. A second server with `2s` shows the real clock at
// work. Every wait is for a condition, with a deadline.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';

import { auditAll, expectAudit, waitOutboxDrained } from './audit_helpers.mjs';
import { BACKEND, metricValue, startServer, waitUntil } from './harness.mjs';

const run = promisify(execFile);
const servers = [];
after(async () => { for (const s of servers) await s.cleanup(); });

async function serverWith(env) {
  const s = await startServer({ env });
  servers.push(s);
  return s;
}

// One SQL statement against the server's database; the output, trimmed.
async function sql(server, statement) {
  if (BACKEND === 'postgres') {
    const { stdout } = await run('psql', ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-c', statement, process.env.TODO_TEST_DATABASE_URL]);
    return stdout.trim();
  }
  // The server holds the database open (WAL): wait for its writer rather than fail.
  const { stdout } = await run('sqlite3', ['-cmd', '.timeout 10000', join(server.dataDir, 'todo.db'), statement]);
  return stdout.trim();
}

const list = (ids) => ids.map((id) => `'${id}'`).join(',');
// Events that still have a dedupe row (each consumer of the topic writes one).
const dedupeRows = async (server, eventIds) =>
  Number(await sql(server, `SELECT COUNT(DISTINCT event_id) FROM processed_events WHERE event_id IN (${list(eventIds)})`));
const auditRows = async (server, eventIds) =>
  Number(await sql(server, `SELECT COUNT(*) FROM audit_log WHERE event_id IN (${list(eventIds)})`));

// Events the audit consumer has taken (embedded bus), from /metrics.
async function auditDeliveries(server) {
  const res = await server.api('GET', '/metrics');
  const m = /^todo_events_delivered_total\{subscriber="audit"\} (\S+)$/m.exec(res.text);
  return m ? Number(m[1]) : 0;
}

// A user with `n` tasks whose events have all reached the audit; returns their event ids.
async function userWithEvents(server, n, name) {
  const u = await server.signUp({ name });
  for (let i = 0; i < n; i++) {
    const res = await server.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: `${name} ${i}` } });
    assert.equal(res.status, 201, res.text);
  }
  const events = await expectAudit(server, u, n);
  return { u, ids: events.map((e) => e.event_id) };
}

test('events past the retention go, with their dedupe rows, while younger ones stay; the metric counts them', { timeout: 120_000 }, async () => {
  const server = await serverWith({ TODO_AUDIT_RETENTION: '1h', TODO_AUDIT_RETENTION_INTERVAL: '1s' });
  const old = await userWithEvents(server, 4, 'Retention Old');
  const young = await userWithEvents(server, 3, 'Retention Young');
  assert.equal(await dedupeRows(server, old.ids), 4, 'control: the audit consumer kept a dedupe row per event');
  assert.equal(await dedupeRows(server, young.ids), 3);
  const purgedBefore = await metricValue(server, 'todo_audit_purged_total');
  assert.equal(typeof purgedBefore, 'number', 'todo_audit_purged_total is exported');

  // Two hours old now: past the retention of one hour.
  const twoHoursMs = 2 * 3600 * 1000;
  await sql(server, `UPDATE audit_log SET timestamp = timestamp - ${twoHoursMs} WHERE event_id IN (${list(old.ids)})`);
  await sql(server, `UPDATE processed_events SET processed_at = processed_at - ${twoHoursMs} WHERE event_id IN (${list(old.ids)})`);

  // The job runs every second: the old events leave the audit API by themselves.
  await waitUntil(async () => (await auditAll(server, old.u)).length === 0, 'the old events to leave the audit trail', { timeoutMs: 60_000, pollMs: 200 });
  await waitUntil(async () => (await dedupeRows(server, old.ids)) === 0, 'the old dedupe rows to go', { timeoutMs: 60_000, pollMs: 200 });
  assert.equal(await auditRows(server, old.ids), 0);
  await waitUntil(async () => (await metricValue(server, 'todo_audit_purged_total')) >= purgedBefore + old.ids.length,
    'todo_audit_purged_total to count the purged events', { timeoutMs: 30_000 });

  // One more pass after that (a probe event made old and removed), and the young events
  // are all still there, dedupe rows included.
  const probe = await userWithEvents(server, 1, 'Retention Probe');
  await sql(server, `UPDATE audit_log SET timestamp = timestamp - ${twoHoursMs} WHERE event_id IN (${list(probe.ids)})`);
  await waitUntil(async () => (await auditRows(server, probe.ids)) === 0, 'one more pass (the probe event aged and removed)', { timeoutMs: 60_000, pollMs: 200 });
  const kept = await auditAll(server, young.u);
  assert.deepEqual(kept.map((e) => e.event_id).sort(), [...young.ids].sort(), 'the young events are all kept');
  assert.equal(await dedupeRows(server, young.ids), young.ids.length, 'their dedupe rows too');
  // On PostgreSQL a server left running would relay (and purge) beside the next test's.
  await server.cleanup();
});

test('with a retention of 2s, events leave the audit trail by the clock alone, and so do their dedupe rows', { timeout: 120_000 }, async () => {
  const server = await serverWith({ TODO_AUDIT_RETENTION: '2s', TODO_AUDIT_RETENTION_INTERVAL: '1s' });
  const purgedBefore = await metricValue(server, 'todo_audit_purged_total');
  const deliveredBefore = await auditDeliveries(server);
  // Rows stamped from now on are this test's (nothing else writes meanwhile).
  const since = Date.now() - 1;
  const u = await server.signUp({ name: 'Retention Clock' });
  for (let i = 0; i < 3; i++) {
    const res = await server.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: `clock ${i}` } });
    assert.equal(res.status, 201, res.text);
  }
  // All three reached the audit (they may be gone again already: two seconds is short on a
  // busy machine, so their presence is shown by the delivery counter, not by reading them).
  await waitOutboxDrained(server);
  // (counted right after the commit that empties the outbox: wait for it too)
  await waitUntil(async () => (await auditDeliveries(server)) >= deliveredBefore + 3, 'the three deliveries counted', { timeoutMs: 30_000 });
  assert.equal(await auditDeliveries(server), deliveredBefore + 3, 'the three events were stored in the audit');
  await waitUntil(async () => (await auditAll(server, u)).length === 0, 'the events to age out of the audit trail', { timeoutMs: 60_000, pollMs: 200 });
  assert.equal(Number(await sql(server, `SELECT COUNT(*) FROM audit_log WHERE user_id = '${u.user.id}'`)), 0);
  await waitUntil(async () => Number(await sql(server, `SELECT COUNT(*) FROM processed_events WHERE processed_at >= ${since}`)) === 0,
    'their dedupe rows to go', { timeoutMs: 60_000, pollMs: 200 });
  await waitUntil(async () => (await metricValue(server, 'todo_audit_purged_total')) >= purgedBefore + 3,
    'todo_audit_purged_total to count them', { timeoutMs: 30_000 });
});
