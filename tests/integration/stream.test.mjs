// Live updates over Server-Sent Events (issue 11 item 1, src/stream): GET /api/{user_id}/stream
// with the npm `eventsource` client (the WHATWG EventSource, as browsers have it). A user's
// task events and notifications arrive in commit order with ids that only grow; a reconnect
// with Last-Event-ID gets exactly what it missed (a pruned id: `reset`); another user's stream
// is 403 and never leaks; heartbeats come on an idle stream; a reader that stops reading is
// dropped without stalling anyone. Both backends (TODO_TEST_BACKEND). Every wait is for a
// condition, with a deadline that is a safety net, never a speed bound.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';

import { waitOutboxDrained } from './audit_helpers.mjs';
import { openStream as open } from './sse_client.mjs';
import { BACKEND, metricValue, problemOf, startServer, waitUntil } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });
// Every EventSource a test opened is closed after it, whether it passed or not.
const openSources = new Set();
afterEach(() => {
  for (const es of openSources) es.close();
  openSources.clear();
});
function openStream(srv, u, options) {
  const s = open(srv, u, options);
  openSources.add(s.es);
  return s;
}

// Task events the stream consumer was handed (todo_consumer_events_total, outcome done).
async function streamEventsHandled(srv) {
  const res = await srv.api('GET', '/metrics');
  const m = /^todo_consumer_events_total\{consumer="stream",outcome="done"\} (\S+)$/m.exec(res.text);
  assert.ok(m, 'the stream consumer reports its events');
  return Number(m[1]);
}

async function api(srv, u, method, path, body, headers) {
  return srv.api(method, `/api/${u.user.id}${path}`, { token: u.token, body, headers });
}

async function create(srv, u, body) {
  const res = await api(srv, u, 'POST', '/tasks', body);
  assert.equal(res.status, 201, res.text);
  return res.json;
}

function assertConsecutive(events) {
  for (let i = 1; i < events.length; i++) {
    assert.equal(events[i].id, events[i - 1].id + 1, `ids ${events.map((e) => e.id).join(',')}`);
  }
}

test('a change arrives as a task event: the event as published, with an id', async () => {
  const u = await server.signUp();
  const s = openStream(server, u);
  await s.opened;
  const t = await create(server, u, { title: 'Pay rent', tags: ['home'] });
  await s.until(1);
  const [e] = s.events;
  assert.equal(e.kind, 'task');
  assert.ok(Number.isInteger(e.id) && e.id >= 1);
  assert.equal(e.data.event_type, 'created');
  assert.equal(e.data.user_id, u.user.id);
  assert.equal(e.data.task_id, t.id);
  assert.equal(e.data.task_version, t.version);
  assert.equal(e.data.task_data.title, 'Pay rent');
  assert.deepEqual(e.data.task_data.tags, ['home']);
  assert.equal(typeof e.data.event_id, 'string');
  s.close();
});

test('events arrive in commit order with consecutive ids, concurrent writers included', async () => {
  const u = await server.signUp();
  const s = openStream(server, u);
  await s.opened;
  const a = await create(server, u, { title: 'a' });
  const b = await create(server, u, { title: 'b' });
  assert.equal((await api(server, u, 'PATCH', `/tasks/${a.id}`, { title: 'a2' })).status, 200);
  assert.equal((await api(server, u, 'PATCH', `/tasks/${b.id}/complete`, { completed: true })).status, 200);
  assert.equal((await api(server, u, 'DELETE', `/tasks/${a.id}`)).status, 204);
  await s.until(5);
  assert.deepEqual(s.events.map((e) => `${e.data.event_type}:${e.data.task_id}`),
    [`created:${a.id}`, `created:${b.id}`, `updated:${a.id}`, `completed:${b.id}`, `deleted:${a.id}`]);
  assertConsecutive(s.events);
  // 20 updates of one task at once: the database orders them (each gets the next version);
  // the stream must show them in that order, none twice, none missing.
  const c = await create(server, u, { title: 'c' });
  await Promise.all(Array.from({ length: 20 }, (_, i) =>
    api(server, u, 'PATCH', `/tasks/${c.id}`, { description: `edit ${i}` })
      .then((r) => assert.equal(r.status, 200, r.text))));
  await s.until(26);
  const versions = s.events.slice(5).map((e) => e.data.task_version);
  assert.deepEqual(versions, Array.from({ length: 21 }, (_, i) => i + 1));
  assertConsecutive(s.events);
  s.close();
});

