// Recurring tasks (issue 10, src/recurrence): completing a task with a recurrence rule
// brings exactly one next occurrence — same fields, the next due date in the task's time
// zone, remind_at at the same offset, series_id — audited as `created`; however often the
// completion is repeated or redelivered. Both backends (TODO_TEST_BACKEND).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { expectAudit, waitOutboxDrained } from './audit_helpers.mjs';
import { freePort, problemOf, startServer, waitUntil } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });

async function create(u, body) {
  const res = await server.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

async function complete(u, id, completed) {
  const res = await server.api('PATCH', `/api/${u.user.id}/tasks/${id}/complete`,
    { token: u.token, body: completed === undefined ? undefined : { completed } });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

async function list(u, query = '') {
  const res = await server.api('GET', `/api/${u.user.id}/tasks?sort=created_at&order=asc&limit=200${query}`, { token: u.token });
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}

// Waits until the user has `count` tasks, then until every consumer is done (empty outbox:
// a late extra occurrence would be there), and returns them oldest first.
async function settle(u, count) {
  await waitUntil(async () => (await list(u)).length >= count, `${count} tasks`);
  await waitOutboxDrained(server);
  return list(u);
}

test('completing a recurring task brings exactly one next occurrence, audited as created', async () => {
  const u = await server.signUp();
  const first = await create(u, {
    title: 'Stand-up', description: 'daily', priority: 'high', tags: ['work', 'team'],
    due_at: '2036-03-29T08:00:00Z', remind_at: '2036-03-29T07:45:00Z',
    recurrence: 'FREQ=DAILY', timezone: 'Europe/Berlin',
  });
  assert.equal(first.series_id, null, 'the first task of a series has no series_id');
  await complete(u, first.id, true);
  const tasks = await settle(u, 2);
  assert.equal(tasks.length, 2, JSON.stringify(tasks));
  const next = tasks[1];
  // 09:00 Berlin the next day is 07:00Z: summer time begins on 30 March 2036. (Dates lie
  // in the future: the next one is the first instance after the completion, which is now.)
  assert.deepEqual(
    { title: next.title, description: next.description, priority: next.priority, tags: next.tags,
      due_at: next.due_at, remind_at: next.remind_at, recurrence: next.recurrence, timezone: next.timezone,
      completed: next.completed, completed_at: next.completed_at, series_id: next.series_id, version: next.version },
    { title: 'Stand-up', description: 'daily', priority: 'high', tags: ['work', 'team'],
      due_at: '2036-03-30T07:00:00Z', remind_at: '2036-03-30T06:45:00Z', recurrence: 'FREQ=DAILY',
      timezone: 'Europe/Berlin', completed: false, completed_at: null, series_id: first.id, version: 1 });
  const events = await expectAudit(server, u, 3);
  assert.deepEqual(events.map((e) => [e.event_type, e.task_id]), [['created', first.id], ['completed', first.id], ['created', next.id]]);
  assert.equal(events[2].task_data.series_id, first.id, 'the created event carries series_id');

  // The occurrence after the next one keeps the series id of the first task.
  await complete(u, next.id, true);
  const third = (await settle(u, 3))[2];
  assert.equal(third.series_id, first.id);
  assert.equal(third.due_at, '2036-03-31T07:00:00Z');
});

test('complete, un-complete, complete brings one next occurrence, not two', async () => {
  const u = await server.signUp();
  const t = await create(u, { title: 'Water plants', due_at: '2030-01-07T09:00:00Z', recurrence: 'FREQ=WEEKLY;BYDAY=MO' });
  await complete(u, t.id, true);
  await settle(u, 2);
  await complete(u, t.id, false);
  await complete(u, t.id);  // toggles back to completed
  await waitOutboxDrained(server);
  const tasks = await list(u);
  assert.deepEqual(tasks.map((x) => [x.id === t.id ? 'first' : 'next', x.due_at]),
    [['first', '2030-01-07T09:00:00Z'], ['next', '2030-01-14T09:00:00Z']]);
});

test('COUNT ends the series: completing the last instance creates nothing', async () => {
  const u = await server.signUp();
  let t = await create(u, { title: 'Three times', due_at: '2030-01-01T09:00:00Z', recurrence: 'FREQ=DAILY;COUNT=3' });
  for (let i = 2; i <= 3; i++) {
    await complete(u, t.id, true);
    t = (await settle(u, i))[i - 1];
  }
  assert.equal(t.due_at, '2030-01-03T09:00:00Z');
  await complete(u, t.id, true);
  await waitOutboxDrained(server);
  assert.equal((await list(u)).length, 3, 'no fourth occurrence');
  const m = await server.api('GET', '/metrics');
  assert.match(m.text, /^todo_recurrence_ended_total [1-9]/m);
});

test('a late completion skips missed instances; without a due date it counts from the completion', async () => {
  const u = await server.signUp();
  const late = await create(u, { title: 'Daily report', due_at: '2020-01-06T09:00:00Z', recurrence: 'FREQ=DAILY' });
  const before = Date.now();
  await complete(u, late.id, true);
  const next = (await settle(u, 2))[1];
  const due = Date.parse(next.due_at);
  assert.ok(due > before - 1000, `the next one is not overdue: ${next.due_at}`);
  assert.ok(due <= Date.now() + 86_400_000, `it is the first instance after now: ${next.due_at}`);
  assert.match(next.due_at, /T09:00:00Z$/, 'on the series\' own time of day');

  const u2 = await server.signUp();
  const loose = await create(u2, { title: 'Stretch', recurrence: 'FREQ=DAILY' });
  const done = await complete(u2, loose.id, true);
  const follow = (await settle(u2, 2))[1];
  assert.equal(Date.parse(follow.due_at), Date.parse(done.completed_at) + 86_400_000);
});

test('recurrence null stops the series; deleting an occurrence does not; other events bring nothing', async () => {
  const u = await server.signUp();
  const t = await create(u, { title: 'Stopped', due_at: '2030-01-01T09:00:00Z', recurrence: 'FREQ=DAILY' });
  const res = await server.api('PATCH', `/api/${u.user.id}/tasks/${t.id}`, { token: u.token, body: { recurrence: null, completed: true } });
  assert.equal(res.status, 200, res.text);
  const plain = await create(u, { title: 'Plain' });
  await complete(u, plain.id, true);
  await waitOutboxDrained(server);
  assert.equal((await list(u)).length, 2, 'no occurrence for a task without a rule');

  const s = await create(u, { title: 'Goes on', due_at: '2030-01-01T09:00:00Z', recurrence: 'FREQ=DAILY' });
  await complete(u, s.id, true);
  const second = (await settle(u, 4))[3];
  const del = await server.api('DELETE', `/api/${u.user.id}/tasks/${s.id}`, { token: u.token });
  assert.equal(del.status, 204);
  await complete(u, second.id, true);
  const third = (await settle(u, 4))[3];
  assert.equal(third.series_id, s.id, 'the series goes on after its first task was deleted');
  assert.equal(third.due_at, '2030-01-03T09:00:00Z');
});

test('consumers are sent only the events they want: plain tasks cost recurrence and reminders nothing', async () => {
  const delivered = async (who) => {
    const m = /todo_events_delivered_total\{subscriber="([a-z]+)"\} (\d+)/g;
    const text = (await server.api('GET', '/metrics')).text;
    return Number([...text.matchAll(m)].find((x) => x[1] === who)?.[2] ?? 0);
  };
  await waitOutboxDrained(server);
  const before = { audit: await delivered('audit'), recurrence: await delivered('recurrence'), reminders: await delivered('reminders') };
  const u = await server.signUp();
  for (let i = 0; i < 3; i++) await create(u, { title: `plain ${i}` });
  const last = await create(u, { title: 'plain, done' });
  await complete(u, last.id, true);
  await waitOutboxDrained(server);
  const after = { audit: await delivered('audit'), recurrence: await delivered('recurrence'), reminders: await delivered('reminders') };
  assert.deepEqual({ audit: after.audit - before.audit, recurrence: after.recurrence - before.recurrence, reminders: after.reminders - before.reminders },
    { audit: 5, recurrence: 0, reminders: 0 }, 'the audit gets all 5 events; recurrence and reminders none');
});

test('isolation: occurrences belong to the completing user only', async () => {
  const a = await server.signUp();
  const b = await server.signUp();
  const t = await create(a, { title: 'Mine', due_at: '2030-01-01T09:00:00Z', recurrence: 'FREQ=DAILY' });
  await complete(a, t.id, true);
  await settle(a, 2);
  assert.deepEqual(await list(b), []);
});

describe('GET /api/{user_id}/recurrence/preview', () => {
  test('the next dates in the time zone, validated like task input', async () => {
    const u = await server.signUp();
    const base = `/api/${u.user.id}/recurrence/preview`;
    const ok = await server.api('GET', `${base}?rule=${encodeURIComponent('FREQ=DAILY')}&timezone=Europe/Berlin&dtstart=2026-03-28T08:00:00Z&count=3`, { token: u.token });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json, { rule: 'FREQ=DAILY', timezone: 'Europe/Berlin', dtstart: '2026-03-28T08:00:00Z',
      occurrences: ['2026-03-28T08:00:00Z', '2026-03-29T07:00:00Z', '2026-03-30T07:00:00Z'] });
    const ended = await server.api('GET', `${base}?rule=${encodeURIComponent('FREQ=DAILY;COUNT=2')}&dtstart=2026-01-01T09:00:00Z&count=5`, { token: u.token });
    assert.deepEqual(ended.json.occurrences, ['2026-01-01T09:00:00Z', '2026-01-02T09:00:00Z']);
    const now = await server.api('GET', `${base}?rule=FREQ%3DHOURLY`, { token: u.token });
    assert.equal(now.status, 200);
    assert.equal(now.json.occurrences.length, 3, 'dtstart defaults to now');

    problemOf(await server.api('GET', `${base}?rule=FREQ%3DSOMETIMES`, { token: u.token }), 422, 'rule');
    problemOf(await server.api('GET', `${base}?rule=FREQ%3DDAILY&timezone=Mars%2FBase`, { token: u.token }), 422, 'timezone');
    problemOf(await server.api('GET', `${base}?timezone=UTC`, { token: u.token }), 422, 'rule');
    problemOf(await server.api('GET', `${base}?rule=FREQ%3DDAILY&count=99`, { token: u.token }), 400, 'count');
    problemOf(await server.api('GET', `${base}?rule=FREQ%3DDAILY&dtstart=soon`, { token: u.token }), 400, 'dtstart');
    problemOf(await server.api('GET', `${base}?rule=FREQ%3DDAILY&x=1`, { token: u.token }), 400, 'x');
    problemOf(await server.api('GET', `${base}?rule=${'A'.repeat(600)}`, { token: u.token }), 422, 'rule');
  });

  test('needs the user\'s own token', async () => {
    const a = await server.signUp();
    const b = await server.signUp();
    assert.equal((await server.api('GET', `/api/${a.user.id}/recurrence/preview?rule=FREQ%3DDAILY`)).status, 401);
    assert.equal((await server.api('GET', `/api/${a.user.id}/recurrence/preview?rule=FREQ%3DDAILY`, { token: b.token })).status, 403);
  });
});

// Redelivery: the same completed event delivered twice by Dapr (at least once) to the single
// binary with --bus=dapr brings one next occurrence. No sidecar listens: events are only
// delivered here, by hand.
describe('Dapr redelivery', () => {
  const APP_TOKEN = `app-${randomUUID()}`;
  let dapr;
  before(async () => {
    dapr = await startServer({ env: { TODO_BUS: 'dapr', DAPR_HTTP_PORT: String(await freePort()), APP_API_TOKEN: APP_TOKEN } });
  });
  after(async () => { await dapr?.cleanup(); });

  test('the same completed event twice, and twice in one bulk: one next occurrence', async () => {
    const u = await dapr.signUp();
    const res = await dapr.api('POST', `/api/${u.user.id}/tasks`, { token: u.token,
      body: { title: 'Redelivered', due_at: '2030-01-01T09:00:00Z', recurrence: 'FREQ=DAILY' } });
    assert.equal(res.status, 201);
    const done = await dapr.api('PATCH', `/api/${u.user.id}/tasks/${res.json.id}/complete`, { token: u.token });
    assert.equal(done.status, 200);
    const event = { event_id: randomUUID(), event_type: 'completed', timestamp: new Date().toISOString(),
      user_id: u.user.id, task_id: res.json.id, task_data: done.json, schema_version: 1, task_version: done.json.version };
    const ce = { specversion: '1.0', id: event.event_id, source: 'todo-api', type: 'todo.task.completed',
      topic: 'task-events', pubsubname: 'kafka-pubsub', datacontenttype: 'application/json', data: event };
    const deliver = (body) => dapr.api('POST', '/dapr/task-events',
      { raw: JSON.stringify(body), headers: { 'Content-Type': 'application/cloudevents+json', 'dapr-api-token': APP_TOKEN } });
    for (let i = 0; i < 2; i++) {
      const r = await deliver(ce);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'SUCCESS');
    }
    // Another event id for the same completion (a republished copy): still one.
    const copy = { ...ce, id: randomUUID(), data: { ...event, event_id: randomUUID() } };
    const bulk = await deliver({ entries: [
      { entryId: '1', event: copy, contentType: 'application/cloudevents+json' },
      { entryId: '2', event: copy, contentType: 'application/cloudevents+json' }] });
    assert.equal(bulk.status, 200, bulk.text);
    const tasks = (await dapr.api('GET', `/api/${u.user.id}/tasks?sort=created_at&order=asc`, { token: u.token })).json.items;
    assert.deepEqual(tasks.map((t) => [t.series_id, t.due_at]),
      [[null, '2030-01-01T09:00:00Z'], [res.json.id, '2030-01-02T09:00:00Z']]);
  });

  test('a completed event whose snapshot is not a task is dropped, never retried', async () => {
    const u = await dapr.signUp();
    const event = { event_id: randomUUID(), event_type: 'completed', timestamp: new Date().toISOString(),
      user_id: u.user.id, task_id: 5, task_data: { title: '', completed: true, recurrence: 'FREQ=DAILY', priority: 'urgent' },
      schema_version: 1, task_version: 2 };
    const r = await dapr.api('POST', '/dapr/task-events', { raw: JSON.stringify({ specversion: '1.0', id: event.event_id,
      source: 's', type: 't', datacontenttype: 'application/json', data: event }),
    headers: { 'Content-Type': 'application/cloudevents+json', 'dapr-api-token': APP_TOKEN } });
    assert.equal(r.status, 200, r.text);
    // The audit consumer stores it (it checks the envelope only), so the delivery succeeds;
    // recurrence gave it up: nothing was created for the user.
    assert.deepEqual((await dapr.api('GET', `/api/${u.user.id}/tasks`, { token: u.token })).json.items, []);
    const m = await dapr.api('GET', '/metrics');
    assert.match(m.text, /^todo_recurrence_rejected_events_total [1-9]/m);
  });
});
