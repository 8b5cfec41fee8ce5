// The consumer contract (src/bus/consumer.hpp) in the Dapr shape: a role of two consumers
// that exist only in tests (build/tests/consumer_test_app, tests/bus/consumer_test_app.cpp),
// behind the product's own generic Dapr endpoint, fed by the api role through the sidecar
// doubles:
//   - GET /dapr/subscribe lists one subscription for task-events (Dapr allows one per topic
//     and app) with its route and dead-letter topic; both consumers get every event once;
//   - a poison event for one consumer (contract-b gives up on "poison-b" titles) is given up
//     by that one only: the other still handles it, and it is not dead-lettered;
//   - the app killed right after a commit, before the sidecar got its answer: after the
//     restart the redelivered events are recognised (duplicates) and every effect is once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

import { freePort, SidecarProcess } from '../dapr-double/client.mjs';
import { readTopic } from '../dapr-double/lib/log.mjs';
import { BINARY } from '../integration/harness.mjs';
import {
  DEFAULT_APP_TOKEN, auditRows, clusterOutput, psqlRows, runWorkload, signUpUsers, skipUnlessDapr, sqlString, startCluster,
  waitForAuditRows, waitUntil,
} from './harness.mjs';

// Beside the binary under test (TODO_TEST_BINARY: the sanitizer and coverage builds too).
const APP = join(dirname(BINARY), 'tests', 'consumer_test_app');