test('a reconnect with Last-Event-ID gets exactly the missed events; ?last_event_id= too', async () => {
  const u = await server.signUp();
  const s = openStream(server, u);
  await s.opened;
  for (const title of ['one', 'two', 'three']) await create(server, u, { title });
  await s.until(3);
  const seen = s.events.at(-1).id;
  s.close();
  for (const title of ['four', 'five', 'six', 'seven']) await create(server, u, { title });
  for (const how of ['header', 'query']) {
    const r = how === 'header'
      ? openStream(server, u, { headers: { 'Last-Event-ID': String(seen) } })
      : openStream(server, u, { query: `?last_event_id=${seen}` });
    await r.until(4);
    assert.deepEqual(r.events.map((e) => e.data.task_data.title), ['four', 'five', 'six', 'seven'], how);
    assert.deepEqual(r.events.map((e) => e.id), [seen + 1, seen + 2, seen + 3, seen + 4], how);
    r.close();
  }
  // Then live: a new event after the replay, nothing repeated.
  const live = openStream(server, u, { headers: { 'Last-Event-ID': String(seen + 2) } });
  await live.until(2);
  await create(server, u, { title: 'eight' });
  await live.until(3);
  assert.deepEqual(live.tasks().map((e) => e.data.task_data.title), ['six', 'seven', 'eight']);
  assertConsecutive(live.events);
  live.close();
});

test('without Last-Event-ID a stream starts live: nothing from before is replayed', async () => {
  const u = await server.signUp();
  const earlier = openStream(server, u);  // the user listens, so "before" is in the log
  await earlier.opened;
  await create(server, u, { title: 'before' });
  await earlier.until(1);
  earlier.close();
  const s = openStream(server, u);
  await s.opened;
  await create(server, u, { title: 'after' });
  await s.until(1);
  // The event "before" would have come first (commit order): only "after" did.
  assert.deepEqual(s.tasks().map((e) => e.data.task_data.title), ['after']);
  s.close();
});

test('task events of a user who never listened are not kept: a first stream replays nothing, later ones resume', async () => {
  const u = await server.signUp();
  const handledBefore = await streamEventsHandled(server);
  await create(server, u, { title: 'unheard' });
  await waitOutboxDrained(server);
  // On SQLite (one process serves every stream) the event is not even addressed to the stream
  // consumer; on PostgreSQL it is, and the consumer's check in its transaction skips it.
  if (BACKEND === 'sqlite') assert.equal(await streamEventsHandled(server), handledBefore);
  // Nothing was appended for a user without a stream: even Last-Event-ID 0 starts live.
  const s = openStream(server, u, { headers: { 'Last-Event-ID': '0' } });
  await s.opened;
  await create(server, u, { title: 'heard' });
  await s.until(1);
  assert.deepEqual(s.tasks().map((e) => e.data.task_data.title), ['heard']);
  const seen = s.events.at(-1).id;
  s.close();
  // Listening now: what happens while the stream is closed is kept for its reconnect.
  await create(server, u, { title: 'while away' });
  await waitOutboxDrained(server);
  const r = openStream(server, u, { headers: { 'Last-Event-ID': String(seen) } });
  await r.until(1);
  assert.deepEqual(r.tasks().map((e) => e.data.task_data.title), ['while away']);
  assert.equal(r.events[0].id, seen + 1);
  r.close();
});

