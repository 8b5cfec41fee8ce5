// Bulk subscribe on the double's delivering side, against the fake app: the envelope and
// headers, maxMessagesCount and maxAwaitDurationMs, one batch in flight per partition in
// log order, per-entry and whole-request outcomes (RETRY, DROP, missing, non-JSON, 500,
// 404, exhausted retries), the delivery log, restarts with persisted offsets, duplicates,
// and single-mode subscriptions next to bulk ones.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { startSidecar, until } from './client.mjs';
import { bulkStatuses, isBulk, startFakeApp } from './fake_app.mjs';
import { partitionFor, readTopic } from './lib/log.mjs';

// Quick redelivery; a delivery timeout of a minute, so that a busy machine never causes a
// redelivery a test did not ask for.
const FAST = ['--retry-initial-ms', '20', '--retry-max-ms', '100', '--delivery-timeout-ms', '60000'];
const LONG = { timeout: 300_000 }; // a safety net per test, not a speed bound

// Resolves once `cond` holds or `ms` passed (then the test's assertions tell).
async function atMost(ms, cond) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(5);
}
const TOPIC = 'task-events';
const ROUTE = '/dapr/task-events';
const cleanups = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

function logDir() {
  const d = mkdtempSync(join(tmpdir(), 'dapr-double-bulk-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const bulkSubscription = (bulkSubscribe, extra = {}) => ({
  pubsubname: 'kafka-pubsub', topic: TOPIC, route: ROUTE, deadLetterTopic: 'task-events-dlq',
  bulkSubscribe: { enabled: true, ...bulkSubscribe }, ...extra,
});

// A publisher double (no app) and a consumer double delivering to `app`.
async function setup({ app, consumer = {}, dir = logDir() }) {
  const pub = await startSidecar({ appId: 'todo-api', logDir: dir });
  const sub = await startSidecar({ appId: 'todo-audit', logDir: dir, appPort: app.port, args: FAST, ...consumer }, { waitSubscribed: true });
  cleanups.push(() => pub.stop(), () => sub.stop(), () => app.close());
  return { pub, sub, dir };
}

const cloudEvent = (key, id, data = { id }) => ({
  specversion: '1.0', id, source: 'todo-api', type: 'todo.task.created', datacontenttype: 'application/json', partitionkey: key, data,
});

async function publish(pub, key, id, topic = TOPIC) {
  const res = await fetch(`${pub.daprUrl}/v1.0/publish/kafka-pubsub/${topic}?metadata.partitionKey=${encodeURIComponent(key)}`, {
    method: 'POST', headers: { 'Content-Type': 'application/cloudevents+json' }, body: JSON.stringify(cloudEvent(key, id)),
  });
  assert.equal(res.status, 204, await res.text());
}

// One bulk publish: the messages of a partition land in the log with one write(2), so the
// consumer finds them together. items: [[key, id], ...]
async function publishAll(pub, items) {
  const entries = items.map(([key, id]) => ({ entryId: id, event: cloudEvent(key, id), contentType: 'application/cloudevents+json', metadata: { partitionKey: key } }));
  const res = await fetch(`${pub.daprUrl}/v1.0-alpha1/publish/bulk/kafka-pubsub/${TOPIC}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(entries),
  });
  assert.equal(res.status, 204, await res.text());
}

const bulks = (app) => app.deliveries.filter((d) => d.path === ROUTE);
const entryIds = (d) => d.body.entries.map((e) => e.event.id);
const requestIds = (app) => bulks(app).map(entryIds);
const allIds = (app) => requestIds(app).flat();
const range = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test('envelope: Dapr\'s BulkSubscribeEnvelope with token and content type; raw bodies in base64; single-mode subscriptions unchanged', async () => {
  const app = await startFakeApp({
    subscriptions: [
      bulkSubscription({ maxMessagesCount: 10, maxAwaitDurationMs: 100 }),
      { pubsubname: 'kafka-pubsub', topic: 'other-events', route: '/dapr/other' },
      { pubsubname: 'kafka-pubsub', topic: 'default-events', route: '/dapr/default', bulkSubscribe: { enabled: true } },
      { pubsubname: 'kafka-pubsub', topic: 'off-events', route: '/dapr/off', bulkSubscribe: { enabled: false, maxMessagesCount: 5 } },
    ],
  });
  const { pub, sub } = await setup({ app, consumer: { appApiToken: 'app-secret' } });
  await sub.inject({ topic: TOPIC, partitionKey: 'u_1', raw: '{"event_id":"raw-1"}', contentType: 'application/json' });
  for (const id of ['e-1', 'e-2', 'e-3']) await publish(pub, 'u_1', id);
  await publish(pub, 'u_2', 'o-1', 'other-events');
  await publish(pub, 'u_2', 'o-2', 'other-events');
  await publish(pub, 'u_3', 'off-1', 'off-events');
  await until(() => bulks(app).reduce((n, d) => n + d.body.entries.length, 0) >= 4 && app.deliveries.length >= bulks(app).length + 3, 'all deliveries');
  await sub.waitIdle();

  const reqs = bulks(app);
  const entries = reqs.flatMap((d) => d.body.entries);
  assert.equal(entries.length, 4, 'each message once');
  for (const d of reqs) {
    assert.equal(d.method, 'POST');
    assert.equal(d.headers['content-type'], 'application/cloudevents-batch+json');
    assert.equal(d.headers['dapr-api-token'], 'app-secret');
    assert.deepEqual(Object.keys(d.body).sort(), ['entries', 'id', 'metadata', 'pubsubname', 'topic', 'type']);
    assert.match(d.body.id, /^[0-9a-f-]{36}$/);
    assert.equal(d.body.type, 'com.dapr.event.sent.bulk');
    assert.equal(d.body.topic, TOPIC);
    assert.equal(d.body.pubsubname, 'kafka-pubsub');
    assert.deepEqual(d.body.metadata, {});
  }
  assert.equal(new Set(reqs.map((d) => d.body.id)).size, reqs.length, 'envelope ids unique');
  assert.equal(new Set(entries.map((e) => e.entryId)).size, entries.length, 'entryIds unique');
  for (const e of entries) {
    assert.deepEqual(Object.keys(e).sort(), ['contentType', 'entryId', 'event', 'metadata']);
    assert.equal(typeof e.entryId, 'string');
    assert.deepEqual(e.metadata, {});
  }
  // one partition key: the raw body first, then the CloudEvents, in log order
  const [raw, ...ces] = entries;
  assert.equal(raw.contentType, 'application/json');
  assert.equal(Buffer.from(raw.event, 'base64').toString('utf8'), '{"event_id":"raw-1"}', 'raw bodies in base64');
  assert.deepEqual(ces.map((e) => e.event.id), ['e-1', 'e-2', 'e-3']);
  for (const e of ces) {
    assert.equal(e.contentType, 'application/cloudevents+json');
    assert.equal(e.event.topic, TOPIC);
    assert.equal(e.event.pubsubname, 'kafka-pubsub');
    assert.equal(e.event.specversion, '1.0');
    assert.equal(e.event.type, 'todo.task.created');
    assert.equal(e.event.partitionkey, 'u_1');
    assert.deepEqual(e.event.data, { id: e.event.id });
  }

  // subscriptions without bulkSubscribe, or with enabled:false: one POST per message
  for (const [route, want] of [['/dapr/other', ['o-1', 'o-2']], ['/dapr/off', ['off-1']]]) {
    const single = app.deliveries.filter((d) => d.path === route);
    assert.deepEqual(single.map((d) => d.body.id), want);
    for (const d of single) assert.equal(d.headers['content-type'], 'application/cloudevents+json');
  }

  const st = await sub.stats();
  assert.equal(st.topics[TOPIC].bulk_deliveries, reqs.length);
  assert.equal(st.topics[TOPIC].attempts, 4);
  assert.equal(st.topics[TOPIC].delivered, 4);
  assert.equal(st.topics['other-events'].bulk_deliveries, 0);
  assert.equal(st.topics['other-events'].delivered, 2);

  const meta = await (await fetch(`${sub.daprUrl}/v1.0/metadata`)).json();
  const byTopic = Object.fromEntries(meta.subscriptions.map((s) => [s.topic, s]));
  assert.deepEqual(byTopic[TOPIC].bulkSubscribe, { enabled: true, maxMessagesCount: 10, maxAwaitDurationMs: 100 });
  assert.deepEqual(byTopic['default-events'].bulkSubscribe, { enabled: true, maxMessagesCount: 100, maxAwaitDurationMs: 1000 }, 'Dapr\'s defaults');
  assert.equal(byTopic['other-events'].bulkSubscribe, undefined);
  assert.equal(byTopic['off-events'].bulkSubscribe.enabled, false);
});

test('maxMessagesCount: batches of at most N, each message once, one batch in flight per partition, log order per partition', LONG, async () => {
  const inFlight = new Map();  // partition -> requests in flight
  const violations = [];
  const app = await startFakeApp({
    subscriptions: [bulkSubscription({ maxMessagesCount: 10, maxAwaitDurationMs: 200 })],
    handler: async (d) => {
      const parts = new Set(d.body.entries.map((e) => partitionFor(e.event.partitionkey)));
      if (parts.size !== 1) violations.push(`one request, several partitions: ${[...parts]}`);
      const [p] = parts;
      if (inFlight.get(p)) violations.push(`partition ${p}: a second request while one was in flight`);
      inFlight.set(p, (inFlight.get(p) || 0) + 1);
      // The first requests wait (10 s at most) for a second one in flight, so that
      // "partitions concurrently" is seen however slow the machine is.
      if (app.maxInFlight < 2) await atMost(10_000, () => app.inFlight >= 2);
      await sleep(20);
      inFlight.set(p, inFlight.get(p) - 1);
      return bulkStatuses(d);
    },
  });
  const { pub, sub, dir } = await setup({ app });
  // 25 messages of one key, and 6 for each of a few keys on other partitions
  const soloPartition = partitionFor('solo');
  const others = [];
  for (let i = 0; others.length < 4; i++) {
    const key = `k${i}`;
    if (partitionFor(key) !== soloPartition && !others.some((o) => partitionFor(o) === partitionFor(key))) others.push(key);
  }
  const items = range('solo-', 25).map((id) => ['solo', id]);
  for (const key of others) for (const id of range(`${key}-`, 6)) items.push([key, id]);
  await publishAll(pub, items);
  await until(() => allIds(app).length >= items.length, 'all messages');
  await sub.waitIdle();

  assert.deepEqual(violations, []);
  assert.deepEqual(allIds(app).sort(), items.map(([, id]) => id).sort(), 'each message once');
  for (const d of bulks(app)) assert.ok(d.body.entries.length <= 10, `${d.body.entries.length} entries > maxMessagesCount`);
  const partitionOf = (d) => partitionFor(d.body.entries[0].event.partitionkey);
  const solo = bulks(app).filter((d) => partitionOf(d) === soloPartition).map((d) => d.body.entries.length);
  assert.deepEqual(solo, [10, 10, 5], 'full batches go at once, the rest after maxAwaitDurationMs');
  const log = readTopic(dir, TOPIC);
  for (const p of new Set(log.map((m) => m.partition))) {
    const delivered = bulks(app).filter((d) => partitionOf(d) === p).flatMap(entryIds);
    assert.deepEqual(delivered, log.filter((m) => m.partition === p).map((m) => m.event.id), `partition ${p} in log order`);
  }
  assert.ok(app.maxInFlight > 1, `partitions were delivered concurrently (max ${app.maxInFlight})`);
  const st = (await sub.stats()).topics[TOPIC];
  assert.equal(st.bulk_deliveries, bulks(app).length);
  assert.equal(st.delivered, items.length);
});

test('maxAwaitDurationMs: fewer than N messages go together once the oldest has waited', async () => {
  const app = await startFakeApp({ subscriptions: [bulkSubscription({ maxMessagesCount: 100, maxAwaitDurationMs: 300 })] });
  const { pub, sub } = await setup({ app });
  const t0 = Date.now();
  // In one write, so that they wait together however long publishing takes.
  await publishAll(pub, ['w-0', 'w-1', 'w-2'].map((id) => ['u', id]));
  await until(() => bulks(app).length >= 1, 'the batch');
  await sub.waitIdle();
  assert.deepEqual(requestIds(app), [['w-0', 'w-1', 'w-2']]);
  const waited = bulks(app)[0].at - t0;
  // A lower bound only (the double reads the messages after t0; a busy machine is later,
  // never earlier); a few ms of slack for timer and clock granularity.
  assert.ok(waited >= 290, `sent ${waited} ms after the publish, before maxAwaitDurationMs (300) had passed`);
});

test('per-entry RETRY: only that entry comes again, the partition waits for it; the delivery log has one line per entry', async () => {
  const dir = logDir();
  const logFile = join(dir, 'deliveries.jsonl');
  let retries = 2;
  const app = await startFakeApp({
    subscriptions: [bulkSubscription({ maxMessagesCount: 4 })],
    handler: (d) => bulkStatuses(d, (e) => (e.event.id === 'r-1' && retries-- > 0 ? 'RETRY' : 'SUCCESS')),
  });
  const { pub, sub } = await setup({ app, dir, consumer: { deliveryLog: logFile } });
  await publishAll(pub, range('r-', 8).map((id) => ['u', id]));
  await until(() => allIds(app).includes('r-7'), 'the second batch');
  await sub.waitIdle();
  assert.deepEqual(requestIds(app), [['r-0', 'r-1', 'r-2', 'r-3'], ['r-1'], ['r-1'], ['r-4', 'r-5', 'r-6', 'r-7']]);
  const st = (await sub.stats()).topics[TOPIC];
  assert.deepEqual([st.bulk_deliveries, st.attempts, st.delivered, st.retried], [4, 10, 8, 2]);

  const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.id, l.attempt, l.result, l.bulk]), [
    ['r-0', 1, 'success', 4], ['r-1', 1, 'retry', 4], ['r-2', 1, 'success', 4], ['r-3', 1, 'success', 4],
    ['r-1', 2, 'retry', 1], ['r-1', 3, 'success', 1],
    ['r-4', 1, 'success', 4], ['r-5', 1, 'success', 4], ['r-6', 1, 'success', 4], ['r-7', 1, 'success', 4],
  ]);
  const fields = ['attempt', 'bulk', 'ended', 'id', 'key', 'offset', 'partition', 'reason', 'result', 'started', 'topic'];
  for (const l of lines) {
    assert.deepEqual(Object.keys(l).filter((k) => !fields.includes(k)), [], 'no new fields but bulk');
    assert.equal(l.topic, TOPIC);
    assert.equal(l.key, 'u');
    assert.equal(l.partition, partitionFor('u'));
    assert.equal(l.offset, Number(l.id.slice(2)), 'offset of the entry in its partition');
    assert.ok(l.ended >= l.started);
    if (l.result === 'retry') assert.match(l.reason, /RETRY/);
  }
  // the entries of one request share its start and end
  assert.equal(new Set(lines.slice(0, 4).map((l) => `${l.started}/${l.ended}`)).size, 1);
});

test('per-entry DROP goes to the dead-letter topic; a missing or unknown status is retried; the others are delivered', async () => {
  const first = new Set();
  const app = await startFakeApp({
    subscriptions: [bulkSubscription({ maxMessagesCount: 5 })],
    handler: (d) => bulkStatuses(d, (e) => {
      const id = e.event.id;
      if (first.has(id)) return 'SUCCESS';
      first.add(id);
      return { 'drop-1': 'DROP', 'missing-2': undefined, 'maybe-3': 'MAYBE' }[id] ?? (id.startsWith('ok') ? 'SUCCESS' : 'X');
    }),
  });
  const { pub, sub, dir } = await setup({ app });
  await publishAll(pub, ['ok-0', 'drop-1', 'missing-2', 'maybe-3', 'ok-4'].map((id) => ['u_poison', id]));
  await until(() => bulks(app).length >= 2, 'the retry');
  await sub.waitIdle();
  assert.deepEqual(requestIds(app), [['ok-0', 'drop-1', 'missing-2', 'maybe-3', 'ok-4'], ['missing-2', 'maybe-3']]);
  const dlq = readTopic(dir, 'task-events-dlq');
  assert.deepEqual(dlq.map((m) => m.event.id), ['drop-1']);
  assert.equal(dlq[0].key, 'u_poison', 'the partition key is kept');
  assert.equal(dlq[0].deadLetter.topic, TOPIC);
  assert.match(dlq[0].deadLetter.reason, /DROP/);
  const st = (await sub.stats()).topics[TOPIC];
  assert.deepEqual([st.delivered, st.retried, st.dead_lettered], [4, 2, 1]);
});

test('whole-request failures: non-JSON 2xx, 2xx without statuses, 500 and a reset retry every entry; 404 dead-letters every entry', async () => {
  const answers = [
    { status: 200, body: 'ok!' },
    { status: 200, body: { fine: true } },
    { status: 500, body: { error: 'db down' } },
    'reset',
  ];
  const app = await startFakeApp({
    subscriptions: [bulkSubscription({ maxMessagesCount: 3 })],
    handler: (d) => {
      if (entryIds(d)[0].startsWith('x')) return { status: 404 };
      return answers.shift() || bulkStatuses(d);
    },
  });
  const { pub, sub, dir } = await setup({ app });
  await publishAll(pub, ['w-0', 'w-1', 'w-2', 'x-0', 'x-1', 'x-2'].map((id) => ['w', id]));
  await until(() => allIds(app).includes('x-0'), 'the second batch');
  await sub.waitIdle();
  const w = ['w-0', 'w-1', 'w-2'];
  assert.deepEqual(requestIds(app), [w, w, w, w, w, ['x-0', 'x-1', 'x-2']], 'the partition waits until the batch is through');
  assert.deepEqual(readTopic(dir, 'task-events-dlq').map((m) => [m.event.id, /404/.test(m.deadLetter.reason)]), [['x-0', true], ['x-1', true], ['x-2', true]]);
  const st = (await sub.stats()).topics[TOPIC];
  assert.deepEqual([st.delivered, st.retried, st.dead_lettered, st.bulk_deliveries], [3, 12, 3, 6]);
});

test('--max-retries: an entry still failing after them is dead-lettered, then the partition moves on', async () => {
  const app = await startFakeApp({
    subscriptions: [bulkSubscription({ maxMessagesCount: 2, maxAwaitDurationMs: 100 })],
    handler: (d) => bulkStatuses(d, (e) => (e.event.id === 'bad' ? 'RETRY' : 'SUCCESS')),
  });
  const { pub, sub, dir } = await setup({ app, consumer: { args: [...FAST, '--max-retries', '2'] } });
  await publishAll(pub, ['bad', 'good', 'after'].map((id) => ['u', id]));
  await until(() => allIds(app).includes('after'), 'after');
  await sub.waitIdle();
  assert.deepEqual(requestIds(app), [['bad', 'good'], ['bad'], ['bad'], ['after']], '1 + 2 retries');
  const [m] = readTopic(dir, 'task-events-dlq');
  assert.equal(m.event.id, 'bad');
  assert.match(m.deadLetter.reason, /retries exhausted \(3 attempts\).*RETRY/);
});

test('restart: after SIGTERM done entries are not redelivered; entries still retrying come again', LONG, async () => {
  const app = await startFakeApp({ subscriptions: [bulkSubscription({ maxMessagesCount: 5, maxAwaitDurationMs: 100 })] });
  const { pub, sub } = await setup({ app });
  await publishAll(pub, range('a-', 12).map((id, i) => [`u${i % 3}`, id]));
  await until(() => allIds(app).length >= 12, 'first messages');
  await sub.waitIdle();
  await sub.stop();
  await publishAll(pub, range('b-', 6).map((id, i) => [`u${i % 3}`, id]));
  await sub.start({ waitSubscribed: true });
  await until(() => allIds(app).length >= 18, 'second messages');
  await sub.waitIdle();
  assert.deepEqual(allIds(app).sort(), [...range('a-', 12), ...range('b-', 6)].sort(), 'each once across the restart');

  // stopped while one entry of a batch retries: what succeeded before it stays done
  app.handler = (d) => bulkStatuses(d, (e) => (e.event.id === 'stuck' ? 'RETRY' : 'SUCCESS'));
  await publishAll(pub, ['s-0', 'stuck', 's-2'].map((id) => ['v', id]));
  await until(() => allIds(app).filter((x) => x === 'stuck').length >= 2, 'stuck retried');
  await sub.stop();
  app.handler = (d) => bulkStatuses(d);
  const sent = bulks(app).length;
  await sub.start({ waitSubscribed: true });
  await until(() => bulks(app).length > sent, 'redelivery after the restart');
  await sub.waitIdle();
  assert.deepEqual(requestIds(app).slice(sent), [['stuck', 's-2']],
    'the entry not done and what follows it in its partition come again; s-0 does not');
  assert.equal(allIds(app).filter((x) => x === 's-0').length, 1);
});

test('duplicate mode: each batch again after it succeeded, or twice at once', async () => {
  const app = await startFakeApp({ subscriptions: [bulkSubscription({ maxMessagesCount: 3, maxAwaitDurationMs: 100 })] });
  const { pub, sub } = await setup({ app });
  await sub.duplicate(true);
  await publishAll(pub, ['d-0', 'd-1', 'd-2'].map((id) => ['u', id]));
  await until(() => bulks(app).length >= 2, 'two copies');
  await sub.waitIdle();
  assert.deepEqual(requestIds(app), [['d-0', 'd-1', 'd-2'], ['d-0', 'd-1', 'd-2']]);
  assert.equal((await sub.stats()).topics[TOPIC].duplicated, 3, 'counted per entry');

  await sub.duplicate(true, true);
  let concurrent = 0;
  let maxConcurrent = 0;
  app.handler = async (d) => {
    maxConcurrent = Math.max(maxConcurrent, ++concurrent);
    // Each copy waits (10 s at most) for the other: together however slow the machine.
    await atMost(10_000, () => maxConcurrent >= 2);
    concurrent--;
    return bulkStatuses(d);
  };
  await publishAll(pub, ['c-0', 'c-1', 'c-2'].map((id) => ['u', id]));
  await until(() => bulks(app).length >= 4, 'two concurrent copies');
  await sub.waitIdle();
  assert.deepEqual(requestIds(app).slice(2), [['c-0', 'c-1', 'c-2'], ['c-0', 'c-1', 'c-2']]);
  assert.equal(maxConcurrent, 2, 'both copies in flight together');
  assert.equal((await sub.stats()).topics[TOPIC].duplicated, 6);

  await sub.duplicate(false);
  await publishAll(pub, [['u', 'single']]);
  await until(() => allIds(app).includes('single'), 'single');
  await sub.waitIdle(); // nothing in flight or uncommitted: no second copy can still come
  assert.equal(allIds(app).filter((x) => x === 'single').length, 1);
});

test('a bulk subscription ignores a single-mode answer: {"status":"SUCCESS"} has no statuses, so the entries are retried', async () => {
  let n = 0;
  const app = await startFakeApp({
    subscriptions: [bulkSubscription({ maxMessagesCount: 1 })],
    handler: (d) => (isBulk(d) && n++ === 0 ? { status: 200, body: { status: 'SUCCESS' } } : bulkStatuses(d)),
  });
  const { pub, sub } = await setup({ app });
  await publish(pub, 'u', 'one');
  await until(() => bulks(app).length >= 2, 'the retry');
  await sub.waitIdle();
  assert.deepEqual(requestIds(app), [['one'], ['one']]);
});
