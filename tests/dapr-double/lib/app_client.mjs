// A small keep-alive HTTP/1.1 client for the double's calls to its app (deliveries and
// GET /dapr/subscribe); bench/distributed.mjs uses it for its load too.
//
// Why not node:http: per call, http.request costs two to three times the CPU (a
// ClientRequest and an IncomingMessage with their streams and events, agent bookkeeping,
// head and body written with writev). Measured on the project's 2-core machine, the audit
// double alone delivering a backlog to a trivial app: node:http ~200 µs of the double's
// CPU per delivery and ~5 100-5 500 deliveries/s, this client ~70-95 µs and
// ~10 000-11 800/s. Under the distributed benchmark the doubles share two cores with everything else, so that CPU
// was taken from the roles and PostgreSQL.
//
// What it does: one write(2) per request (head and body in one buffer); answers framed
// by Content-Length, chunked transfer coding, or the end of the connection; 1xx interim
// answers skipped; keep-alive unless the app says `Connection: close`. Idle connections
// closed by the app are dropped from the pool, and one idle for `idleTimeoutMs` (4 s, or a
// second less than the app's `Keep-Alive: timeout=N`) is not used again: a server closes an
// idle connection when its own keep-alive timeout strikes (HAProxy's `timeout
// http-keep-alive`, Node's 5 s, ours), and a request written at that moment is lost with the
// connection (RFC 9112 §9.3.1: only an idempotent one may be retried). Closing first, as
// undici does (keepAliveTimeout 4 s, keepAliveTimeoutThreshold 1 s), leaves no such moment.
// Errors reject with a Node-style `code` (ECONNREFUSED, ECONNRESET, TIMEOUT,
// ERR_INVALID_CHAR, HPE_INVALID_RESPONSE), as the consumer classifies them: any of them is a
// failed delivery, retried.
import net from 'node:net';

const INVALID_HEADER = /[\r\n\0]/;
const MAX_HEAD = 64 * 1024;

const fail = (code, message) => Object.assign(new Error(message), { code });

export class AppClient {
  // idleTimeoutMs: how long a kept-alive connection may wait in the pool before it is closed
  // instead of reused (milliseconds); now: the clock, in milliseconds (tests pass their own).
  constructor({ host = '127.0.0.1', port, maxIdle = 64, idleTimeoutMs = 4000, now = () => performance.now() }) {
    this.host = host;
    this.port = port;
    this.maxIdle = maxIdle;
    this.idleTimeoutMs = idleTimeoutMs;
    this.now = now;
    this.idle = [];       // kept-alive sockets waiting for a request
    this.busy = new Set();
    this.destroyed = false;
    this.opened = 0;      // connections opened so far (with keep-alive, few)
  }

