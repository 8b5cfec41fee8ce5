// Events (ARCHITECTURE.md §4): every successful create, update, complete and delete writes
// exactly one event, with the contract's fields, which reaches the audit trail; idempotent
// replays and rejected requests (any 4xx) write none.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { auditAll, checkEvent, expectAudit } from './audit_helpers.mjs';
import { signJwt, startServer, tokenClaims } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });

// Runs one request and remembers when it was sent and answered.
async function timed(method, path, opts) {
  const sent = Date.now();
  const res = await server.api(method, path, opts);
  return { res, window: [sent, Date.now()] };
}

test('each kind of write produces exactly one event with every field right', async () => {
  const u = await server.signUp();
  const base = `/api/${u.user.id}/tasks`;
  const expected = [];  // [type, task, window, what]
  const write = async (what, type, method, path, opts, status = 200) => {
    const { res, window } = await timed(method, path, { token: u.token, ...opts });
    assert.equal(res.status, status, `${what}: ${res.text}`);
    expected.push([type, res.json, window, what]);
    return res.json;
  };
  const t = await write('POST', 'created', 'POST', base, {
    body: { title: 'Pay rent', tags: ['home'], priority: 'high', due_at: '2030-01-01T10:00:00+01:00',
      remind_at: '2030-01-01T08:00:00Z', recurrence: 'FREQ=MONTHLY;BYMONTHDAY=1', timezone: 'Europe/Berlin' },
  }, 201);
  const item = `${base}/${t.id}`;
  await write('PATCH', 'updated', 'PATCH', item, { body: { priority: 'low', description: 'monthly' } });
  await write('PUT', 'updated', 'PUT', item, { body: { title: 'Pay the rent', tags: ['home', 'money'] } });
  await write('PATCH If-Match', 'updated', 'PATCH', item, { body: { title: 'Rent' }, headers: { 'If-Match': '"3"' } });
  await write('complete (toggle)', 'completed', 'PATCH', `${item}/complete`, {});
  const reopened = await write('complete (toggle back)', 'updated', 'PATCH', `${item}/complete`, {});
  assert.equal(reopened.completed, false);
  await write('complete {completed: true}', 'completed', 'PATCH', `${item}/complete`, { body: { completed: true } });
  const reopened2 = await write('complete {completed: false}', 'updated', 'PATCH', `${item}/complete`, { body: { completed: false } });
  assert.equal(reopened2.completed, false);
  await write('PUT completed: true', 'completed', 'PUT', item, { body: { title: 'Paid', completed: true } });
  await write('PUT completed: true again', 'updated', 'PUT', item, { body: { title: 'Paid!', completed: true } });
  await write('PUT completed: false', 'updated', 'PUT', item, { body: { title: 'Paid?', completed: false } });
  await write('PATCH completed: true', 'completed', 'PATCH', item, { body: { completed: true, description: 'done' } });
  await write('PATCH completed: false', 'updated', 'PATCH', item, { body: { completed: false } });
  await write('PATCH completed: true, If-Match', 'completed', 'PATCH', item, { body: { completed: true }, headers: { 'If-Match': '"13"' } });
  const last = await server.api('GET', item, { token: u.token });
  assert.equal(last.json.version, 14);
  const del = await timed('DELETE', item, { token: u.token });
  assert.equal(del.res.status, 204, del.res.text);
  expected.push(['deleted', last.json, del.window, 'DELETE']);
  // a second task, deleted with If-Match right after creation
  const t2 = await write('POST (second task)', 'created', 'POST', base, { body: { title: 'Short-lived' } }, 201);
  const del2 = await timed('DELETE', `${base}/${t2.id}`, { token: u.token, headers: { 'If-Match': '"1"' } });
  assert.equal(del2.res.status, 204, del2.res.text);
  expected.push(['deleted', t2, del2.window, 'DELETE If-Match']);

  // One sequential client: the audit (oldest first) is the writes in order.
  const events = await expectAudit(server, u, expected.length);
  expected.forEach(([type, task, window, what], i) => checkEvent(events[i], { type, user: u, task, window }, `#${i} ${what}:`));
  assert.equal(new Set(events.map((e) => e.event_id)).size, events.length, 'event ids are unique');
  assert.deepEqual(events.map((e) => e.task_version), [...Array.from({ length: 14 }, (_, i) => i + 1), 14, 1, 1]);
  for (let i = 1; i < events.length; i++) {
    assert.ok(Date.parse(events[i].timestamp) >= Date.parse(events[i - 1].timestamp),
      `timestamps follow the order of the writes: ${events[i - 1].timestamp} then ${events[i].timestamp}`);
  }
});

