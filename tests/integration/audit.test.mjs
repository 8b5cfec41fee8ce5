// GET /api/{user_id}/audit: isolation, every filter, pagination and bad parameters,
// against a set of operations whose events the test knows.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { auditAll, waitForAudit } from './audit_helpers.mjs';
import { problemOf, sleep, startServer } from './harness.mjs';

let server;
let alice;
let bob;
let log;  // alice's operations, oldest first: {type, task_id, timestamp}

before(async () => {
  server = await startServer();
  alice = await server.signUp({ name: 'Alice' });
  bob = await server.signUp({ name: 'Bob' });
  const base = `/api/${alice.user.id}/tasks`;
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const r = await server.api('POST', base, { token: alice.token, body: { title: `task ${i}` } });
    ids.push(r.json.id);
  }
  await sleep(20);  // a clear gap in timestamps between the creates and the changes
  await server.api('PATCH', `${base}/${ids[0]}`, { token: alice.token, body: { priority: 'high' } });
  await server.api('PATCH', `${base}/${ids[1]}/complete`, { token: alice.token });
  await server.api('PATCH', `${base}/${ids[0]}/complete`, { token: alice.token });
  await server.api('DELETE', `${base}/${ids[2]}`, { token: alice.token });
  await server.api('PATCH', `${base}/${ids[0]}`, { token: alice.token, body: { description: 'd' } });
  await server.api('POST', `/api/${bob.user.id}/tasks`, { token: bob.token, body: { title: 'bob' } });
  const events = await waitForAudit(server, alice, 10);
  assert.equal(events.length, 10);
  log = events.slice().reverse().map((e) => ({ type: e.event_type, task_id: e.task_id, timestamp: e.timestamp, id: e.event_id }));
  assert.deepEqual(log.map((e) => e.type), ['created', 'created', 'created', 'created', 'created',
    'updated', 'completed', 'completed', 'deleted', 'updated']);
  await waitForAudit(server, bob, 1);
});
after(async () => { await server?.cleanup(); });

const ids = (items) => items.map((e) => e.event_id);
const newestFirst = (entries) => entries.slice().reverse().map((e) => e.id);

test('newest first, only the caller\'s events', async () => {
  const items = await auditAll(server, alice);
  assert.deepEqual(ids(items), newestFirst(log));
  assert.ok(items.every((e) => e.user_id === alice.user.id));
  const bobs = await auditAll(server, bob);
  assert.equal(bobs.length, 1);
  assert.equal(bobs[0].user_id, bob.user.id);
});

test('another user\'s audit path is 403, no token is 401', async () => {
  problemOf(await server.api('GET', `/api/${alice.user.id}/audit`, { token: bob.token }), 403);
  problemOf(await server.api('GET', `/api/${alice.user.id}/audit`), 401);
});

test('filters: event_type (repeatable), task_id, from, to, and combinations', async () => {
  const check = async (query, expected) => {
    assert.deepEqual(ids(await auditAll(server, alice, query)), newestFirst(expected), query);
  };
  await check('event_type=created', log.filter((e) => e.type === 'created'));
  await check('event_type=completed&event_type=deleted', log.filter((e) => ['completed', 'deleted'].includes(e.type)));
  const t0 = log[0].task_id;
  await check(`task_id=${t0}`, log.filter((e) => e.task_id === t0));
  await check(`task_id=${t0}&event_type=updated`, log.filter((e) => e.task_id === t0 && e.type === 'updated'));
  const pivot = log[5].timestamp;  // first change after the gap
  await check(`from=${encodeURIComponent(pivot)}`, log.filter((e) => e.timestamp >= pivot));
  await check(`to=${encodeURIComponent(pivot)}`, log.filter((e) => e.timestamp < pivot));
  await check(`from=${encodeURIComponent(pivot)}&to=${encodeURIComponent(pivot)}`, []);
  await check(`from=${encodeURIComponent(pivot)}&event_type=completed`, log.filter((e) => e.timestamp >= pivot && e.type === 'completed'));
  await check('task_id=999999999', []);
});

test('pagination walks every event once, in order', async () => {
  for (const limit of [1, 3, 4]) {
    const seen = [];
    let cursor = null;
    for (let page = 0; page < 50; page++) {
      const qs = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await server.api('GET', `/api/${alice.user.id}/audit${qs}`, { token: alice.token });
      assert.equal(res.status, 200);
      assert.ok(res.json.items.length <= limit);
      seen.push(...ids(res.json.items));
      cursor = res.json.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(seen, newestFirst(log), `limit ${limit}`);
  }
  const filtered = await server.api('GET', `/api/${alice.user.id}/audit?event_type=created&limit=2`, { token: alice.token });
  const next = await server.api('GET', `/api/${alice.user.id}/audit?event_type=created&limit=2&cursor=${encodeURIComponent(filtered.json.next_cursor)}`, { token: alice.token });
  assert.deepEqual([...ids(filtered.json.items), ...ids(next.json.items)],
    newestFirst(log.filter((e) => e.type === 'created')).slice(0, 4));
});

test('bad parameters are 400 naming the parameter', async () => {
  const cases = [
    ['event_type=exploded', 'event_type'], ['task_id=abc', 'task_id'], ['task_id=-3', 'task_id'],
    ['from=yesterday', 'from'], ['to=2026-02-30T00:00:00Z', 'to'], ['limit=0', 'limit'],
    ['limit=201', 'limit'], ['cursor=garbage', 'cursor'], ['colour=red', 'colour'],
  ];
  for (const [query, field] of cases) {
    problemOf(await server.api('GET', `/api/${alice.user.id}/audit?${query}`, { token: alice.token }), 400, field);
  }
});
