// GET /api/{user_id}/audit: auth and isolation, every filter and combination, from/to
// boundaries, pagination and bad parameters, against a set of operations whose events the
// test knows.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { auditAll, checkEvent, checkEventShape, EVENT_TYPES, expectAudit, instantKey, waitForAudit, withOffset } from './audit_helpers.mjs';
import { problemOf, signJwt, sleep, startServer, tokenClaims } from './harness.mjs';

let server;
let alice;
let bob;
let log;  // alice's events, oldest first, as the audit returned them
let tasks;  // alice's task ids t0..t4
let bobTask;

before(async () => {
  server = await startServer();
  alice = await server.signUp({ name: 'Alice' });
  bob = await server.signUp({ name: 'Bob' });
  const base = `/api/${alice.user.id}/tasks`;
  const expected = [];  // [type, task]
  const w = async (type, method, path, body, status = 200) => {
    const res = await server.api(method, path, { token: alice.token, body });
    assert.equal(res.status, status, `${method} ${path}: ${res.text}`);
    expected.push([type, res.json]);
    return res.json;
  };
  tasks = [];
  for (let i = 0; i < 5; i++) tasks.push((await w('created', 'POST', base, { title: `task ${i}` }, 201)).id);
  // Bob writes in between: his events must never show up in Alice's audit.
  bobTask = (await server.api('POST', `/api/${bob.user.id}/tasks`, { token: bob.token, body: { title: 'bob' } })).json;
  await server.api('PATCH', `/api/${bob.user.id}/tasks/${bobTask.id}/complete`, { token: bob.token });
  await sleep(30);  // a clear gap in timestamps between the creates and the changes
  const [t0, t1, t2, t3] = tasks.map((id) => `${base}/${id}`);
  await w('updated', 'PATCH', t0, { priority: 'high' });
  await w('completed', 'PATCH', `${t1}/complete`);
  await w('completed', 'PATCH', `${t0}/complete`);
  const gone = await server.api('GET', t2, { token: alice.token });
  assert.equal((await server.api('DELETE', t2, { token: alice.token })).status, 204);
  expected.push(['deleted', gone.json]);
  await sleep(15);
  await w('updated', 'PATCH', t0, { description: 'd' });
  await w('updated', 'PATCH', `${t1}/complete`);
  await w('completed', 'PUT', t3, { title: 'task 3', completed: true });
  await server.api('DELETE', `/api/${bob.user.id}/tasks/${bobTask.id}`, { token: bob.token });
  const last = await server.api('GET', t0, { token: alice.token });
  assert.equal((await server.api('DELETE', t0, { token: alice.token })).status, 204);
  expected.push(['deleted', last.json]);

  log = await expectAudit(server, alice, expected.length);
  expected.forEach(([type, task], i) => checkEvent(log[i], { type, user: alice, task }, `#${i}`));
  await expectAudit(server, bob, 3);
});
after(async () => { await server?.cleanup(); });

const ids = (items) => items.map((e) => e.event_id);
const newestFirst = (entries) => entries.slice().reverse().map((e) => e.event_id);
const enc = encodeURIComponent;
const auditPath = (u) => `/api/${u.user.id}/audit`;

// The filtered audit (walking all pages) must be exactly `pred` applied to the log.
async function check(query, pred) {
  const got = await auditAll(server, alice, query);
  assert.deepEqual(ids(got), newestFirst(log.filter(pred)), `?${query}: got ${JSON.stringify(got.map((e) => [e.event_type, e.task_id, e.timestamp]))}`);
  return got;
}

