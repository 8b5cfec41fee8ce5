// SIGTERM is a clean stop (issue 14, item 18; README "Ctrl-C stops cleanly"): the server
// stops accepting at once, finishes the requests in flight -- also one whose body is still
// arriving -- and commits the writes in hand before it exits 0 within its grace period.
//
// Load: 32 writers on keep-alive connections create tasks as fast as the server answers, so
// the (single SQLite, or group-committing PostgreSQL) writer has a queue; a slow client has
// sent the header of a create (the server's 100 Continue says it read it) and half its body.
// SIGTERM then. Checked:
// - every request fully sent before the signal gets a complete answer (201 and the task;
//   no reset, no 5xx) -- node's ClientRequest 'finish' says when a request was handed to
//   the kernel, so "sent before the signal" is known, not guessed;
// - new connections are refused while the process still runs (it waits for the slow body);
// - the slow client's body, sent after that, is answered 201 with Connection: close;
// - the process exits 0, without running out of its grace period;
// - after a restart every acknowledged create is there, nothing else but requests that were
//   unanswered, and each task has exactly one event in the audit trail.
// Then: a client that never finishes its body does not keep the process: it exits 0 once
// the grace period is over.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { after, test } from 'node:test';

import { expectAudit } from './audit_helpers.mjs';
import { startServer, TodoServer, waitUntil } from './harness.mjs';

const WRITERS = 32;
const USERS = 4;
// The signal comes once this many creates were acknowledged: mid-load, every writer busy.
const ACKED_BEFORE_STOP = 300;

const servers = [];
after(async () => { for (const s of servers) await s.cleanup(); });

// One POST on a keep-alive agent. Resolves {status, headers, text, flushedAt} or {error, flushedAt};
// flushedAt: Date.now() when the whole request was handed to the kernel (undefined if never).
function post(agent, port, path, token, body, onFlushed) {
  return new Promise((resolve) => {
    const payload = JSON.stringify(body);
    const out = { flushed: false };
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path, agent,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
    });
    req.on('finish', () => { out.flushed = true; onFlushed?.(out); });
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ ...out, status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('aborted', () => resolve({ ...out, error: 'response aborted' }));
      res.on('error', (err) => resolve({ ...out, error: err.code || err.message }));
    });
    req.on('error', (err) => resolve({ ...out, error: err.code || err.message }));
    req.end(payload);
  });
}

// Resolves true once a TCP connection to `port` is refused, false when one is accepted.
function connectRefused(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('connect', () => { s.destroy(); resolve(false); });
    s.on('error', (err) => resolve(err.code === 'ECONNREFUSED'));
  });
}

