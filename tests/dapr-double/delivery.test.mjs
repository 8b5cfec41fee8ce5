// The double's delivering side against a fake app: CloudEvent fields and headers, per-key
// order under concurrency, redelivery (RETRY, 5xx, unknown status, timeout, reset, app
// down), DROP/404/exhausted retries to the dead-letter topic, persisted offsets across
// restarts, duplicate delivery, injected messages, the reminders topic.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { startSidecar, until } from './client.mjs';
import { startFakeApp, SUCCESS } from './fake_app.mjs';
import { loadOffsets, readTopic } from './lib/log.mjs';

// Quick redelivery. The delivery timeout is a minute, so that a busy machine never causes
// a redelivery the test did not ask for; the test of the timeout itself sets a short one
// and counts attempts as "at least".
const FAST = ['--retry-initial-ms', '20', '--retry-max-ms', '100', '--delivery-timeout-ms', '60000'];
const LONG = { timeout: 300_000 }; // a safety net per test, not a speed bound

// Resolves once `cond` holds or `ms` passed (then the test's assertions tell).
async function atMost(ms, cond) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(5);
}
const cleanups = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

function logDir() {
  const d = mkdtempSync(join(tmpdir(), 'dapr-double-del-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

// A publisher double (no app) and a consumer double delivering to `app`.
async function setup({ app, consumer = {}, dir = logDir() } = {}) {
  const pub = await startSidecar({ appId: 'todo-api', logDir: dir });
  const sub = await startSidecar({ appId: 'todo-audit', logDir: dir, appPort: app.port, args: FAST, ...consumer }, { waitSubscribed: true });
  cleanups.push(() => pub.stop(), () => sub.stop(), () => app.close());
  return { pub, sub, dir };
}

async function publish(pub, key, id, data = { id }, { type = 'todo.task.created' } = {}) {
  const body = { specversion: '1.0', id, source: 'todo-api', type, datacontenttype: 'application/json', partitionkey: key, data };
  const res = await fetch(`${pub.daprUrl}/v1.0/publish/kafka-pubsub/task-events?metadata.partitionKey=${encodeURIComponent(key)}`, {
    method: 'POST', headers: { 'Content-Type': 'application/cloudevents+json' }, body: JSON.stringify(body),
  });
  assert.equal(res.status, 204, await res.text());
}

const ids = (app) => app.deliveries.map((d) => d.body?.id);

test('publish -> one delivery to the route, as a structured CloudEvent with topic, pubsubname and the app token', async () => {
  const app = await startFakeApp();
  const { pub, sub } = await setup({ app, consumer: { appApiToken: 'app-secret' } });
  await publish(pub, 'u_1', 'ev-1', { event_id: 'ev-1', user_id: 'u_1' }, { type: 'todo.task.updated' });
  await until(() => app.deliveries.length >= 1, 'the delivery');
  await sub.waitIdle();
  assert.equal(app.deliveries.length, 1);
  const d = app.deliveries[0];
  assert.equal(d.method, 'POST');
  assert.equal(d.path, '/dapr/task-events');
  assert.equal(d.headers['content-type'], 'application/cloudevents+json');
  assert.equal(d.headers['dapr-api-token'], 'app-secret');
  assert.equal(d.body.specversion, '1.0');
  assert.equal(d.body.id, 'ev-1');
  assert.equal(d.body.type, 'todo.task.updated');
  assert.equal(d.body.source, 'todo-api');
  assert.equal(d.body.datacontenttype, 'application/json');
  assert.equal(d.body.topic, 'task-events');
  assert.equal(d.body.pubsubname, 'kafka-pubsub');
  assert.equal(d.body.partitionkey, 'u_1');
  assert.deepEqual(d.body.data, { event_id: 'ev-1', user_id: 'u_1' });
  assert.equal(app.subscribeCalls, 1);
  assert.equal(app.subscribeHeaders['dapr-api-token'], 'app-secret', 'the token goes on GET /dapr/subscribe too');
  const st = await sub.stats();
  assert.equal(st.topics['task-events'].delivered, 1);
  assert.equal(st.consumer.lag['task-events'].total, 0);
});

test('no dapr-api-token header when the double has no --app-api-token', async () => {
  const app = await startFakeApp();
  const { pub, sub } = await setup({ app });
  await publish(pub, 'u', 'no-token');
  await sub.waitIdle();
  assert.equal(app.deliveries[0].headers['dapr-api-token'], undefined);
});

test('per-key order under concurrency: one in flight per key, keys in parallel, bounded', LONG, async () => {
  const inFlightByKey = new Map();
  const violations = [];
  const app = await startFakeApp({
    handler: async (d) => {
      const key = d.body.partitionkey;
      if (inFlightByKey.get(key)) violations.push(`${key}: ${d.body.id} while another was in flight`);
      inFlightByKey.set(key, true);
      // The first deliveries wait (10 s at most) until a second one is in flight, so that
      // "keys in parallel" is seen however slow the machine; a serial double never gets there.
      if (app.maxInFlight < 2) await atMost(10_000, () => app.inFlight >= 2);
      await sleep(Math.random() * 6);
      inFlightByKey.set(key, false);
      return SUCCESS;
    },
  });
  const { pub, sub } = await setup({ app, consumer: { args: ['--retry-initial-ms', '20', '--retry-max-ms', '100', '--max-in-flight', '8'] } });
  const KEYS = 24;
  const PER_KEY = 40;
  await Promise.all(Array.from({ length: KEYS }, async (_, k) => {
    for (let i = 0; i < PER_KEY; i++) await publish(pub, `user-${k}`, `k${k}-${i}`, { k, i });
  }));
  await until(() => app.deliveries.length >= KEYS * PER_KEY, 'all deliveries');
  await sub.waitIdle();
  assert.deepEqual(violations, []);
  assert.equal(app.deliveries.length, KEYS * PER_KEY, 'each once');
  for (let k = 0; k < KEYS; k++) {
    const seq = app.deliveries.filter((d) => d.body.data.k === k).map((d) => d.body.data.i);
    assert.deepEqual(seq, Array.from({ length: PER_KEY }, (_, i) => i), `key ${k} in publish order`);
  }
  assert.ok(app.maxInFlight > 1, `different keys ran concurrently (max ${app.maxInFlight})`);
  assert.ok(app.maxInFlight <= 8, `at most --max-in-flight (max ${app.maxInFlight})`);
});

test('RETRY, 500, 503, unknown status, 400 and reset are redelivered; the key\'s next message waits', LONG, async () => {
  const plan = new Map([
    ['r-retry', [{ status: 200, body: { status: 'RETRY' } }, { status: 200, body: { status: 'RETRY' } }]],
    ['r-500', [{ status: 500, body: { error: 'db down' } }]],
    ['r-503', [{ status: 503 }]],
    ['r-unknown', [{ status: 200, body: { status: 'MAYBE' } }]],
    ['r-400', [{ status: 400, body: 'bad' }]],
    ['r-reset', ['reset']],
  ]);
  const app = await startFakeApp({
    handler: (d) => {
      const steps = plan.get(d.body.id);
      return steps?.length ? steps.shift() : SUCCESS;
    },
  });
  const { pub, sub } = await setup({ app });
  const order = [...plan.keys()];
  for (const id of order) await publish(pub, 'same-user', id);
  await publish(pub, 'same-user', 'r-last');
  await until(() => ids(app).includes('r-last'), 'the last message');
  await sub.waitIdle();
  const seq = ids(app);
  // every failing message came back until it succeeded, and nothing overtook it
  const expected = [];
  for (const id of order) {
    const attempts = id === 'r-retry' ? 3 : 2;
    for (let i = 0; i < attempts; i++) expected.push(id);
  }
  expected.push('r-last');
  assert.deepEqual(seq, expected);
  const st = (await sub.stats()).topics['task-events'];
  assert.equal(st.retried, order.length + 1);
  assert.equal(st.delivered, order.length + 1);
});

test('no answer within --delivery-timeout-ms is redelivered; the key\'s next message waits for it', LONG, async () => {
  let hung = false;
  const app = await startFakeApp({
    handler: (d) => {
      if (d.body.id === 't-hang' && !hung) {
        hung = true;
        return 'hang';
      }
      return SUCCESS;
    },
  });
  // A short timeout here; a busy machine may add timeouts, so attempts count "at least".
  const { pub, sub } = await setup({ app, consumer: { args: ['--retry-initial-ms', '20', '--retry-max-ms', '100', '--delivery-timeout-ms', '300'] } });
  await publish(pub, 'same-user', 't-hang');
  await publish(pub, 'same-user', 't-next');
  await until(() => ids(app).includes('t-next'), 't-next');
  await sub.waitIdle();
  const seq = ids(app);
  const firstNext = seq.indexOf('t-next');
  assert.ok(seq.slice(0, firstNext).filter((x) => x === 't-hang').length >= 2, `t-hang came again after the hang, before t-next: ${seq}`);
  assert.ok(!seq.slice(firstNext).includes('t-hang'), `nothing of t-hang after t-next: ${seq}`);
  assert.ok((await sub.stats()).topics['task-events'].retried >= 1);
});

test('2xx with an empty, non-JSON or status-less body counts as SUCCESS', async () => {
  const answers = { 'e-empty': { status: 200 }, 'e-204': { status: 204 }, 'e-text': { status: 200, body: 'ok!' }, 'e-nostatus': { status: 201, body: { fine: true } } };
  const app = await startFakeApp({ handler: (d) => answers[d.body.id] || SUCCESS });
  const { pub, sub } = await setup({ app });
  for (const id of Object.keys(answers)) await publish(pub, `k-${id}`, id);
  await until(() => app.deliveries.length >= 4, 'deliveries');
  await sub.waitIdle(); // nothing in flight, nothing uncommitted: no retry can still come
  assert.deepEqual(ids(app).sort(), Object.keys(answers).sort(), 'each delivered once, none retried');
});

test('DROP and 404 go to the dead-letter topic; later messages of the same key keep flowing', async () => {
  const app = await startFakeApp({
    handler: (d) => {
      if (d.body.id === 'poison-drop') return { status: 200, body: { status: 'DROP' } };
      if (d.body.id === 'poison-404') return { status: 404 };
      return SUCCESS;
    },
  });
  const { pub, sub, dir } = await setup({ app });
  for (const id of ['ok-1', 'poison-drop', 'ok-2', 'poison-404', 'ok-3']) await publish(pub, 'u_poison', id);
  await until(() => ids(app).includes('ok-3'), 'ok-3');
  await sub.waitIdle();
  assert.deepEqual(ids(app), ['ok-1', 'poison-drop', 'ok-2', 'poison-404', 'ok-3'], 'no redelivery of dropped messages');
  const dlq = readTopic(dir, 'task-events-dlq');
  assert.deepEqual(dlq.map((m) => m.event.id), ['poison-drop', 'poison-404']);
  for (const m of dlq) {
    assert.equal(m.key, 'u_poison', 'the partition key is kept');
    assert.equal(m.deadLetter.topic, 'task-events');
    assert.match(m.deadLetter.reason, /DROP|404/);
  }
  const viaControl = await sub.topic('task-events-dlq');
  assert.equal(viaControl.count, 2);
  assert.equal((await sub.stats()).topics['task-events'].dead_lettered, 2);
});

test('--max-retries: a message still failing after them is dead-lettered', async () => {
  const app = await startFakeApp({ handler: (d) => (d.body.id === 'always-fails' ? { status: 500 } : SUCCESS) });
  const { pub, sub, dir } = await setup({ app, consumer: { args: [...FAST, '--max-retries', '3'] } });
  await publish(pub, 'u', 'always-fails');
  await publish(pub, 'u', 'after');
  await until(() => ids(app).includes('after'), 'after');
  await sub.waitIdle();
  assert.equal(ids(app).filter((x) => x === 'always-fails').length, 4, '1 + 3 retries');
  const [m] = readTopic(dir, 'task-events-dlq');
  assert.equal(m.event.id, 'always-fails');
  assert.match(m.deadLetter.reason, /retries exhausted/);
});

// ARCHITECTURE.md §4: the notification role publishes fired reminders to `reminders`; the
// double has no list of topics, so it carries them (and dead-letters to reminders-dlq) as it
// does task-events.
test('the reminders topic: published with the user as key, delivered as a CloudEvent, DROP to reminders-dlq', async () => {
  const app = await startFakeApp({
    subscriptions: [{ pubsubname: 'kafka-pubsub', topic: 'reminders', route: '/dapr/reminders', deadLetterTopic: 'reminders-dlq' }],
    handler: (d) => (d.body.id === 'rem-poison' ? { status: 200, body: { status: 'DROP' } } : SUCCESS),
  });
  const { pub, sub, dir } = await setup({ app });
  const reminder = (id) => ({ event_id: id, task_id: 42, user_id: 'u_7', title: 'Call Bob', due_at: '2026-01-30T10:00:00Z', remind_at: '2026-01-30T09:45:00Z' });
  for (const id of ['rem-1', 'rem-poison']) {
    const res = await fetch(`${pub.daprUrl}/v1.0/publish/kafka-pubsub/reminders?metadata.partitionKey=u_7&metadata.cloudevent.id=${id}&metadata.cloudevent.type=todo.reminder.fired`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(reminder(id)),
    });
    assert.equal(res.status, 204, await res.text());
  }
  await until(() => app.deliveries.length >= 2, 'both reminders');
  await sub.waitIdle();
  assert.deepEqual(app.deliveries.map((d) => [d.path, d.body.topic, d.body.type, d.body.id]),
    [['/dapr/reminders', 'reminders', 'todo.reminder.fired', 'rem-1'], ['/dapr/reminders', 'reminders', 'todo.reminder.fired', 'rem-poison']]);
  assert.deepEqual(app.deliveries[0].body.data, reminder('rem-1'));
  assert.deepEqual(readTopic(dir, 'reminders').map((m) => m.key), ['u_7', 'u_7'], 'keyed by user_id');
  const dlq = readTopic(dir, 'reminders-dlq');
  assert.deepEqual(dlq.map((m) => [m.event.id, m.deadLetter.topic]), [['rem-poison', 'reminders']]);
  assert.equal((await pub.stats()).topics.reminders.published, 2);
});

test('a subscription without deadLetterTopic simply drops', async () => {
  const app = await startFakeApp({
    subscriptions: [{ pubsubname: 'kafka-pubsub', topic: 'task-events', route: '/dapr/task-events' }],
    handler: () => ({ status: 200, body: { status: 'DROP' } }),
  });
  const { pub, sub, dir } = await setup({ app });
  await publish(pub, 'u', 'x');
  await until(() => app.deliveries.length === 1, 'delivery');
  await sub.waitIdle();
  assert.equal(readTopic(dir, 'task-events-dlq').length, 0);
  assert.equal((await sub.stats()).topics['task-events'].dropped, 1);
});

test('restart continues from the persisted offset (graceful: no redelivery; SIGKILL: exactly what was not committed comes again)', LONG, async () => {
  const app = await startFakeApp();
  const { pub, sub, dir } = await setup({ app });
  for (let i = 0; i < 20; i++) await publish(pub, `u${i % 3}`, `a-${i}`);
  await until(() => app.deliveries.length >= 20, 'first batch');
  await sub.waitIdle();
  await sub.stop();
  for (let i = 0; i < 10; i++) await publish(pub, `u${i % 3}`, `b-${i}`);
  await sub.start({ waitSubscribed: true });
  await until(() => ids(app).filter((x) => x.startsWith('b-')).length >= 10, 'second batch');
  await sub.waitIdle();
  assert.equal(app.deliveries.length, 30, `a graceful stop commits everything done: ${ids(app).join(',')}`);

  // SIGKILL while deliveries are slow. What comes again is decided by the offsets the
  // killed double had saved (read from its log dir, as its successor reads them): exactly
  // the messages at or past them, each once; nothing before them. No bound on how many,
  // which would depend on the machine's speed.
  app.handler = async () => { await sleep(30); return SUCCESS; };
  for (let i = 0; i < 40; i++) await publish(pub, `u${i % 4}`, `c-${i}`);
  await until(() => ids(app).filter((x) => x.startsWith('c-')).length >= 10, 'some of the third batch');
  await sub.kill();
  const saved = loadOffsets(dir, 'todo-audit', 'task-events');
  const restartAt = Date.now();
  await sub.start({ waitSubscribed: true });
  await sub.waitIdle();
  const c = ids(app).filter((x) => x.startsWith('c-'));
  for (let i = 0; i < 40; i++) assert.ok(c.includes(`c-${i}`), `c-${i} delivered`);
  const after = app.deliveries.filter((d) => d.at >= restartAt).map((d) => d.body.id);
  const mustComeAgain = readTopic(dir, 'task-events')
    .filter((m) => m.offset >= (saved[m.partition]?.offset ?? 0))
    .map((m) => m.event.id);
  assert.deepEqual([...after].sort(), [...mustComeAgain].sort(), `after the restart: exactly the messages at or past the saved offsets ${JSON.stringify(saved)}`);
  assert.ok(!after.some((id) => id.startsWith('a-')), 'what the graceful stop saved never comes back');
  // per key, first deliveries stay in order
  for (let k = 0; k < 4; k++) {
    const firsts = [...new Set(c.filter((x) => Number(x.slice(2)) % 4 === k))];
    assert.deepEqual(firsts, [...firsts].sort((x, y) => Number(x.slice(2)) - Number(y.slice(2))));
  }
});

test('a delivery in flight at a graceful stop is not committed: it comes again after the restart', LONG, async () => {
  let release;
  const held = new Promise((r) => { release = r; });
  const app = await startFakeApp({ handler: async (d) => (d.body.id === 'h-1' ? held.then(() => SUCCESS) : SUCCESS) });
  const { pub, sub } = await setup({ app });
  await publish(pub, 'u', 'h-0');
  await publish(pub, 'u', 'h-1');
  await until(() => ids(app).includes('h-1'), 'h-1 in flight');
  await sub.stop(); // h-1 has no answer yet
  release();
  await sub.start({ waitSubscribed: true });
  await until(() => ids(app).filter((x) => x === 'h-1').length === 2, 'h-1 again');
  await sub.waitIdle();
  assert.deepEqual(ids(app), ['h-0', 'h-1', 'h-1'], 'h-0 was done and saved at the stop; h-1 was not');
});

test('the app down for a while: deliveries retried until it is back on its port, in order', LONG, async () => {
  const app = await startFakeApp();
  const { pub, sub } = await setup({ app });
  await publish(pub, 'u', 'before');
  await until(() => app.deliveries.length === 1, 'first');
  await app.close();
  for (let i = 0; i < 5; i++) await publish(pub, 'u', `during-${i}`);
  // Down until the double has failed to deliver (a condition, not a pause).
  await until(async () => (await sub.stats()).topics['task-events']?.retried >= 2, 'failed attempts while the app is down');
  const app2 = await startFakeApp({ port: app.port });
  cleanups.push(() => app2.close());
  await until(() => app2.deliveries.length >= 5, 'redelivered after the restart');
  await sub.waitIdle();
  assert.deepEqual(ids(app2), [0, 1, 2, 3, 4].map((i) => `during-${i}`));
  assert.equal(app2.subscribeCalls, 0, 'subscriptions are read once, at the double\'s start');
  assert.ok((await sub.stats()).topics['task-events'].retried > 0);
});

test('the double waits for the app to come up before subscribing; 404 on /dapr/subscribe = no subscriptions', async () => {
  const dir = logDir();
  const { freePort } = await import('./client.mjs');
  const port = await freePort();
  // Not up yet: the port takes connections and drops them. Once the double has tried
  // twice (a condition, not a pause) it must still be waiting.
  let attempts = 0;
  const notYet = createServer((sock) => { attempts++; sock.destroy(); });
  await new Promise((r) => notYet.listen(port, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => (notYet.listening ? notYet.close(r) : r())));
  const sub = await startSidecar({ appId: 'late', logDir: dir, appPort: port, args: FAST });
  cleanups.push(() => sub.stop());
  await until(() => attempts >= 2, 'two attempts to reach the app');
  assert.equal((await sub.stats()).consumer.ready, false);
  await new Promise((r) => notYet.close(r));
  const app = await startFakeApp({ port });
  cleanups.push(() => app.close());
  await sub.waitSubscribed();
  assert.equal(app.subscribeCalls, 1);

  const none = await startFakeApp({ subscriptions: null });
  const sub2 = await startSidecar({ appId: 'none', logDir: dir, appPort: none.port }, { waitSubscribed: true });
  cleanups.push(() => sub2.stop(), () => none.close());
  assert.deepEqual((await sub2.stats()).consumer.subscriptions, []);
});

test('duplicate mode delivers every message twice (sequentially, or concurrently)', async () => {
  const app = await startFakeApp();
  const { pub, sub } = await setup({ app });
  await sub.duplicate(true);
  for (let i = 0; i < 5; i++) await publish(pub, 'u', `d-${i}`);
  await until(() => app.deliveries.length >= 10, 'two copies each');
  await sub.waitIdle();
  assert.deepEqual(ids(app), ['d-0', 'd-0', 'd-1', 'd-1', 'd-2', 'd-2', 'd-3', 'd-3', 'd-4', 'd-4']);
  assert.equal((await sub.stats()).topics['task-events'].duplicated, 5);

  await sub.duplicate(true, true);
  let concurrent = 0;
  let maxConcurrent = 0;
  app.handler = async () => {
    maxConcurrent = Math.max(maxConcurrent, ++concurrent);
    // Each copy waits (10 s at most) for the other: both in flight together however slow
    // the machine; copies sent one after the other never get there.
    await atMost(10_000, () => maxConcurrent >= 2);
    concurrent--;
    return SUCCESS;
  };
  await publish(pub, 'u', 'conc');
  await until(() => ids(app).filter((x) => x === 'conc').length === 2, 'two concurrent copies');
  await sub.waitIdle();
  assert.equal(maxConcurrent, 2, 'both copies in flight together');
  await sub.duplicate(false);
  await sub.waitIdle();
  await publish(pub, 'u', 'single');
  await until(() => ids(app).includes('single'), 'single');
  await sub.waitIdle();
  assert.equal(ids(app).filter((x2) => x2 === 'single').length, 1);
});

test('inject: a poison CloudEvent and a raw body are delivered exactly as given', async () => {
  const app = await startFakeApp({ handler: (d) => (typeof d.body === 'object' && d.body.data?.event_id ? SUCCESS : { status: 200, body: { status: 'DROP' } }) });
  const { sub, dir } = await setup({ app });
  const poison = { specversion: '1.0', id: 'poison-1', source: 'test', type: 'todo.task.created', datacontenttype: 'application/json', data: { not: 'an event' } };
  const r = await sub.inject({ topic: 'task-events', partitionKey: 'u_inj', cloudevent: poison });
  assert.equal(r.id, 'poison-1');
  await sub.inject({ topic: 'task-events', partitionKey: 'u_inj', raw: '{"event_id":"raw-1"}', contentType: 'application/json' });
  await sub.inject({ topic: 'task-events', partitionKey: 'u_inj', data: { event_id: 'wrapped-1' }, id: 'wrapped-ce', type: 'todo.task.created' });
  await until(() => app.deliveries.length >= 3, 'three deliveries');
  await sub.waitIdle();
  const [p, raw, wrapped] = app.deliveries;
  assert.deepEqual({ ...p.body, topic: undefined, pubsubname: undefined }, { ...poison, topic: undefined, pubsubname: undefined });
  assert.equal(raw.headers['content-type'], 'application/json');
  assert.equal(raw.raw, '{"event_id":"raw-1"}', 'raw bodies are not wrapped');
  assert.equal(wrapped.body.id, 'wrapped-ce');
  assert.deepEqual(wrapped.body.data, { event_id: 'wrapped-1' });
  assert.deepEqual(readTopic(dir, 'task-events-dlq').map((m) => m.event.id ?? m.event), ['poison-1', '{"event_id":"raw-1"}']);
});

test('--delivery-log records every attempt', async () => {
  const dir = logDir();
  const logFile = join(dir, 'deliveries.jsonl');
  let n = 0;
  const app = await startFakeApp({ handler: () => (n++ === 0 ? { status: 500 } : SUCCESS) });
  const { pub, sub } = await setup({ app, dir, consumer: { deliveryLog: logFile } });
  await publish(pub, 'u', 'logged');
  await until(() => app.deliveries.length >= 2, 'retry');
  await sub.waitIdle();
  const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.id, l.attempt, l.result]), [['logged', 1, 'retry'], ['logged', 2, 'success']]);
  for (const l of lines) assert.ok(l.ended >= l.started);
});
