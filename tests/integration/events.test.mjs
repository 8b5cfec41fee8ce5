// Every task operation becomes exactly one event with the seed's fields, stored once in the
// audit trail; rejected requests and idempotent replays write none (ARCHITECTURE.md §4).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { auditAll, waitForAudit } from './audit_helpers.mjs';
import { RFC3339_UTC, signJwt, sleep, startServer } from './harness.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });

function checkEvent(e, { type, user, task }) {
  assert.deepEqual(Object.keys(e).sort(), ['event_id', 'event_type', 'schema_version', 'task_data',
    'task_id', 'task_version', 'timestamp', 'user_id']);
  assert.match(e.event_id, UUID);
  assert.equal(e.event_type, type);
  assert.match(e.timestamp, RFC3339_UTC);
  assert.equal(e.user_id, user.user.id);
  assert.equal(e.task_id, task.id);
  assert.equal(e.schema_version, 1);
  assert.equal(e.task_version, task.version);
  assert.deepEqual(e.task_data, task);  // the full snapshot, exactly as the API returned it
}

test('each operation writes exactly one event of the right type with every field', async () => {
  const u = await server.signUp();
  const base = `/api/${u.user.id}/tasks`;
  const created = await server.api('POST', base, { token: u.token, body: { title: 'Pay rent', tags: ['home'] } });
  assert.equal(created.status, 201);
  const id = created.json.id;
  const patched = await server.api('PATCH', `${base}/${id}`, { token: u.token, body: { priority: 'high' } });
  const put = await server.api('PUT', `${base}/${id}`, { token: u.token, body: { title: 'Pay the rent' } });
  const completed = await server.api('PATCH', `${base}/${id}/complete`, { token: u.token });
  const reopened = await server.api('PATCH', `${base}/${id}/complete`, { token: u.token, body: { completed: false } });
  const completedByPut = await server.api('PUT', `${base}/${id}`, { token: u.token, body: { title: 'Paid', completed: true } });
  const before = await server.api('GET', `${base}/${id}`, { token: u.token });
  const deleted = await server.api('DELETE', `${base}/${id}`, { token: u.token });
  for (const r of [patched, put, completed, reopened, completedByPut]) assert.equal(r.status, 200);
  assert.equal(deleted.status, 204);

  const events = (await waitForAudit(server, u, 7)).reverse();  // oldest first
  assert.equal(events.length, 7, JSON.stringify(events.map((e) => e.event_type)));
  const expected = [
    ['created', created.json], ['updated', patched.json], ['updated', put.json],
    ['completed', completed.json], ['updated', reopened.json], ['completed', completedByPut.json],
    ['deleted', before.json],
  ];
  expected.forEach(([type, task], i) => checkEvent(events[i], { type, user: u, task }));
  assert.equal(events[4].task_data.completed, false, 'un-completing is an updated event with completed: false');
  assert.equal(new Set(events.map((e) => e.event_id)).size, 7);
  for (let i = 1; i < events.length; i++) assert.ok(events[i].timestamp >= events[i - 1].timestamp);
});

test('rejected requests write no event', async () => {
  const u = await server.signUp();
  const other = await server.signUp();
  const base = `/api/${u.user.id}/tasks`;
  const created = await server.api('POST', base, { token: u.token, body: { title: 'Keep me' } });
  const id = created.json.id;
  const expired = signJwt({ sub: u.user.id, iat: 1, exp: 2 });
  const attempts = [
    ['POST', base, { body: { title: '' } }, 422],
    ['POST', base, { raw: '{not json' }, 400],
    ['PATCH', `${base}/${id}`, { body: { priority: 'urgent' } }, 422],
    ['PUT', `${base}/${id}`, { body: { title: 'x' }, headers: { 'If-Match': '"99"' } }, 412],
    ['PATCH', `${base}/${id}/complete`, { headers: { 'If-Match': '"7"' } }, 412],
    ['DELETE', `${base}/${id}`, { headers: { 'If-Match': '"5"' } }, 412],
    ['DELETE', `${base}/${id + 100000}`, {}, 404],
    ['PATCH', `${base}/abc`, { body: { title: 'x' } }, 400],
    ['DELETE', `${base}/${id}`, { token: expired }, 401],
    ['DELETE', `${base}/${id}`, { token: other.token }, 403],
    ['DELETE', `/api/${other.user.id}/tasks/${id}`, { token: other.token }, 404],
  ];
  for (const [method, path, opts, status] of attempts) {
    const res = await server.api(method, path, { token: u.token, ...opts });
    assert.equal(res.status, status, `${method} ${path}: ${res.text}`);
  }
  const events = await waitForAudit(server, u, 1);
  await sleep(200);
  assert.deepEqual((await auditAll(server, u)).map((e) => e.event_type), ['created']);
  assert.equal(events.length, 1);
  assert.deepEqual(await auditAll(server, other), []);
});

test('an Idempotency-Key replay writes no second event', async () => {
  const u = await server.signUp();
  const base = `/api/${u.user.id}/tasks`;
  const headers = { 'Idempotency-Key': `key-${Date.now()}` };
  const first = await server.api('POST', base, { token: u.token, headers, body: { title: 'Once' } });
  const again = await server.api('POST', base, { token: u.token, headers, body: { title: 'Once' } });
  assert.equal(first.status, 201);
  assert.equal(again.status, 201);
  assert.equal(again.json.id, first.json.id);
  const events = await waitForAudit(server, u, 2, { timeoutMs: 1500 });
  assert.equal(events.length, 1);
  assert.equal(events[0].task_id, first.json.id);
});

test('metrics and readiness report the event pipeline', async () => {
  const u = await server.signUp();
  await server.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: 'metric' } });
  await waitForAudit(server, u, 1);
  const text = (await server.api('GET', '/metrics')).text;
  assert.match(text, /^todo_outbox_pending \d+$/m);
  assert.match(text, /^todo_outbox_oldest_age_seconds [\d.e+-]+$/m);
  assert.match(text, /^todo_outbox_backlog\{subscriber="audit"\} \d+$/m);
  const delivered = text.match(/^todo_events_delivered_total\{subscriber="audit"\} (\d+)$/m);
  assert.ok(delivered && Number(delivered[1]) >= 1, 'deliveries to the audit are counted');
  assert.match(text, /^todo_events_failed_total\{subscriber="audit"\} \d+$/m);
  const lag = text.match(/^todo_audit_lag_seconds_count (\d+)$/m);
  assert.ok(lag && Number(lag[1]) >= 1, 'audit lag is observed');
  assert.match(text, /^todo_audit_lag_seconds_bucket\{le="0.1"\} \d+$/m);
  const ready = await server.api('GET', '/readyz');
  assert.equal(ready.status, 200);
  assert.equal(ready.json.checks.outbox, 'ok');
});
