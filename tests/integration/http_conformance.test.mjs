// HTTP/1.1 conformance (RFC 9110, 9112) and connection limits, on raw sockets where fetch
// cannot say it: Expect: 100-continue, Host, framing (Content-Length / Transfer-Encoding),
// absolute-form targets, 414/431, 501 vs 405, HEAD, Date, Connection: close and HTTP/1.0,
// X-Content-Type-Options on every kind of answer, gzip of large JSON, header/body/idle
// timeouts, the global and per-address connection caps, X-Forwarded-For from trusted
// proxies only. No timing assertions: every wait has a deadline and fails at it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { BINARY, JWT_SECRET, startServer } from './harness.mjs';

const DEADLINE_MS = 20_000;

// ---- a raw connection and a small HTTP/1.1 response reader ----
class Raw {
  static connect(port, localAddress) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress });
      const raw = new Raw(socket);
      socket.once('connect', () => resolve(raw));
      socket.once('error', reject);
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.data = Buffer.alloc(0);
    this.closed = false;
    this.waiters = new Set();
    socket.on('data', (chunk) => { this.data = Buffer.concat([this.data, chunk]); this.wake(); });
    socket.on('close', () => { this.closed = true; this.wake(); });
    socket.on('error', () => { /* a reset shows as close */ });
  }

  wake() { for (const w of this.waiters) w(); }

  write(text) { this.socket.write(text); }

  // Resolves once predicate(this) holds; rejects at the deadline.
  until(predicate, what, ms = DEADLINE_MS) {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate(this)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${what} within ${ms} ms; received: ${JSON.stringify(this.data.toString('latin1').slice(0, 400))}`));
      }, ms);
      this.waiters.add(check);
    });
  }

  // The next complete response (head, and body by Content-Length unless `head` is true).
  async response({ head = false } = {}) {
    let parsed;
    await this.until((r) => (parsed = parseResponse(r.data, head)) !== null, 'complete response');
    this.data = this.data.subarray(parsed.size);
    return parsed;
  }

  close() { this.socket.destroy(); }
}

function parseResponse(buffer, headOnly) {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const [, version, status] = /^(HTTP\/1\.[01]) (\d{3})/.exec(lines[0]) || [];
  const headers = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const status_ = Number(status);
  const length = headOnly || status_ < 200 || status_ === 204 || status_ === 304 ? 0 : Number(headers['content-length'] || 0);
  if (buffer.length < end + 4 + length) return null;
  const body = buffer.subarray(end + 4, end + 4 + length);
  return { version, status: status_, headers, body, text: body.toString('utf8'), size: end + 4 + length };
}

async function exchange(port, request, options = {}) {
  const raw = await Raw.connect(port, options.localAddress);
  raw.write(request);
  const res = await raw.response(options);
  return { raw, res };
}

// The answer is an RFC 9457 problem with this status, and the connection then closes.
async function refusedAndClosed(port, request, status) {
  const { raw, res } = await exchange(port, request);
  assert.equal(res.status, status, res.text);
  assert.match(res.headers['content-type'], /^application\/problem\+json/);
  assert.equal(JSON.parse(res.text).status, status);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers.connection, 'close');
  await raw.until((r) => r.closed, 'close of the connection');
  return res;
}

// node:http does not decompress: the tests see what went over the wire.
function rawGet(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
  });
}

const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

describe('HTTP/1.1 request handling', () => {
  let server;
  let port;
  let user;
  before(async () => {
    server = await startServer();
    port = server.port;
    user = await server.signUp({ prefix: 'conf' });
    // Enough tasks for a list well over the compression threshold.
    for (let i = 0; i < 12; i++) {
      const res = await server.api('POST', `/api/${user.user.id}/tasks`, {
        token: user.token, body: { title: `Task ${i}`, description: 'A description long enough to matter. '.repeat(4) },
      });
      assert.equal(res.status, 201);
    }
  });
  after(async () => { await server?.cleanup(); });

  test('Expect: 100-continue gets 100 before the client sends the body, then the answer', async () => {
    const body = JSON.stringify({ email: `x_${Date.now()}@example.com`, password: 'correct horse battery staple', name: 'X' });
    const raw = await Raw.connect(port);
    raw.write(`POST /api/auth/sign-up/email HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`);
    // Nothing of the body was sent: only the 100 can come now.
    await raw.until((r) => r.data.includes('\r\n\r\n'), '100 Continue');
    assert.match(raw.data.toString('latin1'), /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    raw.data = Buffer.alloc(0);
    raw.write(body);
    const res = await raw.response();
    assert.equal(res.status, 201, res.text);
    raw.close();
  });

  test('Expect: 100-continue on a body over the limit -> 413 at once, no 100', async () => {
    const raw = await Raw.connect(port);
    raw.write(`POST /api/auth/sign-up/email HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${64 << 20}\r\nExpect: 100-continue\r\n\r\n`);
    const res = await raw.response();
    assert.equal(res.status, 413);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    await raw.until((r) => r.closed, 'close');
  });

  test('another expectation -> 417', async () => {
    await refusedAndClosed(port, 'POST /api/auth/sign-up/email HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 200-ok\r\n\r\n', 417);
  });

  test('Host missing, repeated or invalid in HTTP/1.1 -> 400 (RFC 9112 §3.2)', async () => {
    await refusedAndClosed(port, 'GET /healthz HTTP/1.1\r\n\r\n', 400);
    await refusedAndClosed(port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400);
    await refusedAndClosed(port, 'GET /healthz HTTP/1.1\r\nHost: user@host\r\n\r\n', 400);
    const { raw, res } = await exchange(port, 'GET /healthz HTTP/1.0\r\n\r\n');  // 1.0 needs none
    assert.equal(res.status, 200);
    raw.close();
  });

  test('a singleton field given twice -> 400 naming it, before anything runs (RFC 9110 §5.3)', async () => {
    for (const [name, a, b] of [
      ['Authorization', 'Bearer a', 'Bearer b'],
      ['Idempotency-Key', 'k1', 'k2'],
      ['Content-Type', 'application/json', 'text/plain'],
      ['Cookie', 'a=1', 'b=2'],
      ['Last-Event-ID', '1', '2'],
    ]) {
      const res = await refusedAndClosed(port, `GET /healthz HTTP/1.1\r\nHost: x\r\n${name}: ${a}\r\n${name}: ${b}\r\n\r\n`, 400);
      const problem = JSON.parse(res.text);
      assert.deepEqual(problem.errors.map((e) => e.field), [name], res.text);
    }
    // A list-based field may repeat.
    const { raw, res } = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nAccept-Encoding: br\r\n\r\n');
    assert.equal(res.status, 200, res.text);
    raw.close();
  });

  test('framing: Content-Length with Transfer-Encoding, conflicting lengths, chunked not last -> 400 and close (RFC 9112 §6.3)', async () => {
    const post = 'POST /api/auth/sign-in/email HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n';
    // The smuggled request after the body must never be answered: the connection closes.
    const smuggled = '0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
    const both = await refusedAndClosed(port, `${post}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n${smuggled}`, 400);
    assert.match(JSON.parse(both.text).detail, /Transfer-Encoding|Content-Length/);
    await refusedAndClosed(port, `${post}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello`, 400);
    await refusedAndClosed(port, `${post}Transfer-Encoding: gzip\r\n\r\n${smuggled}`, 400);
    await refusedAndClosed(port, `${post}Transfer-Encoding: chunked, gzip\r\n\r\n${smuggled}`, 400);
    // Transfer-Encoding in HTTP/1.0 is faulty framing (RFC 9112 §6.1).
    await refusedAndClosed(port, 'POST /api/auth/sign-in/email HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400);
    // A coding we do not implement before chunked: 501 (RFC 9112 §6.1).
    await refusedAndClosed(port, `${post}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`, 501);
  });

  test('a chunked request body is read', async () => {
    const body = JSON.stringify({ email: 'nobody@example.com', password: 'wrong password here' });
    const { raw, res } = await exchange(port, `POST /api/auth/sign-in/email HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
    assert.equal(res.status, 401, res.text);
    raw.close();
  });

  test('a chunked body that breaks the framing -> 400 and close (RFC 9112 §7.1)', async () => {
    const post = 'POST /api/auth/sign-in/email HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    for (const size of ['ZZ', 'FFFFFFFFFFFFFFFFFFFF', '-1', '2;\x01']) {
      const res = await refusedAndClosed(port, `${post}${size}\r\n{}\r\n0\r\n\r\n`, 400);
      assert.match(JSON.parse(res.text).detail, /malformed HTTP request body/, size);
    }
  });

  test('absolute-form request target is accepted (RFC 9112 §3.2.2)', async () => {
    const { raw, res } = await exchange(port, `GET http://other.example:9/api/${user.user.id}/tasks?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${user.token}\r\n\r\n`);
    assert.equal(res.status, 200, res.text);
    assert.equal(JSON.parse(res.text).items.length, 1);
    raw.close();
    // Only http(s) URIs name resources here: 400 (the framing is fine: the connection stays).
    const ftp = await exchange(port, 'GET ftp://x/healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(ftp.res.status, 400);
    assert.match(ftp.res.headers['content-type'], /^application\/problem\+json/);
    ftp.raw.close();
  });

  test('request target over 8 KiB -> 414; header section over 16 KiB -> 431', async () => {
    await refusedAndClosed(port, `GET /healthz?q=${'a'.repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414);
    await refusedAndClosed(port, `GET /healthz?q=${'a'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414);
    await refusedAndClosed(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`, 431);
  });

  test('unknown method -> 501; known but not allowed -> 405 with Allow', async () => {
    await refusedAndClosed(port, 'BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 501);
    await refusedAndClosed(port, 'get /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 501);  // methods are case-sensitive
    const { raw, res } = await exchange(port, 'DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'GET, HEAD');
    raw.close();
  });

  test('HEAD carries the GET headers without a body; the connection stays usable', async () => {
    const auth = `Authorization: Bearer ${user.token}\r\nAccept-Encoding: gzip\r\n`;
    const target = `/api/${user.user.id}/tasks?limit=50`;
    const raw = await Raw.connect(port);
    raw.write(`GET ${target} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`);
    const get = await raw.response();
    raw.write(`HEAD ${target} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`);
    const head = await raw.response({ head: true });
    raw.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const next = await raw.response();
    assert.equal(get.status, 200);
    assert.equal(head.status, 200);
    for (const h of ['content-type', 'content-length', 'content-encoding', 'vary', 'cache-control', 'x-content-type-options']) {
      assert.equal(head.headers[h], get.headers[h], h);
    }
    assert.ok(Number(head.headers['content-length']) > 0);
    // Had the HEAD answer carried a body, it would be read as the next status line.
    assert.equal(next.status, 200);
    assert.equal(next.text, '{"status":"ok"}');
    raw.close();
  });

  test('every response carries Date (IMF-fixdate, RFC 9110 §6.6.1)', async () => {
    for (const path of ['/healthz', '/nope', '/api/u_x/tasks']) {
      const res = await rawGet(port, path);
      assert.match(res.headers.date || '', IMF_FIXDATE, path);
    }
  });

  test('Connection: close is honoured both ways; HTTP/1.0 closes unless keep-alive', async () => {
    const close = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(close.res.status, 200);
    assert.equal(close.res.headers.connection, 'close');
    await close.raw.until((r) => r.closed, 'close after Connection: close');

    const old = await exchange(port, 'GET /healthz HTTP/1.0\r\n\r\n');
    assert.equal(old.res.status, 200);
    assert.notEqual((old.res.headers.connection || '').toLowerCase(), 'keep-alive');
    await old.raw.until((r) => r.closed, 'close after an HTTP/1.0 request');

    const kept = await exchange(port, 'GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    assert.equal(kept.res.headers.connection.toLowerCase(), 'keep-alive');
    kept.raw.write('GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    assert.equal((await kept.raw.response()).status, 200);
    assert.equal(kept.raw.closed, false);
    kept.raw.close();

    // HTTP/1.1 keeps the connection by default.
    const persistent = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    persistent.raw.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal((await persistent.raw.response()).status, 200);
    persistent.raw.close();
  });

  test('X-Content-Type-Options: nosniff on every kind of response', async () => {
    const cases = [
      ['GET', '/healthz', {}],                                                 // API JSON
      ['GET', `/api/${user.user.id}/tasks`, { authorization: `Bearer ${user.token}` }],
      ['GET', `/api/${user.user.id}/tasks`, {}],                                // 401 problem from a handler
      ['GET', '/api/nope', {}],                                                 // 404 before any handler
      ['DELETE', '/healthz', {}],                                               // 405
      ['GET', '/metrics', {}],                                                  // Prometheus text
      ['HEAD', '/healthz', {}],
      ['GET', '/', {}],                                                         // the web UI (or its "not built" page)
    ];
    for (const [method, path, headers] of cases) {
      const res = await new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (r) => { r.resume(); r.on('end', () => resolve(r)); });
        req.on('error', reject);
        req.end();
      });
      assert.equal(res.headers['x-content-type-options'], 'nosniff', `${method} ${path} -> ${res.statusCode}`);
    }
    // Written by the server before reading a body: a malformed header (414, 413, 417, 501
    // and the 503 rejects are checked for it in their own tests).
    await refusedAndClosed(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n', 400);
  });

  test('large JSON lists are gzip-compressed when accepted, and only then', async () => {
    const path = `/api/${user.user.id}/tasks?limit=50`;
    const auth = { authorization: `Bearer ${user.token}` };
    const zipped = await rawGet(port, path, { ...auth, 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(zipped.status, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.match(zipped.headers.vary || '', /Accept-Encoding/i);
    assert.equal(Number(zipped.headers['content-length']), zipped.body.length);
    const list = JSON.parse(gunzipSync(zipped.body).toString('utf8'));
    assert.equal(list.items.length, 12);

    const plain = await rawGet(port, path, auth);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(plain.headers.vary || '', /Accept-Encoding/i);
    assert.ok(plain.body.length > 1024, `the list is large: ${plain.body.length} bytes`);
    assert.ok(zipped.body.length < plain.body.length / 2);
    assert.deepEqual(JSON.parse(plain.body.toString('utf8')), list);

    const refused = await rawGet(port, path, { ...auth, 'accept-encoding': 'gzip;q=0, identity' });
    assert.equal(refused.headers['content-encoding'], undefined);

    const small = await rawGet(port, '/healthz', { 'accept-encoding': 'gzip' });
    assert.equal(small.headers['content-encoding'], undefined);
    assert.equal(small.body.toString('utf8'), '{"status":"ok"}');
  });
});

describe('timeouts close the connection', () => {
  let server;
  before(async () => {
    server = await startServer({ env: { TODO_HEADER_TIMEOUT: '1', TODO_REQUEST_TIMEOUT: '2', TODO_IDLE_TIMEOUT: '1' } });
  });
  after(async () => { await server?.cleanup(); });

  test('header timeout: a header that never ends', async () => {
    const raw = await Raw.connect(server.port);
    raw.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await raw.until((r) => r.closed, 'close after the header timeout');
  });

  test('body timeout: a body that never comes', async () => {
    const raw = await Raw.connect(server.port);
    raw.write('POST /api/auth/sign-in/email HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":');
    await raw.until((r) => r.closed, 'close after the request timeout');
    assert.equal(raw.data.length, 0, 'no answer to a request never received whole');
  });

  test('idle timeout: a keep-alive connection that sends nothing more', async () => {
    const { raw, res } = await exchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(res.status, 200);
    assert.notEqual(res.headers.connection, 'close');
    await raw.until((r) => r.closed, 'close after the idle timeout');
  });
});

describe('connection caps and the client address', () => {
  test('the global connection cap answers 503 problem+json with Retry-After', async () => {
    const cap = 4;
    const server = await startServer({ env: { TODO_MAX_CONNECTIONS: String(cap) } });
    const open = [];
    try {
      // The harness's readiness probe (fetch) may still hold one pooled connection.
      let rejected;
      for (let i = 0; i <= cap && !rejected; i++) {
        const { raw, res } = await exchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', { localAddress: '127.0.0.3' });
        if (res.status === 200) open.push(raw);
        else rejected = { raw, res };
      }
      assert.ok(rejected, `a connection past the cap of ${cap} was served`);
      assert.ok(open.length === cap || open.length === cap - 1, `${open.length} served under a cap of ${cap}`);
      assert.equal(rejected.res.status, 503);
      assert.match(rejected.res.headers['content-type'], /^application\/problem\+json/);
      assert.equal(rejected.res.headers['retry-after'], '1');
      assert.equal(rejected.res.headers['x-content-type-options'], 'nosniff');
      await rejected.raw.until((r) => r.closed, 'close of the rejected connection');
    } finally {
      for (const raw of open) raw.close();
      await server.cleanup();
    }
  });

  describe('per address', () => {
    let server;
    before(async () => {
      server = await startServer({
        env: { TODO_MAX_CONNECTIONS_PER_ADDRESS: '2', TODO_TRUSTED_PROXIES: '127.0.0.5, 127.0.0.6/32', TODO_LOG_LEVEL: 'debug' },
      });
    });
    after(async () => { await server?.cleanup(); });

    const healthz = (localAddress, extra = '') => exchange(server.port, `GET /healthz HTTP/1.1\r\nHost: x\r\n${extra}\r\n`, { localAddress });

    test('one address gets 503 past its cap while others are served; a closed connection frees its slot', async () => {
      const first = await healthz('127.0.0.2');
      const second = await healthz('127.0.0.2');
      assert.equal(first.res.status, 200);
      assert.equal(second.res.status, 200);
      const third = await healthz('127.0.0.2');
      assert.equal(third.res.status, 503);
      assert.match(JSON.parse(third.res.text).detail, /127\.0\.0\.2/);
      assert.equal(third.res.headers['retry-after'], '1');
      await third.raw.until((r) => r.closed, 'close of the rejected connection');
      const other = await healthz('127.0.0.4');
      assert.equal(other.res.status, 200, 'another address is not affected');

      first.raw.close();
      // The server learns of the close asynchronously: retry, with a deadline.
      const deadline = Date.now() + DEADLINE_MS;
      let again;
      while (Date.now() < deadline) {
        again = await healthz('127.0.0.2');
        if (again.res.status === 200) break;
        again.raw.close();
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(again.res.status, 200, 'the slot of a closed connection is given back');
      for (const c of [second, other, again]) c.raw.close();
    });

    test('trusted proxies are exempt from the per-address cap', async () => {
      const conns = [];
      for (let i = 0; i < 4; i++) {
        const c = await healthz('127.0.0.5');
        assert.equal(c.res.status, 200, `connection ${i + 1} through the proxy`);
        conns.push(c);
      }
      for (const c of conns) c.raw.close();
    });

    test('X-Forwarded-For names the client only when the peer is a trusted proxy', async () => {
      const id = `xff${Date.now()}`;
      const cases = [
        ['127.0.0.5', '203.0.113.7', `${id}a`, '203.0.113.7'],
        // The right-most address that is not a trusted proxy; the client's own claim on the left is ignored.
        ['127.0.0.6', '198.51.100.1, 203.0.113.8, 127.0.0.5', `${id}b`, '203.0.113.8'],
        ['127.0.0.4', '203.0.113.9', `${id}c`, '127.0.0.4'],   // not a proxy: the header is ignored
      ];
      for (const [from, xff, requestId, expected] of cases) {
        const c = await healthz(from, `X-Forwarded-For: ${xff}\r\nX-Request-Id: ${requestId}\r\n`);
        assert.equal(c.res.status, 200);
        c.raw.close();
        const line = new RegExp(`\\[${requestId}\\] (\\S+) GET /healthz`);
        const deadline = Date.now() + DEADLINE_MS;
        while (!line.test(server.output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.equal(line.exec(server.output)?.[1], expected, `${from} with X-Forwarded-For: ${xff}`);
      }
    });
  });

  test('--trusted-proxies with a bad entry stops the start with one clear line', () => {
    const run = spawnSync(BINARY, ['serve', '--listen', '127.0.0.1:0', '--data-dir', '/nonexistent-dir-never-created'], {
      env: { ...process.env, TODO_TRUSTED_PROXIES: '10.0.0.0/8, proxy.local', TODO_JWT_SECRET: JWT_SECRET }, encoding: 'utf8', timeout: 20_000,
    });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr + run.stdout, /trusted-proxies.*'proxy\.local' is not an IP address or CIDR block/);
  });

  test('--help lists the new options with their environment variables', () => {
    const run = spawnSync(BINARY, ['serve', '--help'], { encoding: 'utf8', timeout: 20_000 });
    assert.match(run.stdout, /--trusted-proxies.*TODO_TRUSTED_PROXIES/s);
    assert.match(run.stdout, /--max-connections-per-address.*TODO_MAX_CONNECTIONS_PER_ADDRESS/s);
  });
});
