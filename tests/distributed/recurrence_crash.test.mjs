// The recurrence role SIGKILLed mid-run (issue 10): every completed recurring task still gets
// exactly one next occurrence, audited once as `created`.
//
// The kill is made to land inside the consumer's transaction, not hoped for: once the
// completions are published, the test holds a lock on `outbox` (SHARE ROW EXCLUSIVE: reads go
// on, inserts wait), so the recurrence role's transaction, which has inserted next occurrences,
// waits to write their created events; the test sees that backend waiting in
// pg_stat_activity, SIGKILLs the role, releases the lock and starts the role again. Its
// sidecar redelivers what was never acknowledged. Then every completed event is delivered once
// more (injected into the log again, as a broker redelivery would): nothing more is created.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';

import { readTopic } from '../dapr-double/lib/log.mjs';
import {
  clusterOutput, psql, psqlRows, signUpUsers, skipUnlessDapr, startCluster, startConsumerRole, waitQuiet, waitUntil,
} from './harness.mjs';

const USERS = 10;
const TASKS_PER_USER = 20;

let cluster;
before(async () => { cluster = await startCluster(); });
after(async () => { await cluster?.stop(); });

// A psql session holding a lock until release() (its transaction stays open until then).
function holdLock(url, sql) {
  const child = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => { out += c; });
  child.stderr.on('data', (c) => { out += c; });
  child.stdin.write(`BEGIN;\n${sql};\nSELECT 'locked';\n`);
  const exited = new Promise((r) => child.on('exit', r));
  return {
    locked: () => out.includes('locked'),
    output: () => out,
    release: async () => { child.stdin.end('COMMIT;\n'); await exited; },
  };
}

test('recurrence role SIGKILLed inside its transaction: every next occurrence exactly once', { timeout: 600_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const api = cluster.api;
  const users = await signUpUsers(api, USERS);
  const completed = [];
  for (const u of users) {
    for (let i = 0; i < TASKS_PER_USER; i++) {
      const res = await api.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: `daily ${i}`, due_at: '2030-01-01T09:00:00Z', recurrence: 'FREQ=DAILY' } });
      assert.equal(res.status, 201, res.text);
      completed.push({ u, id: res.json.id });
    }
  }
  // The completions are published before the recurrence role exists: it finds them in the log.
  for (const { u, id } of completed) {
    const res = await api.api('PATCH', `/api/${u.user.id}/tasks/${id}/complete`, { token: u.token, body: { completed: true } });
    assert.equal(res.status, 200, res.text);
  }
  await waitQuiet(cluster);

  const lock = holdLock(cluster.db.url, 'LOCK TABLE outbox IN SHARE ROW EXCLUSIVE MODE');
  await waitUntil(() => lock.locked(), `the lock on outbox: ${lock.output()}`);
  const rec = await startConsumerRole(cluster, { role: 'recurrence' });
  try {
    // Its transaction inserted occurrences and now waits for the outbox.
    await waitUntil(async () => Number(await psql(cluster.db.url,
      "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO outbox%'")) > 0,
    'the recurrence role waiting to write the created events', { timeoutMs: 120_000 });
    await rec.server.kill();
    assert.equal(rec.server.exit.signal, 'SIGKILL');
  } finally {
    await lock.release();
  }
  const before = Number(await psql(cluster.db.url, 'SELECT count(*) FROM tasks WHERE series_id IS NOT NULL'));
  assert.ok(before < completed.length, `killed mid-run (${before} of ${completed.length} occurrences committed)`);

  await rec.server.start();
  await waitUntil(async () => Number(await psql(cluster.db.url, 'SELECT count(*) FROM tasks WHERE series_id IS NOT NULL')) >= completed.length,
    `every next occurrence\n${clusterOutput(cluster)}`, { timeoutMs: 180_000 });
  await waitUntil(async () => (await rec.server.metric('todo_outbox_pending')) === 0, 'the recurrence role to publish its events');
  await waitQuiet(cluster);

  const rows = await psqlRows(cluster.db.url, 'SELECT series_id, count(*)::int AS n, min(due_at)::bigint AS due FROM tasks WHERE series_id IS NOT NULL GROUP BY series_id');
  const bySeries = new Map(rows.map((r) => [Number(r.series_id), r]));
  const missing = completed.filter(({ id }) => !bySeries.has(id)).map(({ id }) => id);
  const doubled = rows.filter((r) => r.n !== 1);
  assert.deepEqual({ missing, doubled }, { missing: [], doubled: [] });
  assert.ok(rows.every((r) => Number(r.due) === Date.parse('2030-01-02T09:00:00Z')), 'each on the next day');
  // Audited once each, as created.
  await waitUntil(async () => Number(await psql(cluster.db.url,
    "SELECT count(*) FROM audit_log a JOIN tasks t ON t.id = a.task_id WHERE t.series_id IS NOT NULL AND a.event_type = 'created'")) >= completed.length,
  'the occurrences audited');
  const audited = await psqlRows(cluster.db.url,
    "SELECT a.task_id, count(*)::int AS n FROM audit_log a JOIN tasks t ON t.id = a.task_id WHERE t.series_id IS NOT NULL AND a.event_type = 'created' GROUP BY a.task_id HAVING count(*) <> 1");
  assert.deepEqual(audited, []);

  // Every completed event once more, with its own id: handled before, so nothing new.
  const completions = readTopic(cluster.logDir, 'task-events').filter((m) => m.event?.type === 'todo.task.completed');
  assert.equal(completions.length, completed.length);
  const duplicates = async () => (await rec.server.metric('todo_consumer_events_total', 'consumer="recurrence",outcome="duplicate"')) ?? 0;
  const duplicatesBefore = await duplicates();
  for (const m of completions) await rec.sidecar.inject({ topic: 'task-events', partitionKey: m.event.partitionkey, cloudevent: m.event });
  await waitUntil(async () => (await duplicates()) >= duplicatesBefore + completions.length, 'the copies to reach the recurrence role');
  await waitQuiet(cluster);
  assert.equal(Number(await psql(cluster.db.url, 'SELECT count(*) FROM tasks WHERE series_id IS NOT NULL')), completed.length,
    'no occurrence from the redelivered completions');
  t.diagnostic(`${completed.length} completions; ${before} occurrences committed when the role was killed inside a transaction;` +
    ` ${completions.length} completions delivered again`);
});