class ConsumerApp {
  constructor({ databaseUrl, port, env = {} }) {
    Object.assign(this, { databaseUrl, port, env, output: '', name: 'consumer-app' });
  }
  get baseUrl() { return `http://127.0.0.1:${this.port}`; }
  async start() {
    this.exit = null;
    this.child = spawn(APP, ['--listen', `127.0.0.1:${this.port}`, '--database-url', this.databaseUrl],
      { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (c) => { this.output = (this.output + c.toString('utf8')).slice(-32 * 1024); };
    this.child.stdout.on('data', keep);
    this.child.stderr.on('data', keep);
    this.exited = new Promise((res) => this.child.on('exit', (code, signal) => { this.exit = { code, signal }; res(this.exit); }));
    await waitUntil(async () => {
      if (this.exit) throw new Error(`consumer app exited: ${JSON.stringify(this.exit)}\n${this.output}`);
      try { return (await fetch(`${this.baseUrl}/healthz`)).status === 200; } catch { return false; }
    }, 'the consumer app to listen', { timeoutMs: 20_000 });
    return this;
  }
  async stop() {
    if (this.child && !this.exit) this.child.kill('SIGTERM');
    return this.exited;
  }
  async metric(name, labels) {
    const text = await (await fetch(`${this.baseUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
    return line ? Number(line.split(' ').pop()) : 0;
  }
}

// The api role and its double from startCluster (the audit role too), plus the test app with
// a double of its own on the same log.
async function withConsumers(appEnv, fn) {
  const cluster = await startCluster({});
  const port = await freePort();
  const app = new ConsumerApp({ databaseUrl: cluster.db.url, port, env: { APP_API_TOKEN: DEFAULT_APP_TOKEN, ...appEnv } });
  const sidecar = new SidecarProcess({
    appId: 'todo-contract', logDir: cluster.logDir, appPort: port, appApiToken: DEFAULT_APP_TOKEN,
    args: ['--quiet', '--retry-initial-ms', '50', '--retry-max-ms', '1000'],
  });
  try {
    await app.start();
    await sidecar.start({ waitSubscribed: true });
    await fn({ cluster, app, sidecar });
  } catch (err) {
    err.message += `\n----- consumer app:\n${app.output}\n----- its double:\n${sidecar.output.slice(-4000)}\n${clusterOutput(cluster)}`;
    throw err;
  } finally {
    await sidecar.stop().catch(() => {});
    await app.stop().catch(() => {});
    await cluster.stop();
  }
}

// (consumer, event_id) -> times the effect happened.
async function effects(db, userIds) {
  const rows = await psqlRows(db.url, `SELECT consumer, event_id, count(*)::int AS n FROM contract_effects
    WHERE user_id IN (${userIds.map(sqlString).join(',')}) GROUP BY consumer, event_id`);
  const byConsumer = { 'contract-a': new Map(), 'contract-b': new Map() };
  for (const r of rows) byConsumer[r.consumer].set(r.event_id, r.n);
  return byConsumer;
}

async function workloadWithPoison(cluster, seed) {
  const users = await signUpUsers(cluster.api, 5);
  const { acked, failures } = await runWorkload({ servers: [cluster.api], users, clients: 5, perClient: 30, seed });
  assert.deepEqual(failures, []);
  for (let i = 0; i < 3; i++) {
    const u = users[i];
    const res = await cluster.api.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: `poison-b ${i}` } });
    assert.equal(res.status, 201);
  }
  const ids = users.map((u) => u.user.id);
  // The audit role consumes the same topic: its rows are the list of every event.
  const rows = await waitForAuditRows(cluster, ids, acked.length + 3);
  assert.equal(rows.length, acked.length + 3);
  const all = rows.map((r) => r.event_id);
  const poison = new Set((await psqlRows(cluster.db.url, `SELECT event_id FROM audit_log
    WHERE user_id IN (${ids.map(sqlString).join(',')}) AND event_data::jsonb->'task_data'->>'title' LIKE 'poison-b%'`))
    .map((r) => r.event_id));
  assert.ok(poison.size >= 3, 'the poison events were published');
  return { ids, all, poison };
}

async function assertEachOnce(cluster, { ids, all, poison }) {
  let eff;
  await waitUntil(async () => {
    eff = await effects(cluster.db, ids);
    return eff['contract-a'].size === all.length && eff['contract-b'].size === all.length - poison.size;
  }, 'both consumers to handle every event', { timeoutMs: 120_000 });
  assert.deepEqual([...eff['contract-a'].keys()].sort(), [...all].sort(), 'contract-a: every event');
  assert.deepEqual([...eff['contract-b'].keys()].sort(), all.filter((e) => !poison.has(e)).sort(),
    'contract-b: every event but its poison');
  for (const [consumer, m] of Object.entries(eff))
    for (const [eventId, n] of m) assert.equal(n, 1, `${consumer}: effect of ${eventId} ${n} times`);
}

test('two consumers in one role: one subscription, each gets every event once, poison for one only', { timeout: 300_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  await withConsumers({}, async ({ cluster, app, sidecar }) => {
    const subs = await (await fetch(`${app.baseUrl}/dapr/subscribe`, { headers: { 'dapr-api-token': DEFAULT_APP_TOKEN } })).json();
    assert.deepEqual(subs, [{
      pubsubname: 'kafka-pubsub', topic: 'task-events', route: '/dapr/task-events', deadLetterTopic: 'task-events-dlq',
      bulkSubscribe: { enabled: true, maxMessagesCount: 100, maxAwaitDurationMs: 50 },
    }]);
    const events = await workloadWithPoison(cluster, 7);
    await assertEachOnce(cluster, events);
    await sidecar.waitIdle({ timeoutMs: 60_000 });
    assert.equal(await app.metric('todo_consumer_events_total', 'consumer="contract-b",outcome="give_up"'), events.poison.size);
    assert.equal(await app.metric('todo_consumer_events_total', 'consumer="contract-a",outcome="give_up"'), 0);
    assert.equal(readTopic(cluster.logDir, 'task-events-dlq').length, 0,
      'a poison for one consumer only is not dead-lettered');
  });
});

test('the consumer app killed between a commit and its answer: every effect still once', { timeout: 300_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'todo-crash-'));
  const marker = join(dir, 'crashed');
  try {
    await withConsumers({ CONSUMER_APP_CRASH_AFTER: '40', CONSUMER_APP_CRASH_MARKER: marker }, async ({ cluster, app }) => {
      const events = await workloadWithPoison(cluster, 11);
      const exit = await app.exited;
      assert.equal(exit.code, 137, 'the app crashed where the test asked');
      assert.ok(existsSync(marker));
      await app.start();  // same port: the double redelivers what was not answered
      await assertEachOnce(cluster, events);
      assert.ok(await app.metric('todo_consumer_events_total', 'consumer="contract-a",outcome="duplicate"') > 0,
        'events committed before the crash came again and were recognised');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
