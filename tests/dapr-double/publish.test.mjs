// The double's publishing side: Dapr's status codes and bodies, CloudEvent wrapping,
// the log (partitioning, no torn or interleaved lines), api-token checks, bulk publish
// with partial failure, and the fault modes (500, refuse, delay, partial, hold-ack).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startSidecar, until } from './client.mjs';
import { partitionFor, PARTITIONS, readTopic } from './lib/log.mjs';

const dirs = [];
const sidecars = [];
function logDir() {
  const d = mkdtempSync(join(tmpdir(), 'dapr-double-pub-'));
  dirs.push(d);
  return d;
}
async function sidecar(options) {
  const s = await startSidecar({ appId: 'todo-api', logDir: logDir(), ...options });
  sidecars.push(s);
  return s;
}
after(async () => {
  await Promise.all(sidecars.map((s) => s.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function post(s, path, { body, contentType = 'application/json', headers = {} } = {}) {
  const res = await fetch(s.daprUrl + path, {
    method: 'POST',
    headers: { ...(contentType ? { 'Content-Type': contentType } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

const messages = (s, topic = 'task-events') => readTopic(s.opts.logDir, topic);

const ce = (id, data, extra = {}) => ({
  specversion: '1.0', id, source: 'todo-api', type: 'todo.task.created', datacontenttype: 'application/json', data, ...extra,
});

test('partitionFor: stable FNV-1a, 6 partitions, every partition used', () => {
  assert.equal(PARTITIONS, 6);
  // checked against an independent (BigInt) FNV-1a 32 and Sarama's signed modulo
  const fnv = (s) => {
    let h = 2166136261n;
    for (const b of Buffer.from(s)) { h ^= BigInt(b); h = (h * 16777619n) % 2n ** 32n; }
    return Math.abs(Number(BigInt.asIntN(32, h) % 6n));
  };
  const seen = new Set();
  for (let i = 0; i < 200; i++) {
    const key = `u_${i}`;
    assert.equal(partitionFor(key), fnv(key), key);
    assert.equal(partitionFor(key), partitionFor(key));
    seen.add(partitionFor(key));
  }
  assert.equal(seen.size, 6);
});

describe('single publish', () => {
  let s;
  before(async () => { s = await sidecar(); });

  test('GET /v1.0/healthz -> 204', async () => {
    const res = await fetch(`${s.daprUrl}/v1.0/healthz`);
    assert.equal(res.status, 204);
  });

  test('raw JSON with metadata.cloudevent.* and partitionKey -> wrapped CloudEvent in the key\'s partition', async () => {
    const event = { event_id: 'e-raw-1', user_id: 'u_raw' };
    const res = await post(s, '/v1.0/publish/kafka-pubsub/task-events?metadata.cloudevent.id=e-raw-1&metadata.cloudevent.type=todo.task.created&metadata.partitionKey=u_raw', { body: event });
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    const [m] = messages(s).filter((x) => x.event.id === 'e-raw-1');
    assert.ok(m, 'in the log');
    assert.equal(m.key, 'u_raw');
    assert.equal(m.partition, partitionFor('u_raw'));
    assert.equal(m.producer, 'todo-api');
    assert.equal(m.contentType, 'application/cloudevents+json');
    assert.equal(m.event.specversion, '1.0');
    assert.equal(m.event.type, 'todo.task.created');
    assert.equal(m.event.source, 'todo-api', 'source defaults to the app id');
    assert.equal(m.event.datacontenttype, 'application/json');
    assert.deepEqual(m.event.data, event);
    assert.equal(m.event.pubsubname, 'kafka-pubsub');
    assert.equal(m.event.topic, 'task-events');
    assert.match(m.event.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  test('application/cloudevents+json is passed through (id, type, source, data, extensions kept)', async () => {
    const body = ce('e-ce-1', { event_id: 'e-ce-1' }, { partitionkey: 'u_ce' });
    const res = await post(s, '/v1.0/publish/kafka-pubsub/task-events?metadata.partitionKey=u_ce', { body, contentType: 'application/cloudevents+json' });
    assert.equal(res.status, 204, res.text);
    const [m] = messages(s).filter((x) => x.event.id === 'e-ce-1');
    for (const [k, v] of Object.entries(body)) assert.deepEqual(m.event[k], v, k);
    assert.equal(m.key, 'u_ce');
  });

  test('no Content-Type: Dapr assumes text/plain (data is the text)', async () => {
    const res = await post(s, '/v1.0/publish/kafka-pubsub/task-events?metadata.cloudevent.id=e-text', { body: '{"a":1}', contentType: null });
    assert.equal(res.status, 204);
    const [m] = messages(s).filter((x) => x.event.id === 'e-text');
    assert.equal(m.event.datacontenttype, 'text/plain');
    assert.equal(m.event.data, '{"a":1}');
  });

  test('without partitionKey the message still lands (and is counted as keyless)', async () => {
    const before = (await s.stats()).topics['task-events']?.published_without_key ?? 0;
    const res = await post(s, '/v1.0/publish/kafka-pubsub/task-events?metadata.cloudevent.id=e-nokey', { body: { x: 1 } });
    assert.equal(res.status, 204);
    const [m] = messages(s).filter((x) => x.event.id === 'e-nokey');
    assert.equal(m.key, null);
    assert.equal((await s.stats()).topics['task-events'].published_without_key, before + 1);
  });

  test('unknown pubsub -> 404 ERR_PUBSUB_NOT_FOUND; empty topic -> 404; nothing written', async () => {
    const n = messages(s).length;
    let res = await post(s, '/v1.0/publish/other-pubsub/task-events', { body: { x: 1 } });
    assert.equal(res.status, 404);
    assert.equal(res.json.errorCode, 'ERR_PUBSUB_NOT_FOUND');
    res = await post(s, '/v1.0/publish/kafka-pubsub/', { body: { x: 1 } });
    assert.equal(res.status, 404);
    assert.equal(res.json.errorCode, 'ERR_TOPIC_EMPTY');
    assert.equal(messages(s).length, n);
  });

  test('malformed bodies -> 400, nothing written', async () => {
    const n = messages(s).length;
    for (const [body, contentType] of [
      ['{not json', 'application/json'],
      ['{not json', 'application/cloudevents+json'],
      ['[1,2]', 'application/cloudevents+json'],
      ['"a string"', 'application/cloudevents+json'],
    ]) {
      const res = await post(s, '/v1.0/publish/kafka-pubsub/task-events', { body, contentType });
      assert.equal(res.status, 400, `${contentType} ${body}: ${res.status} ${res.text}`);
      assert.match(res.json.errorCode, /^ERR_/);
    }
    assert.equal(messages(s).length, n);
  });

  test('unknown routes -> 404', async () => {
    const res = await post(s, '/v1.0/invoke/x/method/y', { body: {} });
    assert.equal(res.status, 404);
  });
});

describe('dapr-api-token', () => {
  let s;
  before(async () => { s = await sidecar({ daprApiToken: 'sidecar-secret' }); });

  test('healthz needs no token', async () => {
    assert.equal((await fetch(`${s.daprUrl}/v1.0/healthz`)).status, 204);
  });

  test('missing or wrong token -> 401 and nothing written; right token -> 204', async () => {
    const path = '/v1.0/publish/kafka-pubsub/task-events?metadata.partitionKey=u_tok';
    let res = await post(s, path, { body: { n: 1 } });
    assert.equal(res.status, 401);
    res = await post(s, path, { body: { n: 2 }, headers: { 'dapr-api-token': 'wrong' } });
    assert.equal(res.status, 401);
    res = await post(s, '/v1.0-alpha1/publish/bulk/kafka-pubsub/task-events', { body: [{ entryId: '1', event: { n: 3 }, contentType: 'application/json' }] });
    assert.equal(res.status, 401);
    assert.equal(messages(s).length, 0);
    res = await post(s, path, { body: { n: 4 }, headers: { 'dapr-api-token': 'sidecar-secret' } });
    assert.equal(res.status, 204);
    assert.deepEqual(messages(s).map((m) => m.event.data), [{ n: 4 }]);
  });
});

describe('bulk publish', () => {
  let s;
  before(async () => { s = await sidecar(); });
  const path = '/v1.0-alpha1/publish/bulk/kafka-pubsub/task-events';

  test('a JSON array of entries (Dapr\'s form) with per-entry partitionKey -> 204, all in the log', async () => {
    const entries = Array.from({ length: 12 }, (_, i) => ({
      entryId: `b1-${i}`, event: ce(`ev-b1-${i}`, { i }), contentType: 'application/cloudevents+json', metadata: { partitionKey: `u_${i % 4}` },
    }));
    const res = await post(s, path, { body: entries });
    assert.equal(res.status, 204, res.text);
    const logged = messages(s).filter((m) => m.event.id.startsWith('ev-b1-'));
    assert.equal(logged.length, 12);
    for (const m of logged) {
      const i = m.event.data.i;
      assert.equal(m.key, `u_${i % 4}`);
      assert.equal(m.partition, partitionFor(`u_${i % 4}`));
      assert.equal(m.entryId, `b1-${i}`);
    }
    // within a key, log order = entry order
    for (let k = 0; k < 4; k++) {
      const order = logged.filter((m) => m.key === `u_${k}`).map((m) => m.event.data.i);
      assert.deepEqual(order, [...order].sort((a, b) => a - b));
    }
  });

  test('{"entries": [...]} and a request-level metadata.partitionKey are accepted too', async () => {
    const res = await post(s, `${path}?metadata.partitionKey=u_req`, {
      body: { entries: [{ entryId: 'x', event: { a: 1 }, contentType: 'application/json' }, { entryId: 'y', event: 'hello', contentType: 'text/plain' }] },
    });
    assert.equal(res.status, 204, res.text);
    const logged = messages(s).filter((m) => m.key === 'u_req');
    assert.deepEqual(logged.map((m) => m.event.data), [{ a: 1 }, 'hello']);
    assert.deepEqual(logged.map((m) => m.event.datacontenttype), ['application/json', 'text/plain']);
  });

  test('malformed bulk bodies -> 400, nothing written', async () => {
    const n = messages(s).length;
    for (const body of ['{nope', '{"a":1}', '[1]', '[{"event":{}}]', '[{"entryId":"a","event":1},{"entryId":"a","event":2}]', '[{"entryId":"a"}]']) {
      const res = await post(s, path, { body });
      assert.equal(res.status, 400, `${body}: ${res.status} ${res.text}`);
    }
    const res = await post(s, '/v1.0-alpha1/publish/bulk/nope/task-events', { body: [] });
    assert.equal(res.status, 404);
    assert.equal(res.json.errorCode, 'ERR_PUBSUB_NOT_FOUND');
    assert.equal(messages(s).length, n);
  });

  test('partial failure: 500 {failedEntries, errorCode}; exactly the others are in the log', async () => {
    await s.fault({ publish: 'partial' });
    try {
      const entries = Array.from({ length: 6 }, (_, i) => ({ entryId: `p-${i}`, event: ce(`ev-p-${i}`, { i }), contentType: 'application/cloudevents+json', metadata: { partitionKey: 'u_p' } }));
      const res = await post(s, path, { body: entries });
      assert.equal(res.status, 500);
      assert.equal(res.json.errorCode, 'ERR_PUBSUB_PUBLISH_MESSAGE');
      const failed = res.json.failedEntries.map((f) => f.entryId).sort();
      assert.deepEqual(failed, ['p-1', 'p-3', 'p-5']);
      for (const f of res.json.failedEntries) assert.equal(typeof f.error, 'string');
      const logged = messages(s).filter((m) => m.key === 'u_p').map((m) => m.entryId);
      assert.deepEqual(logged, ['p-0', 'p-2', 'p-4']);
    } finally {
      await s.fault({ publish: 'ok' });
    }
  });
});

test('--strict-bulk accepts only Dapr\'s JSON array; request counters by status', async () => {
  const s = await sidecar({ args: ['--strict-bulk'] });
  const path = '/v1.0-alpha1/publish/bulk/kafka-pubsub/task-events';
  const entry = { entryId: '1', event: { a: 1 }, contentType: 'application/json' };
  let res = await post(s, path, { body: { entries: [entry] } });
  assert.equal(res.status, 400);
  res = await post(s, path, { body: [entry] });
  assert.equal(res.status, 204);
  res = await post(s, '/v1.0/publish/nope/task-events', { body: {} });
  assert.equal(res.status, 404);
  const { requests } = await s.stats();
  assert.deepEqual(requests.bulk, { 204: 1, 400: 1 });
  assert.deepEqual(requests.publish, { 404: 1 });
});

// Fault windows: what must happen inside a window happens in one that does not end by
// itself (or lasts a minute); that a window ends by itself is checked apart, with only a
// lower bound on when (a busy machine makes it later, never earlier). No assertion here
// depends on how fast the machine is.
describe('faults', () => {
  let s;
  before(async () => { s = await sidecar(); });
  const single = (id) => post(s, `/v1.0/publish/kafka-pubsub/task-events?metadata.partitionKey=u_f&metadata.cloudevent.id=${id}`, { body: { id } });
  const listeningAgain = () => until(async () => {
    try {
      return (await fetch(`${s.daprUrl}/v1.0/healthz`)).status === 204;
    } catch {
      return false; // still refused
    }
  }, 'the Dapr port to listen again');

  test('500: single and bulk fail, nothing written, the sidecar stays healthy; ok again on the next /fault', async () => {
    const state = await s.fault({ publish: '500' });
    assert.equal(state.publish, '500');
    assert.equal(state.until, null, 'no end without for_ms');
    let res = await single('f500-a');
    assert.equal(res.status, 500);
    assert.equal(res.json.errorCode, 'ERR_PUBSUB_PUBLISH_MESSAGE');
    res = await post(s, '/v1.0-alpha1/publish/bulk/kafka-pubsub/task-events', { body: [{ entryId: 'q', event: { q: 1 }, contentType: 'application/json' }] });
    assert.equal(res.status, 500);
    assert.deepEqual(res.json.failedEntries.map((f) => f.entryId), ['q']);
    assert.equal((await fetch(`${s.daprUrl}/v1.0/healthz`)).status, 204, 'the sidecar itself stays healthy');
    assert.equal((await s.control('GET', '/fault')).publish, '500', 'still failing after those calls');
    await s.fault({ publish: 'ok' });
    res = await single('f500-b');
    assert.equal(res.status, 204);
    assert.deepEqual(messages(s).filter((m) => m.event.id.startsWith('f500')).map((m) => m.event.id), ['f500-b']);
    const st = await s.stats();
    assert.equal(st.topics['task-events'].publish_failed, 2);
  });

  test('for_ms: a fault ends by itself, not before for_ms', async () => {
    const FOR_MS = 300;
    const t0 = Date.now();
    const state = await s.fault({ publish: '500', for_ms: FOR_MS });
    assert.equal(state.publish, '500');
    assert.ok(Date.parse(state.until) >= t0 + FOR_MS, `until ${state.until}`);
    await until(async () => (await s.control('GET', '/fault')).publish === 'ok', 'the fault to end by itself');
    assert.ok(Date.now() - t0 >= FOR_MS, `the fault lasted at least for_ms (${Date.now() - t0} ms)`);
    assert.equal((await single('after-window')).status, 204);
  });

  test('refuse: the Dapr port really closes (also open keep-alive connections), control still answers; listening again on the next /fault', async () => {
    // a keep-alive connection opened before the fault
    assert.equal((await fetch(`${s.daprUrl}/v1.0/healthz`)).status, 204);
    const state = await s.fault({ publish: 'refuse' });
    assert.equal(state.until, null, 'lasts until the next /fault');
    await assert.rejects(fetch(`${s.daprUrl}/v1.0/healthz`), (err) => /ECONNREFUSED|ECONNRESET|other side closed|fetch failed/i.test(`${err.cause?.code} ${err.cause?.message} ${err.message}`));
    await assert.rejects(single('refused'));
    assert.equal((await s.stats()).listening, false);
    assert.equal((await s.control('GET', '/fault')).publish, 'refuse');
    await s.fault({ publish: 'ok' });
    assert.equal((await fetch(`${s.daprUrl}/v1.0/healthz`)).status, 204);
    assert.equal((await single('after-refuse')).status, 204);
    assert.ok(!messages(s).some((m) => m.event.id === 'refused'));
  });

  test('refuse with for_ms: listening again by itself, not before for_ms', async () => {
    const FOR_MS = 300;
    const t0 = Date.now();
    await s.fault({ publish: 'refuse', for_ms: FOR_MS });
    await listeningAgain();
    assert.ok(Date.now() - t0 >= FOR_MS, `refused for at least for_ms (${Date.now() - t0} ms)`);
    assert.equal((await single('after-refuse-window')).status, 204);
  });

  test('delay: each publish is answered after delay_ms (and then written); none once lifted', async () => {
    await s.fault({ publish: 'delay', delay_ms: 500 });
    const t0 = Date.now();
    const res = await single('delayed');
    assert.equal(res.status, 204);
    assert.ok(Date.now() - t0 >= 500, `answered after delay_ms (${Date.now() - t0} ms)`);
    assert.ok(messages(s).some((m) => m.event.id === 'delayed'));
    // Lifted: with a delay of ten minutes still in force, this publish would not be answered
    // within the request's own deadline (post() aborts after 10 s).
    await s.fault({ publish: 'delay', delay_ms: 600_000 });
    await s.fault({ publish: 'ok' });
    assert.equal((await single('fast')).status, 204);
  });

  test('hold-ack: in the log at once, answered only once the fault changes (single and bulk)', async () => {
    await s.fault({ publish: 'hold-ack' });
    const answered = [];
    const one = single('held-single').then((r) => { answered.push('single'); return r; });
    const bulk = post(s, '/v1.0-alpha1/publish/bulk/kafka-pubsub/task-events', {
      body: [{ entryId: 'h', event: ce('held-bulk', {}), contentType: 'application/cloudevents+json', metadata: { partitionKey: 'u_h' } }],
    }).then((r) => { answered.push('bulk'); return r; });
    // Both are in the log and held (a condition, not a pause).
    await until(async () => (await s.control('GET', '/fault')).held === 2, 'two held answers');
    const ids = messages(s).map((m) => m.event.id);
    assert.ok(ids.includes('held-single') && ids.includes('held-bulk'), 'written before the answer');
    assert.deepEqual(answered, [], 'no answer while held');
    await s.fault({ publish: 'ok' });
    assert.equal((await one).status, 204);
    assert.equal((await bulk).status, 204);
    assert.equal((await s.control('GET', '/fault')).held, 0);
    // delay_ms: a held answer goes by itself, not before delay_ms
    await s.fault({ publish: 'hold-ack', delay_ms: 300 });
    const t0 = Date.now();
    assert.equal((await single('held-timed')).status, 204);
    assert.ok(Date.now() - t0 >= 300, `held for at least delay_ms (${Date.now() - t0} ms)`);
    await s.fault({ publish: 'ok' });
  });

  test('bad fault specs -> 400', async () => {
    await assert.rejects(s.fault({ publish: 'explode' }), /400/);
    await assert.rejects(s.fault({ publish: '500', for_ms: -1 }), /400/);
  });
});

test('two doubles appending to one log dir concurrently: every line whole, nothing lost', { timeout: 300_000 }, async () => {
  const dir = logDir();
  const a = await startSidecar({ appId: 'api-a', logDir: dir });
  const b = await startSidecar({ appId: 'api-b', logDir: dir });
  sidecars.push(a, b);
  const big = 'x'.repeat(3000);  // lines of a few KB make torn writes likely if they could happen
  const PER = 400;
  const CLIENTS = 8;
  async function client(s, c) {
    for (let i = 0; i < PER / CLIENTS; i++) {
      const key = `u_${i % 3}`;
      const res = await fetch(`${s.daprUrl}/v1.0/publish/kafka-pubsub/load?metadata.partitionKey=${key}`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ from: s.opts.appId, c, i, big }),
      });
      assert.equal(res.status, 204);
    }
  }
  const bulk = async (s) => {
    for (let i = 0; i < 10; i++) {
      const entries = Array.from({ length: 20 }, (_, j) => ({ entryId: `${i}-${j}`, event: { from: s.opts.appId, bulk: i, j, big }, contentType: 'application/json', metadata: { partitionKey: `u_${j % 3}` } }));
      const res = await fetch(`${s.daprUrl}/v1.0-alpha1/publish/bulk/kafka-pubsub/load`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(entries) });
      assert.equal(res.status, 204);
    }
  };
  await Promise.all([
    ...Array.from({ length: CLIENTS }, (_, c) => client(a, c)),
    ...Array.from({ length: CLIENTS }, (_, c) => client(b, c)),
    bulk(a), bulk(b),
  ]);
  const all = readTopic(dir, 'load');
  assert.equal(all.filter((m) => m.corrupt).length, 0, 'no torn or interleaved line');
  assert.equal(all.length, 2 * PER + 2 * 200);
  for (const m of all) assert.equal(m.partition, partitionFor(m.key));
  // per producer and client, the log keeps each sequential client's order within a key
  for (const from of ['api-a', 'api-b']) {
    for (let c = 0; c < CLIENTS; c++) {
      for (const key of ['u_0', 'u_1', 'u_2']) {
        const seq = all.filter((m) => m.key === key && m.event.data.from === from && m.event.data.c === c).map((m) => m.event.data.i);
        assert.deepEqual(seq, [...seq].sort((x, y) => x - y));
      }
    }
  }
});