test('an Idempotency-Key replay writes no second event, also when raced', async () => {
  const u = await server.signUp();
  const base = `/api/${u.user.id}/tasks`;
  const key = randomUUID();
  const first = await server.api('POST', base, { token: u.token, headers: { 'Idempotency-Key': key }, body: { title: 'Once' } });
  assert.equal(first.status, 201, first.text);
  for (let i = 0; i < 3; i++) {
    const again = await server.api('POST', base, { token: u.token, headers: { 'Idempotency-Key': key }, body: { title: 'Once' } });
    assert.equal(again.status, 201, again.text);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.json, first.json);
  }
  const mismatch = await server.api('POST', base, { token: u.token, headers: { 'Idempotency-Key': key }, body: { title: 'Other' } });
  assert.equal(mismatch.status, 422, mismatch.text);

  const raceKey = randomUUID();
  const raced = await Promise.all(Array.from({ length: 8 }, () =>
    server.api('POST', base, { token: u.token, headers: { 'Idempotency-Key': raceKey }, body: { title: 'Raced' } })));
  const ok = raced.filter((r) => r.status === 201);
  assert.ok(ok.length >= 1, raced.map((r) => r.status).join(','));
  for (const r of raced) assert.ok([201, 409].includes(r.status), `raced: ${r.status} ${r.text}`);
  for (const r of ok) assert.equal(r.json.id, ok[0].json.id);

  // a write after all that: once it is audited, anything the replays wrote would be too
  const sentinel = await server.api('POST', base, { token: u.token, body: { title: 'Sentinel' } });
  assert.equal(sentinel.status, 201);
  const events = await expectAudit(server, u, 3);
  checkEvent(events[0], { type: 'created', user: u, task: first.json });
  checkEvent(events[1], { type: 'created', user: u, task: ok[0].json });
  checkEvent(events[2], { type: 'created', user: u, task: sentinel.json });
});