describe('auth and isolation', () => {
  test('newest first, the stored events exactly, only the caller\'s', async () => {
    const res = await server.api('GET', auditPath(alice), { token: alice.token });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') || '', /^application\/json/);
    assert.deepEqual(Object.keys(res.json).sort(), ['items', 'next_cursor']);
    assert.equal(res.json.next_cursor, null);
    assert.deepEqual(res.json.items, log.slice().reverse(), 'the same events every time, newest first');
    for (const e of res.json.items) checkEventShape(e);
    assert.ok(res.json.items.every((e) => e.user_id === alice.user.id));
    const bobs = await auditAll(server, bob);
    assert.deepEqual(bobs.map((e) => [e.event_type, e.task_id, e.user_id]),
      [['deleted', bobTask.id, bob.user.id], ['completed', bobTask.id, bob.user.id], ['created', bobTask.id, bob.user.id]]);
    const aliceIds = new Set(ids(log));
    assert.ok(bobs.every((e) => !aliceIds.has(e.event_id)));
  });

  test('a user without events gets an empty page', async () => {
    const carol = await server.signUp({ name: 'Carol' });
    const res = await server.api('GET', auditPath(carol), { token: carol.token });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { items: [], next_cursor: null });
  });

  test('another user\'s task id filters to nothing', async () => {
    await check(`task_id=${bobTask.id}`, () => false);
    const res = await server.api('GET', `${auditPath(bob)}?task_id=${tasks[0]}`, { token: bob.token });
    assert.deepEqual(res.json, { items: [], next_cursor: null });
  });

  test('another user\'s path -> 403, with or without parameters; bad or no token -> 401', async () => {
    for (const qs of ['', '?limit=1', `?task_id=${tasks[0]}`, '?event_type=created']) {
      problemOf(await server.api('GET', `${auditPath(alice)}${qs}`, { token: bob.token }), 403);
      problemOf(await server.api('GET', `${auditPath(bob)}${qs}`, { cookie: alice.cookie }), 403);
    }
    const exp = Math.floor(Date.now() / 1000) + 600;
    const tokens = {
      'no token': undefined,
      garbage: 'garbage',
      expired: signJwt(tokenClaims(alice.user.id, { iat: 1, exp: 2 })),
      'another key': signJwt(tokenClaims(alice.user.id), { secret: 'not-the-secret-not-the-secret-123' }),
      'alg none': `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(tokenClaims(alice.user.id))).toString('base64url')}.`,
      'nbf in the future': signJwt(tokenClaims(alice.user.id, { nbf: exp })),
      'another audience': signJwt(tokenClaims(alice.user.id, { aud: 'another-service' })),
      'another issuer': signJwt(tokenClaims(alice.user.id, { iss: 'someone-else' })),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const res = await server.api('GET', auditPath(alice), { token });
      assert.equal(res.status, 401, `${name}: ${res.text}`);
      problemOf(res, 401);
    }
    // control: a forged token with every claim right is accepted here too
    const forged = await server.api('GET', auditPath(alice), { token: signJwt(tokenClaims(alice.user.id)) });
    assert.equal(forged.status, 200, forged.text);
  });

  test('the session cookie works like the bearer token', async () => {
    const res = await server.api('GET', auditPath(alice), { cookie: alice.cookie });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(ids(res.json.items), newestFirst(log));
  });
});