// A raw client for a create whose body arrives late: sends the header with
// Expect: 100-continue, waits for the 100 (the server has read the header: the request is
// in flight), then half the body. finish() sends the rest and resolves the parsed answer
// once the server closed the connection.
async function slowCreate(port, user, title) {
  const body = JSON.stringify({ title });
  const sock = net.connect({ host: '127.0.0.1', port });
  await once(sock, 'connect');
  let received = Buffer.alloc(0);
  sock.on('data', (c) => { received = Buffer.concat([received, c]); });
  const closed = new Promise((resolve) => { sock.on('close', resolve); sock.on('error', () => {}); });
  sock.write(`POST /api/${user.user.id}/tasks HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `Authorization: Bearer ${user.token}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`);
  await waitUntil(() => received.toString('latin1').includes('\r\n\r\n'), 'the 100 Continue', { timeoutMs: 30_000, pollMs: 10 });
  assert.match(received.toString('latin1'), /^HTTP\/1\.1 100 /, 'the server asks for the body');
  received = Buffer.alloc(0);
  const half = Math.floor(body.length / 2);
  await new Promise((resolve) => sock.write(body.slice(0, half), resolve));
  return {
    sock,
    async finish() {
      sock.write(body.slice(half));
      await closed;
      return parseResponse(received);
    },
    closed,
  };
}

function parseResponse(buf) {
  const text = buf.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, raw: text };
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const body = text.slice(end + 4);
  return { status: Number(statusLine.split(' ')[1]), headers, body, complete: Buffer.byteLength(body) === Number(headers['content-length']), raw: text };
}

test('SIGTERM under load: in-flight requests answered, new connections refused, acknowledged writes kept, exit 0', { timeout: 240_000 }, async (t) => {
  // Generous limits: on a busy machine the slow request must not time out before the load
  // has run, nor the stop run out of its grace period.
  const server = await startServer({ env: { TODO_SHUTDOWN_GRACE: '120', TODO_REQUEST_TIMEOUT: '600' } });
  servers.push(server);
  const port = server.port;
  const users = [];
  for (let i = 0; i < USERS; i++) users.push(await server.signUp({ name: `Stop ${i}` }));
  const slowUser = users[0];
  const slow = await slowCreate(port, slowUser, 'slow body');

  const agent = new http.Agent({ keepAlive: true, maxSockets: WRITERS });
  let signalledAt = 0;  // set right before the SIGTERM
  const acked = new Map();  // title -> task id
  const unanswered = new Set();  // titles with no complete answer
  const strictFailures = [];  // requests sent before the signal without a complete 201
  let inFlightAtSignal = 0;
  const outstanding = new Set();  // requests flushed and not answered yet

  async function writer(w) {
    const u = users[w % USERS];
    for (let n = 0; !signalledAt; n++) {
      const title = `w${w}-n${n}`;
      let flushedBeforeSignal = false;
      const res = await post(agent, port, `/api/${u.user.id}/tasks`, u.token, { title, tags: [`w${w}`] }, () => {
        flushedBeforeSignal = !signalledAt;
        outstanding.add(title);
      });
      outstanding.delete(title);
      const ok = res.status === 201 && (() => { try { return JSON.parse(res.text).title === title; } catch { return false; } })();
      if (ok) acked.set(title, JSON.parse(res.text).id);
      else unanswered.add(title);
      if (flushedBeforeSignal && !ok) strictFailures.push(`${title}: ${res.error || `${res.status} ${res.text?.slice(0, 200)}`}`);
    }
  }
  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
  await waitUntil(() => acked.size >= ACKED_BEFORE_STOP || strictFailures.length, `${ACKED_BEFORE_STOP} acknowledged creates`, { timeoutMs: 120_000 });
  inFlightAtSignal = outstanding.size;
  signalledAt = Date.now();
  server.child.kill('SIGTERM');

  // Stopping: no new connection is taken, while the process waits for the slow body.
  await waitUntil(() => connectRefused(port), 'new connections to be refused', { timeoutMs: 30_000, pollMs: 20 });
  assert.equal(server.exit, null, 'the process still runs (it has a request to finish)');
  await Promise.all(writers);
  agent.destroy();

  const slowAnswer = await slow.finish();
  assert.equal(slowAnswer.status, 201, `the slow request's answer: ${slowAnswer.raw}`);
  assert.ok(slowAnswer.complete, `a whole body: ${slowAnswer.raw}`);
  assert.equal(slowAnswer.headers.connection, 'close', 'it says the connection ends');
  const slowTask = JSON.parse(slowAnswer.body);

  const exit = await server.exited;
  assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, `exit 0; output:\n${server.output}`);
  assert.doesNotMatch(server.output, /grace period over/, 'everything finished within the grace period');
  assert.deepEqual(strictFailures, [], 'every request sent before the signal got a complete 201');
  assert.ok(inFlightAtSignal > 0, `requests were in flight at the signal (${inFlightAtSignal})`);
  t.diagnostic(`${acked.size} creates acknowledged (${inFlightAtSignal} in flight at the signal), ${unanswered.size} sent after it unanswered`);

  await server.start();  // same data dir / database
  const ackedIds = new Map([...acked].map(([title, id]) => [id, title]));
  ackedIds.set(slowTask.id, 'slow body');
  let found = 0;
  for (const u of users) {
    const tasks = await server.listAll(u);
    found += tasks.length;
    for (const task of tasks) {
      const expected = ackedIds.get(task.id);
      assert.ok(expected === task.title || (expected === undefined && unanswered.has(task.title)),
        `task ${task.id} "${task.title}" was neither acknowledged nor an unanswered request`);
    }
    const ids = new Set(tasks.map((x) => x.id));
    for (const [id, title] of ackedIds) {
      const owner = title === 'slow body' ? 0 : Number(/^w(\d+)-/.exec(title)[1]) % USERS;
      if (users[owner] === u) assert.ok(ids.has(id), `acknowledged task ${id} "${title}" is missing after the restart`);
    }
    // Every task committed has its one event (none lost at the stop, none doubled).
    const events = await expectAudit(server, u, tasks.length, { timeoutMs: 120_000 });
    assert.deepEqual(events.map((e) => e.task_id).sort((a, b) => a - b), tasks.map((x) => x.id).sort((a, b) => a - b));
  }
  assert.ok(found >= ackedIds.size);
  await server.cleanup();  // on PostgreSQL, no second relay beside the next test's server
});

