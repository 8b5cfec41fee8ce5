// Reminders and in-app notifications (issue 10, src/reminders): a pending task with
// remind_at gets exactly one reminder at that instant — a notification and a `reminders`
// event — moved by an update, cancelled by completion, clearing or deletion, re-armed by
// un-completion and by snooze; one due while the process was stopped fires once after the
// restart (or is recorded as missed beyond the horizon). Both backends (TODO_TEST_BACKEND).
// Short offsets (1-2 s ahead) stand in for a test clock; every wait is for a condition.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { waitOutboxDrained } from './audit_helpers.mjs';
import { metricValue, problemOf, startServer, waitUntil } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });

const inMs = (ms) => new Date(Date.now() + ms).toISOString();

async function create(srv, u, body) {
  const res = await srv.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

async function notifications(srv, u, query = '') {
  const res = await srv.api('GET', `/api/${u.user.id}/notifications${query}`, { token: u.token });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

// Waits until the user has `count` notifications and returns them all, newest first.
async function settle(srv, u, count) {
  await waitUntil(async () => (await notifications(srv, u)).items.length >= count, `${count} notifications`);
  return (await notifications(srv, u, '?limit=200')).items;
}

// Waits until every reminder due by `deadline` has been handled (fired, missed or found stale):
// /readyz reports how overdue the earliest pending job is; 0 means none is due.
async function noneDue(srv, deadline) {
  await waitUntil(() => Date.now() > deadline, 'the deadline to pass', { pollMs: 20 });
  await waitUntil(async () => (await srv.api('GET', '/readyz')).json.checks.reminders_overdue_ms === 0,
    'no reminder due and unhandled');
  await waitOutboxDrained(srv);
}

test('a reminder fires once, within a second of remind_at, as a notification', async () => {
  const u = await server.signUp();
  const remindAt = inMs(1500);
  const t = await create(server, u, { title: 'Call the dentist', due_at: inMs(3_600_000), remind_at: remindAt });
  const [n] = await settle(server, u, 1);
  // On time: the scheduler sleeps until remind_at and wakes then (the notification's own
  // creation time, not when this client happened to look).
  const late = Date.parse(n.created_at) - Date.parse(remindAt);
  assert.ok(late >= 0 && late < 1000, `notified ${late} ms after remind_at`);
  assert.equal(n.kind, 'reminder');
  assert.equal(n.task_id, t.id);
  assert.equal(n.title, 'Call the dentist');
  assert.equal(n.remind_at, remindAt.replace(/\.\d+Z$/, (m) => (m === '.000Z' ? 'Z' : m)));
  assert.equal(n.due_at, t.due_at);
  assert.equal(n.read, false);
  assert.ok(Date.parse(n.created_at) >= Date.parse(remindAt));
  // A title change afterwards does not fire it again.
  const res = await server.api('PATCH', `/api/${u.user.id}/tasks/${t.id}`, { token: u.token, body: { title: 'Called' } });
  assert.equal(res.status, 200);
  await noneDue(server, Date.now());
  assert.equal((await notifications(server, u)).items.length, 1, 'exactly one notification');
});

test('completing, clearing and deleting cancel; an update moves it; un-completing re-arms it', async () => {
  const u = await server.signUp();
  const at = inMs(1500);
  const done = await create(server, u, { title: 'completed', remind_at: at });
  const cleared = await create(server, u, { title: 'cleared', remind_at: at });
  const gone = await create(server, u, { title: 'deleted', remind_at: at });
  const moved = await create(server, u, { title: 'moved', remind_at: at });
  const back = await create(server, u, { title: 'un-completed', remind_at: at });
  const api = (method, path, body) => server.api(method, `/api/${u.user.id}/tasks/${path}`, { token: u.token, body });
  assert.equal((await api('PATCH', `${done.id}/complete`, { completed: true })).status, 200);
  assert.equal((await api('PATCH', `${cleared.id}`, { remind_at: null })).status, 200);
  assert.equal((await api('DELETE', `${gone.id}`)).status, 204);
  const later = inMs(3000);
  assert.equal((await api('PATCH', `${moved.id}`, { remind_at: later })).status, 200);
  assert.equal((await api('PATCH', `${back.id}/complete`, { completed: true })).status, 200);
  assert.equal((await api('PATCH', `${back.id}/complete`, { completed: false })).status, 200);
  await noneDue(server, Date.parse(later));
  const items = (await notifications(server, u)).items;
  assert.deepEqual(items.map((n) => n.title).sort(), ['moved', 'un-completed']);
  const m = items.find((n) => n.title === 'moved');
  assert.ok(Date.parse(m.created_at) >= Date.parse(later), 'the moved one fired at its new time');
});

test('notifications: newest first, unread filter, cursor paging, read, read-all, isolation', async () => {
  const u = await server.signUp();
  const other = await server.signUp();
  const at = inMs(1200);
  for (let i = 0; i < 5; i++) await create(server, u, { title: `r${i}`, remind_at: at });
  await create(server, other, { title: 'not yours', remind_at: at });
  await settle(server, u, 5);
  await settle(server, other, 1);
  const page1 = await notifications(server, u, '?limit=2');
  assert.equal(page1.items.length, 2);
  assert.equal(page1.unread_count, 5);
  assert.ok(page1.next_cursor);
  const page2 = await notifications(server, u, `?limit=2&cursor=${page1.next_cursor}`);
  const page3 = await notifications(server, u, `?limit=2&cursor=${page2.next_cursor}`);
  assert.equal(page3.next_cursor, null);
  const ids = [...page1.items, ...page2.items, ...page3.items].map((n) => n.id);
  assert.equal(new Set(ids).size, 5);
  assert.deepEqual(ids, ids.slice().sort((a, b) => b - a), 'newest first');

  const base = `/api/${u.user.id}/notifications`;
  const read = await server.api('POST', `${base}/${ids[0]}/read`, { token: u.token });
  assert.equal(read.status, 200, read.text);
  assert.equal(read.json.read, true);
  assert.ok(read.json.read_at);
  const unread = await notifications(server, u, '?unread=true');
  assert.equal(unread.items.length, 4);
  assert.equal(unread.unread_count, 4);
  assert.ok(!unread.items.some((n) => n.id === ids[0]));

  // Someone else's notification is simply not there; another user's path is 403; no token 401.
  const theirs = (await notifications(server, other)).items[0];
  assert.equal((await server.api('POST', `${base}/${theirs.id}/read`, { token: u.token })).status, 404);
  assert.equal((await server.api('POST', `/api/${other.user.id}/notifications/${theirs.id}/read`, { token: u.token })).status, 403);
  assert.equal((await server.api('GET', base)).status, 401);
  assert.equal((await notifications(server, other)).items[0].read, false, 'untouched');

  const all = await server.api('POST', `${base}/read-all`, { token: u.token });
  assert.deepEqual({ status: all.status, json: all.json }, { status: 200, json: { updated: 4 } });
  assert.equal((await notifications(server, u)).unread_count, 0);
  assert.equal((await notifications(server, other)).unread_count, 1);

  problemOf(await server.api('GET', `${base}?unread=maybe`, { token: u.token }), 400, 'unread');
  problemOf(await server.api('GET', `${base}?limit=0`, { token: u.token }), 400, 'limit');
  problemOf(await server.api('GET', `${base}?cursor=abc`, { token: u.token }), 400, 'cursor');
  problemOf(await server.api('GET', `${base}?sort=id`, { token: u.token }), 400, 'sort');
  assert.equal((await server.api('POST', `${base}/0/read`, { token: u.token })).status, 404);
  assert.equal((await server.api('POST', `${base}/abc/read`, { token: u.token })).status, 404);
});

test('snooze re-arms the reminder; bad snoozes are 4xx naming the field', async () => {
  const u = await server.signUp();
  const t = await create(server, u, { title: 'Snooze me', remind_at: inMs(800) });
  const [n] = await settle(server, u, 1);
  const base = `/api/${u.user.id}/notifications/${n.id}/snooze`;
  problemOf(await server.api('POST', base, { token: u.token, body: {} }), 422, 'until');
  problemOf(await server.api('POST', base, { token: u.token, body: { until: 'later' } }), 422, 'until');
  problemOf(await server.api('POST', base, { token: u.token, body: { until: inMs(-60_000) } }), 422, 'until');
  problemOf(await server.api('POST', base, { token: u.token, body: { until: inMs(40 * 86_400_000) } }), 422, 'until');
  problemOf(await server.api('POST', base, { token: u.token, body: { until: inMs(1000), extra: 1 } }), 422, 'extra');
  problemOf(await server.api('POST', base, { token: u.token, raw: '{', headers: { 'Content-Type': 'application/json' } }), 400);
  const until = inMs(1200);
  const res = await server.api('POST', base, { token: u.token, body: { until } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.read, true);
  const items = await settle(server, u, 2);
  assert.equal(items[0].task_id, t.id);
  assert.ok(Date.parse(items[0].created_at) >= Date.parse(until));
  await noneDue(server, Date.now());
  assert.equal((await notifications(server, u)).items.length, 2, 'the snooze fired once');

  // The task completed meanwhile: snoozing its reminder is a conflict, nothing re-armed.
  assert.equal((await server.api('PATCH', `/api/${u.user.id}/tasks/${t.id}/complete`, { token: u.token, body: { completed: true } })).status, 200);
  problemOf(await server.api('POST', base, { token: u.token, body: { until: inMs(1000) } }), 409);
});

describe('restarts', () => {
  // The server under test must be the only one running: on PostgreSQL the main server's
  // scheduler and relay take any user's jobs and events from the shared tables, so it could
  // fire a reminder while the server under test is stopped (or fire one that server's
  // horizon would record as missed).
  before(async () => { await server.stop(); });
  after(async () => { await server.start(); });
  test('a reminder due while the process was stopped fires once after the restart', async () => {
    const srv = await startServer();
    try {
      const u = await srv.signUp();
      const remindAt = inMs(1500);
      await create(srv, u, { title: 'while away', remind_at: remindAt });
      await waitOutboxDrained(srv);  // the job is written
      await srv.stop();
      await waitUntil(() => Date.now() > Date.parse(remindAt) + 200, 'remind_at to pass while stopped', { pollMs: 20 });
      await srv.start();
      const items = await settle(srv, u, 1);
      assert.equal(items.length, 1);
      await noneDue(srv, Date.now());
      await srv.stop();
      await srv.start();
      await noneDue(srv, Date.now());
      assert.equal((await notifications(srv, u)).items.length, 1, 'not again after a second restart');
    } finally {
      await srv.cleanup();
    }
  });

  test('beyond the horizon it is recorded as missed, not sent', async () => {
    const srv = await startServer({ env: { TODO_REMINDER_HORIZON: '1s' } });
    try {
      const u = await srv.signUp();
      const remindAt = inMs(1000);
      await create(srv, u, { title: 'too late', remind_at: remindAt });
      await waitOutboxDrained(srv);
      await srv.stop();
      await waitUntil(() => Date.now() > Date.parse(remindAt) + 2500, 'the horizon to pass while stopped', { pollMs: 20 });
      await srv.start();
      await waitUntil(async () => (await metricValue(srv, 'todo_reminders_missed_total')) === 1, 'the miss to be counted');
      assert.deepEqual((await notifications(srv, u)).items, []);
    } finally {
      await srv.cleanup();
    }
  });

  test('a bad horizon stops the start naming the option', async () => {
    const srv = await startServer({ env: { TODO_REMINDER_HORIZON: 'soon' } }).catch((e) => e);
    assert.match(String(srv.message || srv), /--reminder-horizon/);
  });
});