describe('filters', () => {
  test('event_type: each type, several (repeated), all four, a repeated value', async () => {
    for (const type of EVENT_TYPES) {
      const got = await check(`event_type=${type}`, (e) => e.event_type === type);
      assert.ok(got.length > 0, `the data set has ${type} events`);
    }
    await check('event_type=completed&event_type=deleted', (e) => ['completed', 'deleted'].includes(e.event_type));
    await check('event_type=created&event_type=updated&event_type=deleted', (e) => e.event_type !== 'completed');
    await check(EVENT_TYPES.map((t) => `event_type=${t}`).join('&'), () => true);
    await check('event_type=updated&event_type=updated', (e) => e.event_type === 'updated');
  });

  test('task_id: each task, including deleted ones; an unknown id', async () => {
    for (const id of tasks) {
      const got = await check(`task_id=${id}`, (e) => e.task_id === id);
      assert.ok(got.length > 0);
    }
    await check('task_id=999999999', () => false);
  });

  test('task_id with event_type', async () => {
    const [t0, t1] = tasks;
    await check(`task_id=${t0}&event_type=updated`, (e) => e.task_id === t0 && e.event_type === 'updated');
    await check(`event_type=completed&task_id=${t1}&event_type=created`, (e) => e.task_id === t1 && ['completed', 'created'].includes(e.event_type));
    await check(`task_id=${tasks[4]}&event_type=deleted`, () => false);
  });

  test('from is inclusive and to exclusive at every event\'s timestamp', async () => {
    for (const pivot of log) {
      const k = instantKey(pivot.timestamp);
      await check(`from=${enc(pivot.timestamp)}`, (e) => instantKey(e.timestamp) >= k);
      await check(`to=${enc(pivot.timestamp)}`, (e) => instantKey(e.timestamp) < k);
      await check(`from=${enc(pivot.timestamp)}&to=${enc(pivot.timestamp)}`, () => false);
    }
  });

  test('from/to windows, other spellings of an instant, far past and future', async () => {
    const a = log[3].timestamp;
    const b = log[9].timestamp;
    const ka = instantKey(a);
    const kb = instantKey(b);
    assert.ok(ka < kb, 'the data set spans more than one instant');
    const inWindow = (e) => instantKey(e.timestamp) >= ka && instantKey(e.timestamp) < kb;
    await check(`from=${enc(a)}&to=${enc(b)}`, inWindow);
    await check(`to=${enc(b)}&from=${enc(a)}`, inWindow);
    // the same instants with an offset instead of Z
    await check(`from=${enc(withOffset(a, 2))}&to=${enc(withOffset(b, -5))}`, inWindow);
    // one millisecond after / before (timestamps carry milliseconds at least)
    const plus1 = new Date(Date.parse(a) + 1).toISOString();
    await check(`from=${enc(plus1)}`, (e) => instantKey(e.timestamp) >= instantKey(plus1));
    const minus1 = new Date(Date.parse(b) - 1).toISOString();
    await check(`to=${enc(minus1)}`, (e) => instantKey(e.timestamp) < instantKey(minus1));
    // whole seconds
    const sec = `${a.slice(0, 19)}Z`;
    await check(`from=${enc(sec)}`, (e) => instantKey(e.timestamp) >= instantKey(sec));
    await check('from=2000-01-01T00:00:00Z', () => true);
    await check('to=2000-01-01T00:00:00Z', () => false);
    await check('from=2999-01-01T00:00:00Z', () => false);
    await check('to=2999-01-01T00:00:00Z', () => true);
    // to before from: nothing
    await check(`from=${enc(b)}&to=${enc(a)}`, () => false);
  });

  test('every filter at once', async () => {
    const t0 = tasks[0];
    const a = log[5].timestamp;  // first change after the gap
    const b = log.at(-1).timestamp;
    const ka = instantKey(a);
    const kb = instantKey(b);
    const all = (types, id) => (e) => types.includes(e.event_type) && e.task_id === id && instantKey(e.timestamp) >= ka && instantKey(e.timestamp) < kb;
    await check(`event_type=updated&event_type=completed&task_id=${t0}&from=${enc(a)}&to=${enc(b)}`, all(['updated', 'completed'], t0));
    await check(`event_type=created&task_id=${t0}&from=${enc(a)}&to=${enc(b)}`, all(['created'], t0));
    await check(`event_type=deleted&task_id=${t0}&from=${enc(a)}&to=2999-01-01T00:00:00Z`, (e) => e.event_type === 'deleted' && e.task_id === t0);
    await check(`event_type=created&from=2000-01-01T00:00:00Z&to=${enc(a)}`, (e) => e.event_type === 'created');
  });
});