// Many keep-alive connections, idle, then a create on each sent at once and SIGTERM right
// after the last was handed to the kernel: the server meets many of them while it begins to
// stop, not read yet. Each is a request in flight: answered, not reset. More I/O threads
// than cores make it likely that a thread woken by its requests has not run yet when the stop
// begins (the moment the stop must not take those connections for idle ones); a few rounds
// make it likelier still.
test('requests sent on idle keep-alive connections right before SIGTERM are all answered', { timeout: 180_000 }, async (t) => {
  const CONNECTIONS = 250;
  const ROUNDS = 5;
  const server = new TodoServer({ env: { TODO_SHUTDOWN_GRACE: '60', TODO_IO_THREADS: '16', TODO_MAX_CONNECTIONS_PER_ADDRESS: '1000' } });
  servers.push(server);
  await server.start();
  const u = await server.signUp({ name: 'Idle Then Busy' });
  for (let round = 0; round < ROUNDS; round++) {
    if (round) await server.start();
    const port = server.port;
    const conns = await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
      const sock = net.connect({ host: '127.0.0.1', port });
      await once(sock, 'connect');
      const c = { sock, buf: Buffer.alloc(0), closed: false };
      sock.on('data', (d) => { c.buf = Buffer.concat([c.buf, d]); });
      sock.on('close', () => { c.closed = true; });
      sock.on('error', (err) => { c.error = err.code || err.message; });
      // one exchange first, so that the connection is an idle keep-alive one
      sock.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      await waitUntil(() => parseResponse(c.buf).complete || c.closed, 'the warm-up answer', { timeoutMs: 60_000, pollMs: 10 });
      assert.equal(parseResponse(c.buf).status, 200);
      c.buf = Buffer.alloc(0);
      return c;
    }));
    await Promise.all(conns.map((c, i) => new Promise((resolve) => {
      const body = JSON.stringify({ title: `r${round}-idle-${i}` });
      c.sock.write(`POST /api/${u.user.id}/tasks HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${u.token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, resolve);
    })));
    server.child.kill('SIGTERM');
    await Promise.all(conns.map((c) => waitUntil(() => c.closed, 'the server to close each connection', { timeoutMs: 90_000, pollMs: 20 })));
    const exit = await server.exited;
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, `exit 0; output:\n${server.output}`);
    const bad = conns.map((c, i) => [i, { ...parseResponse(c.buf), error: c.error }])
      .filter(([, a]) => a.status !== 201 || !a.complete)
      .map(([i, a]) => `r${round}-idle-${i}: ${a.error || ''} ${a.status} ${a.raw.slice(0, 80)}`);
    assert.deepEqual(bad, [], `round ${round}: ${bad.length} of ${CONNECTIONS} requests sent before the signal got no complete 201`);
  }
  await server.start();
  const titles = new Set((await server.listAll(u)).map((x) => x.title));
  assert.equal(titles.size, CONNECTIONS * ROUNDS, 'every acknowledged create is there after the restart');
  t.diagnostic(`${ROUNDS} x ${CONNECTIONS} creates sent on idle connections right before the signal, all answered`);
  await server.cleanup();
});

test('a request that never finishes does not hold the stop: exit 0 once the grace period is over', { timeout: 120_000 }, async () => {
  const server = await startServer({ env: { TODO_SHUTDOWN_GRACE: '1' } });
  servers.push(server);
  const u = await server.signUp({ name: 'Stuck' });
  const stuck = await slowCreate(server.port, u, 'never finished');
  server.child.kill('SIGTERM');
  const exit = await server.exited;
  assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, `exit 0; output:\n${server.output}`);
  assert.match(server.output, /grace period over/, 'it says the grace period ended the wait');
  await stuck.closed;  // the connection is closed, not left open
  stuck.sock.destroy();
});
