// The double's small HTTP client (lib/app_client.mjs) against raw TCP servers that answer
// exactly what each case needs: Content-Length, chunked, body until close, 1xx interim
// answers, Connection: close, keep-alive reuse, an idle connection closed by the server,
// timeouts, refused connections, bad header values.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';

import { AppClient } from './lib/app_client.mjs';
import { freePort, until } from './client.mjs';

const servers = [];
after(() => { for (const s of servers) s.close(); });

// A server whose handler gets (socket, request text) for each complete request head+body.
async function rawServer(handler) {
  const server = net.createServer((sock) => {
    server.connections = (server.connections || 0) + 1;
    let buf = '';
    sock.on('data', (c) => {
      buf += c.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(buf.slice(0, end))?.[1] || 0);
        if (buf.length < end + 4 + len) return;
        const req = buf.slice(0, end + 4 + len);
        buf = buf.slice(end + 4 + len);
        handler(sock, req);
      }
    });
    sock.on('error', () => {});
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { server, port: server.address().port };
}

// How long a request may take to be answered: a safety net for a busy machine (the
// timeout itself is tested with 200 ms below).
const ANSWER_MS = 30_000;

test('Content-Length answer; the request is one HTTP/1.1 message with its body; the connection is reused', async () => {
  const seen = [];
  const { server, port } = await rawServer((sock, req) => {
    seen.push(req);
    sock.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{"status":"SUCCESS"}');
  });
  const c = new AppClient({ port });
  for (let i = 0; i < 3; i++) {
    const r = await c.request('POST', '/dapr/t', '{"a":"é"}', { 'Content-Type': 'application/cloudevents+json', 'dapr-api-token': 'x' }, ANSWER_MS);
    assert.equal(r.status, 200);
    assert.equal(r.body, '{"status":"SUCCESS"}');
    assert.equal(r.headers['content-type'], 'application/json');
  }
  assert.equal(server.connections, 1, 'one kept-alive connection');
  assert.match(seen[0], /^POST \/dapr\/t HTTP\/1\.1\r\n/);
  assert.match(seen[0], /\r\nContent-Length: 10\r\n/);  // bytes, not characters
  assert.match(seen[0], /\r\ndapr-api-token: x\r\n/);
  assert.ok(Buffer.from(seen[0], 'latin1').toString('utf8').endsWith('\r\n\r\n{"a":"é"}'));
  c.destroy();
});

test('chunked answer (split across writes), 100 Continue first, 204 without body, GET without Content-Length', async () => {
  let n = 0;
  const seen = [];
  const { port } = await rawServer((sock, req) => {
    seen.push(req);
    n++;
    if (n === 1) {
      sock.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel');
      setTimeout(() => sock.write('lo\r\n6;ext=1\r\n world\r\n0\r\n\r\n'), 20);
    } else {
      sock.write('HTTP/1.1 204 No Content\r\n\r\n');
    }
  });
  const c = new AppClient({ port });
  const r1 = await c.request('POST', '/x', 'b', {}, ANSWER_MS);
  assert.deepEqual([r1.status, r1.body], [200, 'hello world']);
  const r2 = await c.request('GET', '/dapr/subscribe', null, {}, ANSWER_MS);
  assert.deepEqual([r2.status, r2.body], [204, '']);
  assert.doesNotMatch(seen[1], /content-length/i);
  c.destroy();
});

test('a body framed by the end of the connection, and Connection: close, are read whole; no reuse', async () => {
  let n = 0;
  const { server, port } = await rawServer((sock) => {
    n++;
    if (n === 1) sock.end('HTTP/1.1 200 OK\r\n\r\nuntil the end');
    else sock.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbusy');
  });
  const c = new AppClient({ port });
  const r1 = await c.request('POST', '/x', '1', {}, ANSWER_MS);
  assert.deepEqual([r1.status, r1.body], [200, 'until the end']);
  const r2 = await c.request('POST', '/x', '2', {}, ANSWER_MS);
  assert.deepEqual([r2.status, r2.body], [503, 'busy']);
  assert.equal(server.connections, 2);
  c.destroy();
});