describe('pagination', () => {
  // Walks every page by hand; checks page sizes and returns the ids in order.
  async function walk(user, query, limit) {
    const seen = [];
    let cursor = null;
    for (let page = 0; page < 200; page++) {
      const qs = `?${query ? `${query}&` : ''}limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`;
      const res = await server.api('GET', `${auditPath(user)}${qs}`, { token: user.token });
      assert.equal(res.status, 200, `${qs}: ${res.text}`);
      const n = res.json.items.length;
      assert.ok(n <= limit, `${qs}: ${n} items on a page of ${limit}`);
      seen.push(...ids(res.json.items));
      cursor = res.json.next_cursor;
      if (cursor === null) return seen;
      assert.equal(typeof cursor, 'string');
      assert.equal(n, limit, `${qs}: a page that is not the last one is full`);
    }
    throw new Error('too many pages');
  }

  test('every page size walks every event once, in the order of one big page', async () => {
    const big = await server.api('GET', `${auditPath(alice)}?limit=200`, { token: alice.token });
    assert.equal(big.json.next_cursor, null);
    const all = ids(big.json.items);
    assert.deepEqual(all, newestFirst(log));
    for (const limit of [1, 2, 3, 5, log.length - 1, log.length, log.length + 1]) {
      const seen = await walk(alice, '', limit);
      assert.deepEqual(seen, all, `limit ${limit}`);
      assert.equal(new Set(seen).size, seen.length, `limit ${limit}: no event twice`);
    }
  });

  test('pagination with filters', async () => {
    const cases = [
      ['event_type=created', (e) => e.event_type === 'created'],
      ['event_type=updated&event_type=completed', (e) => ['updated', 'completed'].includes(e.event_type)],
      [`task_id=${tasks[0]}`, (e) => e.task_id === tasks[0]],
      [`from=${enc(log[2].timestamp)}&to=${enc(log.at(-1).timestamp)}`,
        (e) => instantKey(e.timestamp) >= instantKey(log[2].timestamp) && instantKey(e.timestamp) < instantKey(log.at(-1).timestamp)],
    ];
    for (const [query, pred] of cases) {
      for (const limit of [1, 2, 4]) {
        assert.deepEqual(await walk(alice, query, limit), newestFirst(log.filter(pred)), `${query} limit ${limit}`);
      }
    }
  });

  test('default page size 50, maximum 200; a cursor holds its place while new events arrive', async () => {
    const dave = await server.signUp({ name: 'Dave' });
    const base = `/api/${dave.user.id}/tasks`;
    for (let i = 0; i < 55; i++) {
      assert.equal((await server.api('POST', base, { token: dave.token, body: { title: `d${i}` } })).status, 201);
    }
    const events = (await expectAudit(server, dave, 55)).reverse();  // newest first
    const first = await server.api('GET', auditPath(dave), { token: dave.token });
    assert.equal(first.json.items.length, 50, 'default limit is 50');
    assert.equal(typeof first.json.next_cursor, 'string');
    assert.deepEqual(ids(first.json.items), ids(events).slice(0, 50));
    const max = await server.api('GET', `${auditPath(dave)}?limit=200`, { token: dave.token });
    assert.equal(max.json.items.length, 55);
    assert.equal(max.json.next_cursor, null);

    const p1 = await server.api('GET', `${auditPath(dave)}?limit=10`, { token: dave.token });
    assert.deepEqual(ids(p1.json.items), ids(events).slice(0, 10));
    // three new events arrive (newest first: they belong before page 1)
    for (let i = 0; i < 3; i++) await server.api('POST', base, { token: dave.token, body: { title: `late ${i}` } });
    await expectAudit(server, dave, 58);  // they really arrived before the walk goes on
    const rest = [];
    let cursor = p1.json.next_cursor;
    while (cursor) {
      const res = await server.api('GET', `${auditPath(dave)}?limit=10&cursor=${enc(cursor)}`, { token: dave.token });
      assert.equal(res.status, 200, res.text);
      rest.push(...ids(res.json.items));
      cursor = res.json.next_cursor;
    }
    assert.deepEqual(rest, ids(events).slice(10), 'the pages after the cursor: no gap, no repeat');
  });
});

test('bad parameters -> 400 problem naming the parameter', async () => {
  const cases = [
    ['event_type=exploded', 'event_type'], ['event_type=', 'event_type'], ['event_type=Created', 'event_type'],
    ['event_type=created&event_type=nope', 'event_type'], ['event_type=created,updated', 'event_type'],
    ['task_id=abc', 'task_id'], ['task_id=-3', 'task_id'], ['task_id=0', 'task_id'], ['task_id=1.5', 'task_id'],
    ['task_id=', 'task_id'], ['task_id=12abc', 'task_id'],
    ['from=yesterday', 'from'], ['from=2026-01-01', 'from'], ['from=2026-01-01T00:00:00', 'from'],
    ['from=2026-13-01T00:00:00Z', 'from'], ['from=', 'from'], ['from=1767225600', 'from'],
    ['to=2026-02-30T00:00:00Z', 'to'], ['to=noon', 'to'], ['to=2026-01-01T25:00:00Z', 'to'],
    ['limit=0', 'limit'], ['limit=201', 'limit'], ['limit=-1', 'limit'], ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'], ['limit=', 'limit'],
    ['cursor=garbage', 'cursor'], ['cursor=%00%01%02', 'cursor'], ['cursor=eyJ4IjoxfQ', 'cursor'],
    ['colour=red', 'colour'], ['sort=created_at', 'sort'], ['status=all', 'status'], ['q=rent', 'q'],
    [`limit=5&colour=red&task_id=${tasks[0]}`, 'colour'],
  ];
  const failures = [];
  for (const [query, field] of cases) {
    const res = await server.api('GET', `${auditPath(alice)}?${query}`, { token: alice.token });
    try {
      problemOf(res, 400, field);
    } catch (err) {
      failures.push(`GET ?${query}: ${err.message}`);
    }
  }
  assert.deepEqual(failures, []);
});