test("isolation: another user's stream is 403, no credentials 401, and no event leaks", async () => {
  const a = await server.signUp();
  const b = await server.signUp();
  problemOf(await server.api('GET', `/api/${a.user.id}/stream`, { token: b.token }), 403);
  problemOf(await server.api('GET', `/api/${a.user.id}/stream`), 401);
  const sa = openStream(server, a);
  const sb = openStream(server, b, { cookie: true });  // the browser's way: the session cookie
  await Promise.all([sa.opened, sb.opened]);
  await create(server, b, { title: "b's secret" });
  await create(server, a, { title: "a's task" });
  await create(server, b, { title: "b's second" });
  await sa.until(1);
  await sb.until(2);
  // a's stream: b's events were committed before and around a's one; none came.
  await create(server, a, { title: "a's last" });
  await sa.until(2);
  assert.deepEqual(sa.events.map((e) => e.data.task_data.title), ["a's task", "a's last"]);
  assert.ok(sa.events.every((e) => e.data.user_id === a.user.id));
  assert.deepEqual(sb.events.map((e) => e.data.task_data.title), ["b's secret", "b's second"]);
  sa.close();
  sb.close();
});

test('bad Last-Event-ID or an unknown parameter is a 400 naming it', async () => {
  const u = await server.signUp();
  const get = (path, headers) => server.api('GET', `/api/${u.user.id}/stream${path}`, { token: u.token, headers });
  problemOf(await get('', { 'Last-Event-ID': 'abc' }), 400, 'Last-Event-ID');
  problemOf(await get('?last_event_id=-3'), 400, 'last_event_id');
  problemOf(await get('?since=4'), 400, 'since');
});

test('a reminder arrives as a notification event; reading it updates the unread count', async () => {
  const u = await server.signUp();
  const s = openStream(server, u);
  await s.opened;
  const t = await create(server, u, { title: 'Call the dentist', remind_at: new Date(Date.now() + 1000).toISOString() });
  await waitUntil(() => s.events.some((e) => e.kind === 'notification'), 'the notification event');
  const n = s.events.find((e) => e.kind === 'notification').data;
  assert.equal(n.kind, 'reminder');
  assert.equal(n.task_id, t.id);
  assert.equal(n.title, 'Call the dentist');
  assert.equal(n.read, false);
  // The same notification as the API lists it.
  const listed = await api(server, u, 'GET', '/notifications');
  assert.deepEqual(listed.json.items[0], n);
  assert.equal((await api(server, u, 'POST', `/notifications/${n.id}/read`)).status, 200);
  await waitUntil(() => s.events.some((e) => e.kind === 'notifications'), 'the unread count');
  assert.deepEqual(s.events.find((e) => e.kind === 'notifications').data, { unread_count: 0 });
  assertConsecutive(s.events);
  s.close();
});

test('a reader that stops reading is dropped and does not stall the others', async () => {
  const u = await server.signUp();
  const fast = openStream(server, u);
  await fast.opened;
  // A raw connection that sends its request and then never reads a byte.
  const openBefore = await metricValue(server, 'todo_stream_open');
  const slow = net.connect(server.port, '127.0.0.1');
  await new Promise((resolve) => slow.once('connect', resolve));
  slow.pause();
  slow.write(`GET /api/${u.user.id}/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${u.token}\r\n\r\n`);
  await waitUntil(async () => (await metricValue(server, 'todo_stream_open')) === openBefore + 1, 'the slow stream open');
  const dropped = async () => {
    const res = await server.api('GET', '/metrics');
    const m = /^todo_http_streams_closed_total\{reason="overflow"\} (\S+)$/m.exec(res.text);
    return m ? Number(m[1]) : 0;
  };
  const before = await dropped();
  // 10 kB events until the slow reader's queue (and the kernel's buffers) overflow; the
  // fast reader gets every one of them meanwhile.
  const t = await create(server, u, { title: 'big' });
  const description = 'x'.repeat(9_990);
  let sent = 1;
  while ((await dropped()) === before) {
    assert.ok(sent < 5000, 'the slow reader was never dropped');
    await Promise.all(Array.from({ length: 50 }, (_, i) =>
      api(server, u, 'PATCH', `/tasks/${t.id}`, { description: `${i}${description}` })
        .then((r) => assert.equal(r.status, 200, r.text))));
    sent += 50;
    await fast.until(sent, `the fast reader to get ${sent} events`);
  }
  await fast.until(sent);
  assert.equal(fast.events.length, sent);
  assertConsecutive(fast.events);
  await waitUntil(async () => (await metricValue(server, 'todo_stream_open')) === openBefore, 'the slow stream gone');
  slow.destroy();
  fast.close();
});

