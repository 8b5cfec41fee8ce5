// An Idempotency-Key outlives the process (issue 14, item 18): a client that sent a create,
// lost the answer and retries after the server restarted (a deploy, a crash) gets the
// stored first answer -- same status, same body, same id, Idempotent-Replayed: true -- and
// no second task, no second event. Both a clean stop (SIGTERM) and a crash (SIGKILL), on
// SQLite and PostgreSQL (TODO_TEST_BACKEND).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { expectAudit } from './audit_helpers.mjs';
import { problemOf, startServer } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });

const BODY = { title: 'Pay rent once', priority: 'high', tags: ['home'], due_at: '2031-01-01T09:00:00Z' };

async function createWithKey(u, key, body = BODY) {
  return server.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body, headers: { 'Idempotency-Key': key } });
}

// The replay of `first` after whatever happened to the process: the stored answer, nothing new.
async function assertReplays(u, key, first, what) {
  const again = await createWithKey(u, key);
  assert.equal(again.status, first.status, `${what}: ${again.text}`);
  assert.equal(again.headers.get('idempotent-replayed'), 'true', `${what}: marked as a replay`);
  assert.deepEqual(again.json, first.json, `${what}: the first answer's body`);
  assert.equal(again.headers.get('etag'), first.headers.get('etag'), `${what}: the first answer's ETag`);
  assert.equal(again.headers.get('location'), first.headers.get('location'), `${what}: the first answer's Location`);
}

async function restartedBy(how) {
  if (how === 'SIGKILL') {
    await server.kill();
    assert.equal(server.exit.signal, 'SIGKILL');
    await server.start();
  } else {
    await server.restart();
  }
}

for (const how of ['SIGTERM', 'SIGKILL']) {
  test(`an Idempotency-Key replayed after a restart (${how}) returns the stored answer: no second task, no second event`, { timeout: 180_000 }, async () => {
    const u = await server.signUp({ name: `Idem ${how}` });
    const key = randomUUID();
    const first = await createWithKey(u, key);
    assert.equal(first.status, 201, first.text);
    assert.equal(first.headers.get('idempotent-replayed'), null, 'the first answer is no replay');
    // A key used for a different body stays refused across the restart too.
    const otherKey = randomUUID();
    const other = await createWithKey(u, otherKey, { title: 'something else' });
    assert.equal(other.status, 201, other.text);

    await restartedBy(how);

    await assertReplays(u, key, first, `after ${how}`);
    // The first answer, not the task as it is now.
    const patched = await server.api('PATCH', `/api/${u.user.id}/tasks/${first.json.id}`, { token: u.token, body: { title: 'renamed since' } });
    assert.equal(patched.status, 200, patched.text);
    await assertReplays(u, key, first, `after ${how} and a change of the task`);
    problemOf(await createWithKey(u, otherKey), 422, 'Idempotency-Key');

    const tasks = await server.listAll(u);
    assert.deepEqual(tasks.map((t) => t.id).sort((a, b) => a - b), [first.json.id, other.json.id].sort((a, b) => a - b),
      'no task but the two created before the restart');
    // created, created, updated: the replays wrote no event (the outbox drains before the read)
    const events = await expectAudit(server, u, 3);
    assert.deepEqual(events.map((e) => [e.event_type, e.task_id]),
      [['created', first.json.id], ['created', other.json.id], ['updated', first.json.id]]);
  });
}
