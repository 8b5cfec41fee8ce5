// Signed webhooks (issue 11 item 4, src/webhooks): deliveries to a local receiver on 127.0.0.1,
// every signature verified with the `standardwebhooks` library; retries keep the webhook-id;
// 410 and a run of failures disable the endpoint (and notify); the SSRF guard refuses
// loopback outside the allow-list (at creation and at delivery), a name that resolves to
// 169.254.169.254, and a redirect is never followed; the delivery log; CRUD validation and
// isolation. Both backends (TODO_TEST_BACKEND). The retry schedule is scaled to milliseconds
// (TODO_WEBHOOK_RETRY_SCALE); every wait is for a condition, with a generous deadline.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';

import { metricValue, outboxBacklog, problemOf, startServer, waitUntil } from './harness.mjs';

// ---- the receiver: records every request; the path says how to answer ----
//   /ok/...        200
//   /flaky/...     500 on the first request of each webhook-id, then 200
//   /gone/...      410
//   /fail/...      500, always
//   /redirect/...  302 to the trap (another port, never allowed)
function receiver() {
  const hits = [];
  const seen = new Set();
  let trapUrl = '';
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      hits.push({ path: req.url, method: req.method, headers: req.headers, body });
      const id = req.headers['webhook-id'];
      if (req.url.startsWith('/flaky/') && !seen.has(id)) {
        seen.add(id);
        res.writeHead(500).end('try again');
      } else if (req.url.startsWith('/gone/')) {
        res.writeHead(410).end('gone');
      } else if (req.url.startsWith('/fail/')) {
        res.writeHead(500).end('down');
      } else if (req.url.startsWith('/redirect/')) {
        res.writeHead(302, { Location: trapUrl }).end();
      } else {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      }
    });
  });
  return {
    hits,
    server,
    setTrap(url) { trapUrl = url; },
    at(prefix) { return hits.filter((h) => h.path.startsWith(prefix)); },
    listen() {
      return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
    },
    close() { return new Promise((resolve) => server.close(resolve)); },
  };
}

let server;
let recv;
let trap;
let port;
let trapPort;

function env(allowPort) {
  return {
    TODO_WEBHOOK_ALLOW_HTTP: '1',
    TODO_WEBHOOK_ALLOW: allowPort ? `127.0.0.1:${allowPort}` : '',
    // hooks.test: a name only this list knows (so the pinned address is what the request
    // used); metadata.test: the cloud metadata address, refused like a DNS answer would be.
    TODO_WEBHOOK_RESOLVE: 'hooks.test:127.0.0.1,metadata.test:169.254.169.254',
    TODO_WEBHOOK_RETRY_SCALE: '0.001',
    TODO_WEBHOOK_MAX_FAILURES: '3',
    TODO_WEBHOOK_MAX_PER_USER: '5',
  };
}

before(async () => {
  recv = receiver();
  trap = receiver();
  port = await recv.listen();
  trapPort = await trap.listen();
  recv.setTrap(`http://127.0.0.1:${trapPort}/stolen`);
  server = await startServer({ env: env(port) });
});
after(async () => {
  await server?.cleanup();
  await recv?.close();
  await trap?.close();
});

const url = (path, host = '127.0.0.1') => `http://${host}:${port}${path}`;