  // -> Promise<{status, headers (lower-case names), body (string)}>
  request(method, path, body, headers = {}, timeoutMs = 30_000) {
    return new Promise((resolve, reject) => {
      if (this.destroyed) { reject(fail('ERR_CLIENT_DESTROYED', 'client destroyed')); return; }
      let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n`;
      for (const [k, v] of Object.entries(headers)) {
        if (v === undefined) continue;
        if (k.toLowerCase() === 'content-length' || k.toLowerCase() === 'host') continue;  // set here
        if (INVALID_HEADER.test(k) || INVALID_HEADER.test(String(v))) {
          reject(fail('ERR_INVALID_CHAR', `invalid character in header ${JSON.stringify(k)}`));
          return;
        }
        head += `${k}: ${v}\r\n`;
      }
      const payload = body === null || body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(String(body), 'utf8');
      if (payload !== null || method === 'POST' || method === 'PUT') head += `Content-Length: ${payload ? payload.length : 0}\r\n`;
      head += '\r\n';
      const out = payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : Buffer.from(head, 'latin1');

      const sock = this.take();
      this.busy.add(sock);
      const parser = new ResponseParser(method === 'HEAD');
      let settled = false;
      const finish = (err, res) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.off('data', onData);
        sock.off('error', onError);
        sock.off('close', onClose);
        sock.off('end', onEnd);
        this.busy.delete(sock);
        if (err) {
          sock.destroy();
          reject(err);
          return;
        }
        if (res.keepAlive && !this.destroyed) this.release(sock, res.headers['keep-alive']); else sock.destroy();
        resolve({ status: res.status, headers: res.headers, body: res.body });
      };
      const onData = (chunk) => {
        let res;
        try { res = parser.push(chunk); } catch (err) { finish(err); return; }
        if (res) finish(null, res);
      };
      const onEnd = () => {
        // the app closed its side: a response framed by the connection's end is complete now
        let res;
        try { res = parser.end(); } catch (err) { finish(err); return; }
        if (res) finish(null, { ...res, keepAlive: false });
        else finish(fail('ECONNRESET', 'the app closed the connection before a complete answer'));
      };
      const onError = (err) => finish(err.code ? err : fail('ECONNRESET', err.message));
      const onClose = () => finish(fail('ECONNRESET', 'socket closed before an answer'));
      sock.on('data', onData);
      sock.on('end', onEnd);
      sock.on('error', onError);
      sock.on('close', onClose);
      const timer = setTimeout(() => finish(fail('TIMEOUT', `no answer within ${timeoutMs} ms`)), timeoutMs);
      sock.write(out);
    });
  }

  take() {
    while (this.idle.length) {
      const sock = this.idle.pop();
      sock.off('close', sock.dropIdle);
      sock.off('error', sock.dropIdle);
      sock.off('end', sock.dropIdle);
      if (!sock.destroyed && sock.readyState === 'open' && this.now() - sock.idleSince < sock.idleLimit) return sock;
      sock.destroy();
    }
    const sock = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.opened++;
    sock.dropIdle = () => {
      const i = this.idle.indexOf(sock);
      if (i >= 0) this.idle.splice(i, 1);
      sock.destroy();
    };
    return sock;
  }

  // keepAliveHeader: the answer's Keep-Alive header, if any (`timeout=5, max=100`).
  release(sock, keepAliveHeader) {
    // the pool's oldest connections go first once past their limit (they are at its bottom)
    while (this.idle.length && this.now() - this.idle[0].idleSince >= this.idle[0].idleLimit) {
      const stale = this.idle.shift();
      for (const ev of ['close', 'error', 'end']) stale.off(ev, stale.dropIdle);
      stale.destroy();
    }
    if (this.idle.length >= this.maxIdle) { sock.destroy(); return; }
    const announced = /(?:^|[,;\s])timeout\s*=\s*(\d+)/i.exec(keepAliveHeader ?? '');
    sock.idleSince = this.now();
    sock.idleLimit = announced ? Math.min(this.idleTimeoutMs, Number(announced[1]) * 1000 - 1000) : this.idleTimeoutMs;
    sock.on('close', sock.dropIdle);
    sock.on('error', sock.dropIdle);
    sock.on('end', sock.dropIdle);
    this.idle.push(sock);
  }

  destroy() {
    this.destroyed = true;
    for (const s of this.idle) s.destroy();
    this.idle = [];
    for (const s of this.busy) s.destroy();
  }
}

// Incremental HTTP/1.x response parser for one request: push() returns the response once
// complete ({status, headers, body, keepAlive}), else null.
class ResponseParser {
  constructor(noBody) {
    this.noBody = noBody;
    this.buf = Buffer.alloc(0);
    this.head = null;    // {status, headers, keepAlive, length, chunked, untilClose}
    this.pos = 0;        // parse position in buf (body part)
    this.parts = [];     // chunked body parts
  }

  push(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (!this.head) {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (this.buf.length > MAX_HEAD) throw fail('HPE_HEADER_OVERFLOW', 'response head too large');
          return null;
        }
        const head = parseHead(this.buf.toString('latin1', 0, end));
        this.buf = this.buf.subarray(end + 4);
        if (head.status >= 100 && head.status < 200) continue;  // interim answer (100 Continue)
        this.head = head;
        if (this.noBody || head.status === 204 || head.status === 304) return this.done('');
      }
      return this.body();
    }
  }

  body() {
    const h = this.head;
    if (h.chunked) {
      for (;;) {
        const eol = this.buf.indexOf('\r\n', this.pos);
        if (eol < 0) return null;
        const size = parseInt(this.buf.toString('latin1', this.pos, eol).split(';')[0].trim(), 16);
        if (!Number.isFinite(size) || size < 0) throw fail('HPE_INVALID_CHUNK_SIZE', 'bad chunk size');
        if (size === 0) {
          // the last chunk: trailers (usually none), then an empty line
          if (this.buf.indexOf('\r\n\r\n', eol) < 0) return null;
          return this.done(Buffer.concat(this.parts).toString('utf8'));
        }
        if (this.buf.length < eol + 2 + size + 2) return null;
        this.parts.push(this.buf.subarray(eol + 2, eol + 2 + size));
        this.pos = eol + 2 + size + 2;
      }
    }
    if (h.length !== null) {
      if (this.buf.length < h.length) return null;
      return this.done(this.buf.toString('utf8', 0, h.length));
    }
    return null;  // until the connection ends
  }

  end() {
    if (this.head && this.head.length === null && !this.head.chunked) {
      this.head.keepAlive = false;
      return this.done(this.buf.toString('utf8'));
    }
    return null;
  }

  done(body) {
    const { status, headers, keepAlive, length, chunked } = this.head;
    return { status, headers, body, keepAlive: keepAlive && (length !== null || chunked || body === '') };
  }
}

function parseHead(text) {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]);
  if (!m) throw fail('HPE_INVALID_RESPONSE', `not an HTTP/1.x answer: ${JSON.stringify(lines[0].slice(0, 80))}`);
  const headers = {};
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].indexOf(':');
    if (c <= 0) continue;
    const k = lines[i].slice(0, c).trim().toLowerCase();
    const v = lines[i].slice(c + 1).trim();
    headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
  }
  const conn = (headers.connection || '').toLowerCase();
  const keepAlive = m[1] === '1' ? !conn.includes('close') : conn.includes('keep-alive');
  const chunked = /(^|,)\s*chunked\s*$/i.test(headers['transfer-encoding'] || '');
  const length = !chunked && headers['content-length'] !== undefined ? Number(headers['content-length']) : null;
  if (length !== null && !(Number.isInteger(length) && length >= 0)) throw fail('HPE_INVALID_CONTENT_LENGTH', 'bad Content-Length');
  return { status: Number(m[2]), headers, keepAlive, length, chunked };
}