test('rejected requests (every kind of 4xx) write no event', async () => {
  const u = await server.signUp();
  const other = await server.signUp();
  const base = `/api/${u.user.id}/tasks`;
  const created = await server.api('POST', base, { token: u.token, body: { title: 'Keep me' } });
  assert.equal(created.status, 201);
  const id = created.json.id;
  const item = `${base}/${id}`;
  const theirs = (await server.api('POST', `/api/${other.user.id}/tasks`, { token: other.token, body: { title: 'Theirs' } })).json;
  const expired = signJwt(tokenClaims(u.user.id, { iat: 1, exp: 2 }));
  const wrongKey = signJwt(tokenClaims(u.user.id), { secret: 'not-the-secret-not-the-secret-123' });
  const text = { raw: 'title=x', headers: { 'Content-Type': 'text/plain' } };
  const huge = { raw: JSON.stringify({ title: 'x', description: 'd'.repeat(1_100_000) }) };
  const attempts = [
    // validation
    ['POST', base, { body: { title: '' } }, 422],
    ['POST', base, { body: { title: 'x', priority: 'urgent' } }, 422],
    ['POST', base, { body: { title: 'x', recurrence: 'FREQ=SOMETIMES' } }, 422],
    ['PUT', item, { body: { title: 5 } }, 422],
    ['PUT', item, { body: { description: 'no title' } }, 422],
    ['PATCH', item, { body: { priority: 'urgent' } }, 422],
    ['PATCH', item, { body: { completed: 'yes' } }, 422],
    ['PATCH', `${item}/complete`, { body: { completed: 'yes' } }, 422],
    // malformed or unsupported bodies
    ['POST', base, { raw: '{not json' }, 400],
    ['PATCH', item, { raw: '[1,' }, 400],
    ['POST', base, text, 415],
    ['PUT', item, text, 415],
    // optimistic concurrency
    ['PUT', item, { body: { title: 'x' }, headers: { 'If-Match': '"99"' } }, 412],
    ['PATCH', item, { body: { title: 'x' }, headers: { 'If-Match': '"2"' } }, 412],
    ['PATCH', `${item}/complete`, { headers: { 'If-Match': '"7"' } }, 412],
    ['DELETE', item, { headers: { 'If-Match': '"5"' } }, 412],
    // no such task, another user's task via the own path, bad ids
    ['PUT', `${base}/${id + 1_000_000}`, { body: { title: 'x' } }, 404],
    ['PATCH', `${base}/${id + 1_000_000}`, { body: { title: 'x' } }, 404],
    ['PATCH', `${base}/${id + 1_000_000}/complete`, {}, 404],
    ['DELETE', `${base}/${id + 1_000_000}`, {}, 404],
    ['PATCH', `${base}/${theirs.id}`, { body: { title: 'x' } }, 404],
    ['DELETE', `${base}/${theirs.id}`, {}, 404],
    ['PATCH', `${base}/abc`, { body: { title: 'x' } }, 400],
    ['PUT', `${base}/0`, { body: { title: 'x' } }, 400],
    ['DELETE', `${base}/-1`, {}, 400],
    ['PATCH', `${base}/1.5/complete`, {}, 400],
    // authentication and authorization
    ['POST', base, { token: undefined, body: { title: 'x' } }, 401],
    ['PATCH', item, { token: expired, body: { title: 'x' } }, 401],
    ['DELETE', item, { token: wrongKey }, 401],
    ['PATCH', `${item}/complete`, { token: 'garbage' }, 401],
    ['POST', base, { token: other.token, body: { title: 'x' } }, 403],
    ['PUT', item, { token: other.token, body: { title: 'x' } }, 403],
    ['PATCH', `${item}/complete`, { token: other.token }, 403],
    ['DELETE', item, { token: other.token }, 403],
    ['DELETE', `/api/${other.user.id}/tasks/${id}`, { token: other.token }, 404],
    // Idempotency-Key too long
    ['POST', base, { body: { title: 'x' }, headers: { 'Idempotency-Key': 'k'.repeat(256) } }, 400],
    // too large (last: the server may close the connection)
    ['POST', base, huge, 413],
  ];
  for (const [method, path, opts, status] of attempts) {
    const res = await server.api(method, path, { token: u.token, ...opts });
    assert.equal(res.status, status, `${method} ${path} ${JSON.stringify(opts).slice(0, 120)}: ${res.text.slice(0, 300)}`);
  }
  const still = await server.api('GET', item, { token: u.token });
  assert.deepEqual(still.json, created.json, 'the task is unchanged');

  // A write after the rejected ones: once it is audited, anything they wrote would be too.
  const sentinel = await server.api('PATCH', item, { token: u.token, body: { title: 'Sentinel' } });
  assert.equal(sentinel.status, 200);
  const events = await expectAudit(server, u, 2);
  checkEvent(events[0], { type: 'created', user: u, task: created.json });
  checkEvent(events[1], { type: 'updated', user: u, task: sentinel.json });
  const theirEvents = await expectAudit(server, other, 1);
  checkEvent(theirEvents[0], { type: 'created', user: other, task: theirs });
  assert.deepEqual((await auditAll(server, other)).map((e) => e.task_id), [theirs.id]);
});
