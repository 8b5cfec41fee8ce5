// Isolation: user B can neither see nor change user A's tasks, through B's own path (404)
// or A's path (403), and A's data is unchanged afterwards.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { problemOf, startServer } from './harness.mjs';

let server;
let a;
let b;
let aTasks;
let bTask;
const path = (u) => `/api/${u.user.id}/tasks`;

before(async () => {
  server = await startServer();
  a = await server.signUp({ name: 'Alice' });
  b = await server.signUp({ name: 'Bob' });
  aTasks = [];
  for (const body of [
    { title: 'Alice secret one', tags: ['private'], priority: 'high', due_at: '2030-03-01T10:00:00Z' },
    { title: 'Alice secret two', description: 'diary', completed: true },
  ]) {
    const res = await server.api('POST', path(a), { token: a.token, body });
    assert.equal(res.status, 201, res.text);
    aTasks.push(res.json);
  }
  const res = await server.api('POST', path(b), { token: b.token, body: { title: 'Bob own task' } });
  assert.equal(res.status, 201, res.text);
  bTask = res.json;
});
after(async () => { await server?.cleanup(); });

async function assertAliceUnchanged() {
  const all = await server.listAll(a);
  assert.deepEqual(all, [...aTasks].reverse(), 'A\'s list is unchanged');
  for (const t of aTasks) {
    const res = await server.api('GET', `${path(a)}/${t.id}`, { token: a.token });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, t, 'A\'s task is unchanged');
  }
}

test('B\'s list does not contain A\'s tasks', async () => {
  const mine = await server.listAll(b);
  assert.deepEqual(mine.map((t) => t.id), [bTask.id]);
  for (const qs of ['q=alice', 'q=secret', 'tag=private', 'status=completed', 'sort=title&order=asc']) {
    const res = await server.api('GET', `${path(b)}?${qs}`, { token: b.token });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.json.items.every((t) => t.user_id === b.user.id), `?${qs} lists only B's tasks`);
    assert.ok(!res.json.items.some((t) => aTasks.some((x) => x.id === t.id)), `?${qs} leaks none of A's tasks`);
  }
});

test('A\'s task ids under B\'s own path -> 404 for every route', async () => {
  for (const t of aTasks) {
    const p = `${path(b)}/${t.id}`;
    problemOf(await server.api('GET', p, { token: b.token }), 404);
    problemOf(await server.api('PUT', p, { token: b.token, body: { title: 'hijacked' } }), 404);
    problemOf(await server.api('PATCH', p, { token: b.token, body: { title: 'hijacked' } }), 404);
    problemOf(await server.api('PATCH', `${p}/complete`, { token: b.token }), 404);
    problemOf(await server.api('PATCH', `${p}/complete`, { token: b.token, body: { completed: false } }), 404);
    problemOf(await server.api('DELETE', p, { token: b.token }), 404);
    // with a matching If-Match the answer is still 404, not 412 or success
    const im = { 'If-Match': `"${t.version}"` };
    problemOf(await server.api('PUT', p, { token: b.token, body: { title: 'hijacked' }, headers: im }), 404);
    problemOf(await server.api('PATCH', p, { token: b.token, body: { title: 'hijacked' }, headers: { 'If-Match': '"99"' } }), 404);
    problemOf(await server.api('DELETE', p, { token: b.token, headers: im }), 404);
  }
  await assertAliceUnchanged();
});

test('A\'s path with B\'s token (bearer or cookie) -> 403 for every route', async () => {
  const creds = [{ token: b.token }, ...(b.cookie ? [{ cookie: b.cookie }] : [])];
  for (const cred of creds) {
    problemOf(await server.api('GET', path(a), cred), 403);
    problemOf(await server.api('POST', path(a), { ...cred, body: { title: 'planted by B' } }), 403);
    for (const t of aTasks) {
      const p = `${path(a)}/${t.id}`;
      problemOf(await server.api('GET', p, cred), 403);
      problemOf(await server.api('PUT', p, { ...cred, body: { title: 'hijacked' } }), 403);
      problemOf(await server.api('PATCH', p, { ...cred, body: { title: 'hijacked' } }), 403);
      problemOf(await server.api('PATCH', `${p}/complete`, cred), 403);
      problemOf(await server.api('DELETE', p, cred), 403);
    }
    // B's own task id under A's path is 403 too (the path's user is checked first)
    problemOf(await server.api('GET', `${path(a)}/${bTask.id}`, cred), 403);
  }
  await assertAliceUnchanged();
  assert.deepEqual((await server.listAll(b)).map((t) => t.id), [bTask.id], 'nothing planted anywhere');
});

test('B\'s task id under A\'s path with A\'s token -> 404', async () => {
  problemOf(await server.api('GET', `${path(a)}/${bTask.id}`, { token: a.token }), 404);
  problemOf(await server.api('DELETE', `${path(a)}/${bTask.id}`, { token: a.token }), 404);
  const res = await server.api('GET', `${path(b)}/${bTask.id}`, { token: b.token });
  assert.deepEqual(res.json, bTask, 'B\'s task is unchanged');
});

test('an Idempotency-Key used by A does not replay A\'s task to B', async () => {
  // Users of its own: the shared A and B stay as the other tests expect them.
  const [a2, b2] = [await server.signUp({ name: 'Alice 2' }), await server.signUp({ name: 'Bob 2' })];
  const key = randomUUID();
  const body = { title: 'Keyed by Alice' };
  const first = await server.api('POST', path(a2), { token: a2.token, body, headers: { 'Idempotency-Key': key } });
  assert.equal(first.status, 201, first.text);
  const res = await server.api('POST', path(b2), { token: b2.token, body, headers: { 'Idempotency-Key': key } });
  assert.equal(res.status, 201, res.text);
  assert.notEqual(res.json.id, first.json.id, 'B gets a task of its own');
  assert.equal(res.json.user_id, b2.user.id);
  assert.equal(res.headers.get('idempotent-replayed'), null, 'not a replay of A\'s answer');
  assert.deepEqual(await server.listAll(a2), [first.json], 'A has its one task');
  assert.deepEqual((await server.listAll(b2)).map((t) => t.id), [res.json.id], 'B has its own');
});