async function addHook(u, path, eventTypes, host) {
  const res = await server.api('POST', `/api/${u.user.id}/webhooks`, {
    token: u.token, body: { url: url(path, host), event_types: eventTypes },
  });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

async function getHook(u, id) {
  const res = await server.api('GET', `/api/${u.user.id}/webhooks/${id}`, { token: u.token });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

async function deliveries(u, id, query = '') {
  const res = await server.api('GET', `/api/${u.user.id}/webhooks/${id}/deliveries${query}`, { token: u.token });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

async function task(u, method, path, body) {
  const res = await server.api(method, `/api/${u.user.id}/tasks${path}`, { token: u.token, body });
  assert.ok(res.status < 300, res.text);
  return res.json;
}

// Verifies a received request with the library; returns the parsed body.
function verified(hit, secret) {
  const wh = new Webhook(secret);
  const payload = wh.verify(hit.body, {
    'webhook-id': hit.headers['webhook-id'],
    'webhook-timestamp': hit.headers['webhook-timestamp'],
    'webhook-signature': hit.headers['webhook-signature'],
  });
  assert.equal(hit.method, 'POST');
  assert.match(hit.headers['content-type'], /^application\/json/);
  assert.match(hit.headers['webhook-id'], /^msg_[0-9a-f-]{36}$/);
  return payload;
}

test('every event type arrives once, signed, to the endpoints that asked for it', async () => {
  const u = await server.signUp();
  const all = ['task.created', 'task.updated', 'task.completed', 'task.deleted', 'reminder.fired'];
  // By name: hooks.test resolves only through the static list, so this also proves that the
  // request went to the address the guard checked.
  const everything = await addHook(u, `/ok/${u.user.id}/all`, all, 'hooks.test');
  const createdOnly = await addHook(u, `/ok/${u.user.id}/created`, ['task.created']);
  assert.match(everything.secret, /^whsec_[A-Za-z0-9+/]{32}$/);

  const t = await task(u, 'POST', '', { title: 'Ship it', remind_at: new Date(Date.now() + 3_600_000).toISOString() });
  await task(u, 'PATCH', `/${t.id}`, { title: 'Ship it now' });
  await task(u, 'PATCH', `/${t.id}/complete`, { completed: true });
  const t2 = await task(u, 'POST', '', { title: 'Doomed' });
  const del = await server.api('DELETE', `/api/${u.user.id}/tasks/${t2.id}`, { token: u.token });
  assert.equal(del.status, 204);
  // A third task's reminder fires (the first one's was cancelled by its completion).
  const t3 = await task(u, 'POST', '', { title: 'Remind me', remind_at: new Date(Date.now() + 1000).toISOString() });

  const mine = () => recv.at(`/ok/${u.user.id}/all`);
  await waitUntil(() => mine().some((h) => JSON.parse(h.body).type === 'reminder.fired'), 'the reminder webhook');
  await waitUntil(() => mine().length >= 7, '7 deliveries (3 created, updated, completed, deleted, reminder)');
  const bodies = mine().map((h) => verified(h, everything.secret));
  const types = bodies.map((b) => b.type).sort();
  assert.deepEqual(types, ['reminder.fired', 'task.completed', 'task.created', 'task.created',
    'task.created', 'task.deleted', 'task.updated']);
  // The body is the event as published, with its type.
  const created = bodies.find((b) => b.type === 'task.created' && b.task_id === t.id);
  assert.equal(created.event_type, 'created');
  assert.equal(created.user_id, u.user.id);
  assert.equal(created.task_data.title, 'Ship it');
  const reminder = bodies.find((b) => b.type === 'reminder.fired');
  assert.equal(reminder.task_id, t3.id);
  assert.equal(reminder.title, 'Remind me');
  // One webhook-id per delivery, never two deliveries of one event.
  assert.equal(new Set(mine().map((h) => h.headers['webhook-id'])).size, mine().length);
  assert.equal(new Set(bodies.map((b) => b.event_id)).size, bodies.length);
  // Signed with this endpoint's secret, not another's.
  const other = await addHook(u, `/ok/${u.user.id}/other`, ['task.deleted']);
  assert.throws(() => verified(mine()[0], other.secret));

  await waitUntil(() => recv.at(`/ok/${u.user.id}/created`).length >= 3, 'the created-only endpoint');
  const onlyCreated = recv.at(`/ok/${u.user.id}/created`).map((h) => verified(h, createdOnly.secret).type);
  assert.deepEqual(onlyCreated, ['task.created', 'task.created', 'task.created']);

  // The worker records answers in batches after the receiver saw them: wait for the log.
  let log;
  await waitUntil(async () => {
    log = await deliveries(u, everything.id);
    return log.items.length === 7 && log.items.every((d) => d.state !== 'pending');
  }, 'the delivery log records every answer');
  for (const d of log.items) {
    assert.equal(d.state, 'succeeded');
    assert.equal(d.attempt, 1);
    assert.equal(d.status_code, 200);
    assert.equal(d.next_attempt_at, null);
  }
});

test('events of a user without an endpoint cost the webhooks consumer nothing; one created counts from its answer on', async () => {
  const u = await server.signUp();
  const handled = async () => {
    const res = await server.api('GET', '/metrics');
    const m = /^todo_consumer_events_total\{consumer="webhooks",outcome="done"\} (\S+)$/m.exec(res.text);
    return Number(m?.[1] ?? 0);
  };
  await waitUntil(async () => (await outboxBacklog(server)) === 0, 'an idle relay');
  const before = await handled();
  await task(u, 'POST', '', { title: 'Nobody listens' });
  await waitUntil(async () => (await outboxBacklog(server)) === 0, 'the event relayed');
  assert.equal(await handled(), before, 'not handed to the webhooks consumer');
  await addHook(u, `/ok/${u.user.id}/late`, ['task.created']);
  await task(u, 'POST', '', { title: 'Now someone does' });
  await waitUntil(() => recv.at(`/ok/${u.user.id}/late`).length >= 1, 'the delivery to the new endpoint');
  assert.equal(recv.at(`/ok/${u.user.id}/late`).length, 1);
  assert.ok((await handled()) > before);
});

test('a receiver answering 500 then 200: retried with the same webhook-id and timestamp refreshed', async () => {
  const u = await server.signUp();
  const hook = await addHook(u, `/flaky/${u.user.id}`, ['task.created']);
  await task(u, 'POST', '', { title: 'Flaky' });
  const hits = () => recv.at(`/flaky/${u.user.id}`);
  await waitUntil(() => hits().length >= 2, 'the retry');
  const [first, second] = hits();
  assert.equal(first.headers['webhook-id'], second.headers['webhook-id']);
  assert.equal(first.body, second.body);
  verified(first, hook.secret);
  verified(second, hook.secret);
  await waitUntil(async () => (await deliveries(u, hook.id)).items[0]?.state === 'succeeded', 'the delivery to succeed');
  const [d] = (await deliveries(u, hook.id)).items;
  assert.equal(d.attempt, 2);
  assert.equal(d.status_code, 200);
  assert.equal(d.msg_id, first.headers['webhook-id']);
  assert.equal(hits().length, 2);  // and not again
  assert.equal((await getHook(u, hook.id)).consecutive_failures, 0);
});

test('410 Gone disables the endpoint: no further deliveries', async () => {
  const u = await server.signUp();
  const before = (await metricValue(server, 'todo_webhooks_disabled_total')) ?? 0;
  const hook = await addHook(u, `/gone/${u.user.id}`, ['task.created']);
  await task(u, 'POST', '', { title: 'Anyone there?' });
  await waitUntil(async () => (await getHook(u, hook.id)).enabled === false, 'the endpoint to be disabled');
  const h = await getHook(u, hook.id);
  assert.match(h.disabled_reason, /410/);
  const [d] = (await deliveries(u, hook.id)).items;
  assert.equal(d.state, 'failed');
  assert.equal(d.status_code, 410);
  assert.ok((await metricValue(server, 'todo_webhooks_disabled_total')) >= before + 1);
  // A disabled endpoint gets nothing new, and cannot be sent a test.
  await task(u, 'POST', '', { title: 'Still there?' });
  const probe = await addHook(u, `/ok/${u.user.id}/probe`, ['task.created']);
  await task(u, 'POST', '', { title: 'Marker' });
  await waitUntil(() => recv.at(`/ok/${u.user.id}/probe`).length >= 1, 'the marker on another endpoint');
  assert.equal(recv.at(`/gone/${u.user.id}`).length, 1);
  assert.equal((await deliveries(u, hook.id)).items.length, 1);
  problemOf(await server.api('POST', `/api/${u.user.id}/webhooks/${hook.id}/test`, { token: u.token }), 409);
  assert.ok(probe.id);
});

test('a run of failed attempts disables the endpoint and notifies its user; re-enabling starts afresh', async () => {
  const u = await server.signUp();
  const hook = await addHook(u, `/fail/${u.user.id}`, ['task.created']);
  await task(u, 'POST', '', { title: 'Into the void' });
  // TODO_WEBHOOK_MAX_FAILURES=3: the third failed attempt (retries after ~5 ms and ~300 ms) disables.
  await waitUntil(async () => (await getHook(u, hook.id)).enabled === false, 'the endpoint to be disabled');
  const h = await getHook(u, hook.id);
  assert.match(h.disabled_reason, /3 consecutive failed attempts/);
  assert.equal(h.consecutive_failures, 3);
  assert.equal(recv.at(`/fail/${u.user.id}`).length, 3);
  const [d] = (await deliveries(u, hook.id)).items;
  assert.equal(d.attempt, 3);
  assert.equal(d.status_code, 500);
  assert.equal(d.state, 'failed');  // no retry to a disabled endpoint
  assert.equal(d.next_attempt_at, null);
  const notes = await server.api('GET', `/api/${u.user.id}/notifications`, { token: u.token });
  assert.equal(notes.status, 200);
  const note = notes.json.items.find((n) => n.kind === 'webhook_disabled');
  assert.ok(note, notes.text);
  assert.match(note.title, new RegExp(`/fail/${u.user.id}`));
  assert.match(note.title, /3 consecutive failed attempts/);

  const res = await server.api('PATCH', `/api/${u.user.id}/webhooks/${hook.id}`, { token: u.token, body: { enabled: true } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.enabled, true);
  assert.equal(res.json.consecutive_failures, 0);
  assert.equal(res.json.disabled_reason, null);
});

test('SSRF: loopback outside the allow-list and a name resolving to 169.254.169.254 are refused at creation', async () => {
  const u = await server.signUp();
  const create = (target) => server.api('POST', `/api/${u.user.id}/webhooks`, {
    token: u.token, body: { url: target, event_types: ['task.created'] },
  });
  let p = problemOf(await create(`http://127.0.0.1:${trapPort}/x`), 422, 'url');
  assert.match(p.detail, /loopback/);
  p = problemOf(await create(`http://localhost:${trapPort}/x`), 422, 'url');
  assert.match(p.detail, /loopback/);
  p = problemOf(await create('http://metadata.test/latest/meta-data/'), 422, 'url');
  assert.match(p.detail, /169\.254\.169\.254/);
  p = problemOf(await create('http://169.254.169.254/latest/meta-data/'), 422, 'url');
  assert.match(p.detail, /link-local/);
  p = problemOf(await create('http://10.0.0.7/hook'), 422, 'url');
  assert.match(p.detail, /private/);
  p = problemOf(await create('http://[::1]/hook'), 422, 'url');
  problemOf(await create('ftp://example.com/hook'), 422, 'url');
  problemOf(await create('http://user:secret@example.com/hook'), 422, 'url');
  problemOf(await create(`http://example.com/${'a'.repeat(2100)}`), 422, 'url');
  // A change of URL goes through the same check.
  const ok = await addHook(u, `/ok/${u.user.id}`, ['task.created']);
  problemOf(await server.api('PATCH', `/api/${u.user.id}/webhooks/${ok.id}`, {
    token: u.token, body: { url: 'http://metadata.test/' },
  }), 422, 'url');
  assert.equal((await getHook(u, ok.id)).url, url(`/ok/${u.user.id}`));
  assert.equal(trap.hits.length, 0);
});

test('SSRF: a redirect (here to a port outside the allow-list) is never followed', async () => {
  const u = await server.signUp();
  const hook = await addHook(u, `/redirect/${u.user.id}`, ['task.created']);
  await task(u, 'POST', '', { title: 'Follow me' });
  await waitUntil(async () => (await deliveries(u, hook.id)).items[0]?.state === 'failed', 'the delivery to fail');
  const [d] = (await deliveries(u, hook.id)).items;
  assert.equal(d.status_code, 302);
  assert.match(d.error, /redirect not followed/);
  assert.equal(d.attempt, 1);  // a 3xx is final: no retry
  assert.equal(recv.at(`/redirect/${u.user.id}`).length, 1);
  assert.equal(trap.hits.length, 0);
});

test('the delivery log: newest first, cursor paging, test sends, bad parameters', async () => {
  const u = await server.signUp();
  const hook = await addHook(u, `/ok/${u.user.id}/log`, ['task.created', 'task.deleted']);
  const sent = [];
  for (let i = 0; i < 3; i++) {
    const res = await server.api('POST', `/api/${u.user.id}/webhooks/${hook.id}/test`, { token: u.token });
    assert.equal(res.status, 202, res.text);
    assert.match(res.json.msg_id, /^msg_/);
    sent.push(res.json);
  }
  await waitUntil(() => recv.at(`/ok/${u.user.id}/log`).length >= 3, 'three test deliveries');
  for (const h of recv.at(`/ok/${u.user.id}/log`)) {
    const body = verified(h, hook.secret);
    assert.equal(body.type, 'webhook.test');
    assert.equal(body.webhook_id, hook.id);
  }
  await waitUntil(async () => (await deliveries(u, hook.id)).items.every((d) => d.state === 'succeeded'), 'all recorded');
  const page1 = await deliveries(u, hook.id, '?limit=2');
  assert.equal(page1.items.length, 2);
  assert.ok(page1.next_cursor);
  const page2 = await deliveries(u, hook.id, `?limit=2&cursor=${page1.next_cursor}`);
  assert.equal(page2.items.length, 1);
  assert.equal(page2.next_cursor, null);
  const all = [...page1.items, ...page2.items];
  assert.deepEqual(all.map((d) => d.msg_id), sent.map((s) => s.msg_id).reverse());  // newest first
  for (const d of all) {
    assert.equal(d.event_type, 'webhook.test');
    assert.equal(typeof d.duration_ms, 'number');
    assert.ok(!('payload' in d));
  }
  problemOf(await server.api('GET', `/api/${u.user.id}/webhooks/${hook.id}/deliveries?limit=0`, { token: u.token }), 400, 'limit');
  problemOf(await server.api('GET', `/api/${u.user.id}/webhooks/${hook.id}/deliveries?cursor=x`, { token: u.token }), 400, 'cursor');
  problemOf(await server.api('GET', `/api/${u.user.id}/webhooks/${hook.id}/deliveries?limit=2&limit=3`, { token: u.token }), 400, 'limit');
  problemOf(await server.api('GET', `/api/${u.user.id}/webhooks/${hook.id}/deliveries?page=2`, { token: u.token }), 400, 'page');
});

test('CRUD: validation names the field, the secret is shown once, the limit per user, isolation', async () => {
  const u = await server.signUp();
  const v = await server.signUp();
  const base = `/api/${u.user.id}/webhooks`;
  const post = (body) => server.api('POST', base, { token: u.token, body });
  problemOf(await post({}), 422, 'url');
  problemOf(await post({ url: url('/ok/x') }), 422, 'event_types');
  problemOf(await post({ url: url('/ok/x'), event_types: [] }), 422, 'event_types');
  problemOf(await post({ url: url('/ok/x'), event_types: ['task.created', 'task.exploded'] }), 422, 'event_types[1]');
  problemOf(await post({ url: url('/ok/x'), event_types: ['*'] }), 422, 'event_types[0]');
  problemOf(await post({ url: url('/ok/x'), event_types: ['task.created', 'task.created'] }), 422, 'event_types[1]');
  problemOf(await post({ url: url('/ok/x'), event_types: ['task.created'], secret: 'mine' }), 422, 'secret');
  problemOf(await post({ url: 42, event_types: ['task.created'] }), 422, 'url');
  problemOf(await server.api('POST', base, { token: u.token, raw: '{"url":' }), 400, 'body');
  problemOf(await server.api('POST', base, { body: { url: url('/ok/x'), event_types: ['task.created'] } }), 401);

  const made = await addHook(u, `/ok/${u.user.id}/crud`, ['task.created']);
  assert.equal(made.enabled, true);
  assert.deepEqual(made.event_types, ['task.created']);
  const listed = await server.api('GET', base, { token: u.token });
  assert.equal(listed.status, 200);
  assert.equal(listed.json.items.length, 1);
  assert.ok(!('secret' in listed.json.items[0]));
  assert.ok(!listed.text.includes(made.secret));
  const one = await getHook(u, made.id);
  assert.ok(!('secret' in one));

  const patched = await server.api('PATCH', `${base}/${made.id}`, { token: u.token, body: { event_types: ['task.deleted', 'reminder.fired'], enabled: false } });
  assert.equal(patched.status, 200, patched.text);
  assert.deepEqual(patched.json.event_types, ['task.deleted', 'reminder.fired']);
  assert.equal(patched.json.enabled, false);
  assert.match(patched.json.disabled_reason, /its user/);
  problemOf(await server.api('PATCH', `${base}/${made.id}`, { token: u.token, body: {} }), 422, 'body');
  problemOf(await server.api('PATCH', `${base}/${made.id}`, { token: u.token, body: { enabled: 'yes' } }), 422, 'enabled');

  // Isolation: another user's endpoint is 404 through one's own path, 403 through theirs.
  problemOf(await server.api('GET', `/api/${v.user.id}/webhooks/${made.id}`, { token: v.token }), 404);
  problemOf(await server.api('PATCH', `/api/${v.user.id}/webhooks/${made.id}`, { token: v.token, body: { enabled: true } }), 404);
  problemOf(await server.api('DELETE', `/api/${v.user.id}/webhooks/${made.id}`, { token: v.token }), 404);
  problemOf(await server.api('POST', `/api/${v.user.id}/webhooks/${made.id}/test`, { token: v.token }), 404);
  problemOf(await server.api('GET', `/api/${v.user.id}/webhooks/${made.id}/deliveries`, { token: v.token }), 404);
  problemOf(await server.api('GET', base, { token: v.token }), 403);
  problemOf(await server.api('GET', `${base}/${made.id}`, { token: v.token }), 403);
  assert.equal((await server.api('GET', `/api/${v.user.id}/webhooks`, { token: v.token })).json.items.length, 0);
  assert.equal((await getHook(u, made.id)).enabled, false);  // v's PATCH changed nothing

  // At most TODO_WEBHOOK_MAX_PER_USER (5) endpoints.
  for (let i = 0; i < 4; i++) await addHook(u, `/ok/${u.user.id}/n${i}`, ['task.created']);
  problemOf(await post({ url: url('/ok/x'), event_types: ['task.created'] }), 409);

  const del = await server.api('DELETE', `${base}/${made.id}`, { token: u.token });
  assert.equal(del.status, 204);
  problemOf(await server.api('GET', `${base}/${made.id}`, { token: u.token }), 404);
  problemOf(await server.api('DELETE', `${base}/${made.id}`, { token: u.token }), 404);
  problemOf(await server.api('GET', `${base}/abc`, { token: u.token }), 404);
});

// Last: it restarts the server with another allow-list.
test('SSRF at delivery time: an address the allow-list no longer covers is refused, nothing is sent', async () => {
  const u = await server.signUp();
  const hook = await addHook(u, `/ok/${u.user.id}/later`, ['task.created']);
  server.extraEnv = env(0);  // nothing allowed any more (as if DNS now pointed inside)
  await server.restart();
  const res = await server.api('POST', `/api/${u.user.id}/webhooks/${hook.id}/test`, { token: u.token });
  assert.equal(res.status, 202, res.text);
  await waitUntil(async () => (await deliveries(u, hook.id)).items[0]?.state === 'failed', 'the refusal');
  const [d] = (await deliveries(u, hook.id)).items;
  assert.match(d.error, /loopback/);
  assert.equal(d.status_code, null);
  assert.equal(recv.at(`/ok/${u.user.id}/later`).length, 0);
  const m = await server.api('GET', '/metrics');
  assert.match(m.text, /^todo_webhook_deliveries_total\{outcome="refused"\} [1-9]/m);
});