test('an idle kept-alive connection closed by the app is dropped, the next request opens a new one', async () => {
  const { server, port } = await rawServer((sock) => {
    sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    setTimeout(() => sock.end(), 30);  // the app's keep-alive timeout
  });
  const c = new AppClient({ port });
  assert.equal((await c.request('POST', '/x', '1', {}, ANSWER_MS)).body, 'ok');
  await until(() => c.idle.length === 0, 'the closed connection to leave the idle list');
  assert.equal((await c.request('POST', '/x', '2', {}, ANSWER_MS)).body, 'ok');
  assert.equal(server.connections, 2);
  c.destroy();
});

test('a connection idle for idleTimeoutMs, or a second less than the app\'s Keep-Alive timeout, is closed, not reused', async (t) => {
  // The app closes an idle connection when its keep-alive timeout strikes; a request written
  // at that moment would be lost with it. The client's clock is the test's: no waiting.
  let keepAlive = '';
  const { server, port } = await rawServer((sock) => {
    sock.write(`HTTP/1.1 200 OK\r\n${keepAlive}Content-Length: 2\r\n\r\nok`);
  });
  let now = 0;
  const c = new AppClient({ port, idleTimeoutMs: 4000, now: () => now });
  t.after(() => c.destroy());  // also when an assertion fails: the server's close waits for it
  const ask = async () => assert.equal((await c.request('GET', '/x', null, {}, ANSWER_MS)).body, 'ok');
  await ask();
  now += 3999;
  await ask();
  assert.equal(server.connections, 1, 'reused within the limit');
  now += 4000;
  await ask();
  assert.equal(server.connections, 2, 'a new connection once idle for the limit');
  keepAlive = 'Keep-Alive: timeout=2, max=100\r\n';
  await ask();  // this answer announces the app's 2 s
  now += 999;
  await ask();
  assert.equal(server.connections, 2, 'reused within the app\'s timeout less a second');
  now += 1000;
  await ask();
  assert.equal(server.connections, 3, 'not reused a second before the app\'s timeout');
  assert.equal(c.opened, 3, 'the client counts the connections it opened');
  // A connection left at the bottom of the pool past its limit is closed when another one
  // comes back, not kept until the app closes it.
  keepAlive = '';
  now += 10_000;
  await Promise.all([ask(), ask()]);  // two connections in the pool
  const [oldest] = c.idle;
  now += 3000;
  await ask();  // takes the newest, puts it back
  now += 1500;
  await ask();
  assert.equal(c.idle.length, 1);
  assert.ok(oldest.destroyed, 'the stale connection was closed');
});

test('errors: refused, reset before an answer, no answer in time, not HTTP, bad header value', async () => {
  const refused = new AppClient({ port: await freePort() });
  await assert.rejects(refused.request('POST', '/x', '1', {}, ANSWER_MS), { code: 'ECONNREFUSED' });

  const { port: resetPort } = await rawServer((sock) => sock.destroy());
  await assert.rejects(new AppClient({ port: resetPort }).request('POST', '/x', '1', {}, ANSWER_MS), (err) => ['ECONNRESET', 'EPIPE'].includes(err.code));

  const { port: hangPort } = await rawServer(() => {});
  const t0 = Date.now();
  await assert.rejects(new AppClient({ port: hangPort }).request('POST', '/x', '1', {}, 200), { code: 'TIMEOUT' });
  assert.ok(Date.now() - t0 >= 190);

  const { port: junkPort } = await rawServer((sock) => sock.write('SSH-2.0-nope\r\n\r\n'));
  await assert.rejects(new AppClient({ port: junkPort }).request('POST', '/x', '1', {}, ANSWER_MS), { code: 'HPE_INVALID_RESPONSE' });

  await assert.rejects(refused.request('POST', '/x', '1', { traceparent: 'a\r\nX-Evil: 1' }, ANSWER_MS), { code: 'ERR_INVALID_CHAR' });
});
