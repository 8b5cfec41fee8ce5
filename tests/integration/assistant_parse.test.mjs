// The quick add's parse route, POST /api/{user_id}/tasks/parse (src/assistant): what it reads
// in a line of English (fields, chips whose UTF-16 offsets slice the text exactly as a
// browser does), its 4xx answers naming the field, auth (cookie, bearer, a personal access
// token needs tasks:read) and isolation (another user's id -> 403). It stores nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { problemOf, startServer } from './harness.mjs';

let server;
let alice;
let bob;
const parsePath = (u) => `/api/${u.user.id}/tasks/parse`;

before(async () => {
  server = await startServer();
  alice = await server.signUp({ name: 'Alice' });
  bob = await server.signUp({ name: 'Bob' });
});
after(async () => { await server?.cleanup(); });

// The local date in `zone` of an instant, as YYYY-MM-DD, and its hour:minute.
function localParts(iso, zone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

test('reads the fields and chips of the issue example, offsets in UTF-16', async () => {
  const text = 'Pay rent tomorrow 9am !high #home every month';
  const res = await server.api('POST', parsePath(alice), { token: alice.token, body: { text, timezone: 'Europe/Paris' } });
  assert.equal(res.status, 200, res.text);
  const p = res.json;
  assert.equal(p.title, 'Pay rent');
  assert.equal(p.priority, 'high');
  assert.deepEqual(p.tags, ['home']);
  assert.equal(p.recurrence, 'FREQ=MONTHLY');
  assert.equal(p.timezone, 'Europe/Paris');
  assert.equal(p.remind_at, null);
  // Tomorrow 09:00 in Paris (the server's clock is the real one).
  const tomorrow = localParts(new Date(Date.now() + 86_400_000).toISOString(), 'Europe/Paris').date;
  assert.deepEqual(localParts(p.due_at, 'Europe/Paris'), { date: tomorrow, time: '09:00' });
  assert.deepEqual(p.chips.map((c) => [c.kind, c.text, c.value]), [
    ['due', 'tomorrow 9am', p.due_at],
    ['priority', '!high', 'high'],
    ['tag', '#home', 'home'],
    ['recurrence', 'every month', 'FREQ=MONTHLY'],
  ]);
  for (const c of p.chips) assert.equal(text.slice(c.start, c.end), c.text);
  // Nothing was stored.
  assert.deepEqual(await server.listAll(alice), []);
});

test('chip offsets count UTF-16 code units (emoji, accents)', async () => {
  const text = '🎉 Fête d’équipe friday 8pm #fun 🎂 remind me at 6pm';
  const res = await server.api('POST', parsePath(alice), { token: alice.token, body: { text, timezone: 'America/New_York' } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.title, '🎉 Fête d’équipe 🎂');
  assert.deepEqual(res.json.chips.map((c) => c.kind), ['due', 'tag', 'remind']);
  for (const c of res.json.chips) assert.equal(text.slice(c.start, c.end), c.text, c.kind);
  const due = localParts(res.json.due_at, 'America/New_York');
  const remind = localParts(res.json.remind_at, 'America/New_York');
  assert.equal(due.time, '20:00');
  assert.equal(remind.time, '18:00');
  assert.equal(remind.date, due.date, 'a bare reminder time is on the due date');
});

test('without a timezone: the zone of the user\'s preferences, else UTC; plain text is all title', async () => {
  let res = await server.api('POST', parsePath(alice), { token: alice.token, body: { text: 'Standup tomorrow 17:30' } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.timezone, 'UTC');
  assert.match(res.json.due_at, /T17:30:00Z$/);
  res = await server.api('POST', parsePath(alice), { token: alice.token, body: { text: 'Buy 2.50 worth of stamps', timezone: null } });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { title: 'Buy 2.50 worth of stamps', due_at: null, remind_at: null, priority: null,
    tags: [], recurrence: null, timezone: 'UTC', chips: [] });
  // Bob saved New York as his zone: his dates are read there unless he says otherwise.
  const saved = await server.api('PUT', `/api/${bob.user.id}/preferences`, { token: bob.token,
    body: { email_reminders: true, completion_notices: true, timezone: 'America/New_York' } });
  assert.equal(saved.status, 200, saved.text);
  res = await server.api('POST', parsePath(bob), { token: bob.token, body: { text: 'Standup tomorrow 17:30' } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.timezone, 'America/New_York');
  assert.equal(localParts(res.json.due_at, 'America/New_York').time, '17:30');
  res = await server.api('POST', parsePath(bob), { token: bob.token, body: { text: 'Standup tomorrow 17:30', timezone: 'UTC' } });
  assert.equal(res.json.timezone, 'UTC');
  assert.match(res.json.due_at, /T17:30:00Z$/);
});

test('the fields it gives create the task the REST API accepts', async () => {
  const res = await server.api('POST', parsePath(alice), { token: alice.token,
    body: { text: 'Gym every weekday at 7am #health', timezone: 'Europe/Berlin' } });
  assert.equal(res.status, 200, res.text);
  const { title, due_at, priority, tags, recurrence, timezone } = res.json;
  assert.equal(recurrence, 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR');
  const created = await server.api('POST', `/api/${alice.user.id}/tasks`, { token: alice.token,
    body: { title, due_at, tags, recurrence, timezone, ...(priority ? { priority } : {}) } });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.json.title, 'Gym');
  const local = localParts(created.json.due_at, 'Europe/Berlin');
  assert.equal(local.time, '07:00');
  const weekday = new Date(`${local.date}T12:00:00Z`).getUTCDay();
  assert.ok(weekday >= 1 && weekday <= 5, `first occurrence on a weekday, got ${local.date}`);
});

test('bad input: 4xx problems naming the field', async () => {
  const call = (opts) => server.api('POST', parsePath(alice), { token: alice.token, ...opts });
  problemOf(await call({ body: { text: 'é'.repeat(1001) } }), 422, 'text');
  const ok = await call({ body: { text: 'é'.repeat(1000) } });
  assert.equal(ok.status, 200, 'exactly 1000 characters is accepted');
  problemOf(await call({ body: {} }), 422, 'text');
  problemOf(await call({ body: { text: 42 } }), 422, 'text');
  problemOf(await call({ body: { text: 'a', timezone: 'Mars/Olympus_Mons' } }), 422, 'timezone');
  problemOf(await call({ body: { text: 'a', timezone: '../../etc/passwd' } }), 422, 'timezone');
  problemOf(await call({ body: { text: 'a', timezone: 5 } }), 422, 'timezone');
  problemOf(await call({ body: { text: 'a', extra: 1 } }), 422, 'extra');
  problemOf(await call({ body: ['text'] }), 422, 'body');
  problemOf(await call({ raw: '{"text":' }), 400);
  problemOf(await call({ raw: 'text=a', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415);
});

test('auth and isolation: cookie, bearer, token scopes, another user', async () => {
  const body = { text: 'Call mom at 5pm' };
  problemOf(await server.api('POST', parsePath(alice), { body }), 401);
  problemOf(await server.api('POST', parsePath(alice), { token: bob.token, body }), 403);
  problemOf(await server.api('POST', parsePath(bob), { token: alice.token, body }), 403);
  const byCookie = await server.api('POST', parsePath(alice), { cookie: alice.cookie, body,
    headers: { Origin: server.baseUrl } });
  assert.equal(byCookie.status, 200, byCookie.text);
  const mint = async (scopes) => {
    const res = await server.api('POST', `/api/${alice.user.id}/tokens`, { token: alice.token, body: { name: scopes.join(' '), scopes } });
    assert.equal(res.status, 201, res.text);
    return res.json.token;
  };
  const reader = await mint(['tasks:read']);
  const res = await server.api('POST', parsePath(alice), { token: reader, body });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.title, 'Call mom');
  const auditor = await mint(['audit:read']);
  const refused = problemOf(await server.api('POST', parsePath(alice), { token: auditor, body }), 403);
  assert.equal(refused.required_scope, 'tasks:read');
});