// Reads a raw stream to its end; returns what came.
async function readToEnd(res) {
  const reader = res.body.getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += Buffer.from(value).toString('utf8');
  }
}

test('signing out ends the open stream of that session, and it cannot come back', async () => {
  const u = await server.signUp();
  const res = await fetch(`${server.baseUrl}/api/${u.user.id}/stream`, { headers: { Authorization: `Bearer ${u.token}` } });
  assert.equal(res.status, 200);
  const ended = readToEnd(res);
  const out = await server.api('POST', '/api/auth/sign-out', { token: u.token });
  assert.equal(out.status, 204, out.text);
  // The stream ends by itself (the body completes); a deadline is only the safety net.
  const text = await waitUntil(() => Promise.race([ended, new Promise((r) => setTimeout(() => r(null), 200))]), 'the stream to end');
  assert.match(text, /^retry: /);
  problemOf(await server.api('GET', `/api/${u.user.id}/stream`, { token: u.token }), 401);
});

test('SIGTERM ends every stream cleanly and the server exits 0', async () => {
  const own = await startServer();
  try {
    const u = await own.signUp();
    const res = await fetch(`${own.baseUrl}/api/${u.user.id}/stream`, { headers: { Authorization: `Bearer ${u.token}` } });
    assert.equal(res.status, 200);
    const ended = readToEnd(res);  // rejects if the connection is cut without the last chunk
    const exit = await own.stop();
    assert.match(await ended, /^retry: /);
    assert.deepEqual(exit, { code: 0, signal: null });
  } finally {
    await own.cleanup();
  }
});

describe('with a short retention, heartbeat and cap', () => {
  let short;
  before(async () => {
    short = await startServer({
      env: { TODO_STREAM_RETENTION: '1s', TODO_STREAM_HEARTBEAT: '1s', TODO_STREAM_MAX_OPEN: '2' },
    });
  });
  after(async () => { await short?.cleanup(); });

  test('an idle stream gets heartbeat comments', async () => {
    const u = await short.signUp();
    const ctl = new AbortController();
    const res = await fetch(`${short.baseUrl}/api/${u.user.id}/stream`, {
      headers: { Authorization: `Bearer ${u.token}` }, signal: ctl.signal,
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const reader = res.body.getReader();
    let text = '';
    while (!text.includes(': keep-alive\n\n')) {
      const { value, done } = await reader.read();
      assert.ok(!done, `the stream ended: ${text}`);
      text += Buffer.from(value).toString('utf8');
    }
    ctl.abort();
  });

  test('a Last-Event-ID older than the retained events gets a reset, then live events', async () => {
    const u = await short.signUp();
    const first = openStream(short, u);  // listening: its task events are kept
    await first.opened;
    first.close();
    await create(short, u, { title: 'old' });
    const pruned = await metricValue(short, 'todo_stream_pruned_total');
    await waitUntil(async () => (await metricValue(short, 'todo_stream_pruned_total')) > pruned, 'the row pruned');
    const s = openStream(short, u, { headers: { 'Last-Event-ID': '0' } });
    await s.until(1);
    assert.equal(s.events[0].kind, 'reset');
    assert.equal(s.events[0].id, 1);  // where the client stands now
    await create(short, u, { title: 'new' });
    await s.until(2);
    assert.equal(s.events[1].id, 2);
    assert.equal(s.events[1].data.task_data.title, 'new');
    s.close();
  });

  test('past --stream-max-open a stream is refused with 503', async () => {
    const u = await short.signUp();
    const s1 = openStream(short, u);
    const s2 = openStream(short, u);
    await Promise.all([s1.opened, s2.opened]);
    const res = await short.api('GET', `/api/${u.user.id}/stream`, { token: u.token });
    problemOf(res, 503);
    s1.close();
    s2.close();
  });
});
