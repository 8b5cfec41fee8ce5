// Requests from a chosen client address: the socket is bound to `localAddress` (any of
// 127.0.0.0/8 reaches the server on 127.0.0.1), so per-address limits see distinct clients.
// node:http rather than fetch: fetch cannot bind the source address, nor set Host.
import { request } from 'node:http';

// requestFrom(server, {from, method, path, body, token, cookie, headers})
//   -> {status, headers (a Headers), json, text, setCookies}
export function requestFrom(server, { from = '127.0.0.1', method = 'GET', path, body, token, cookie, headers = {}, timeoutMs = 30_000 }) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (cookie) h.Cookie = cookie;
  let payload;
  if (body !== undefined) {
    payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
    h['Content-Length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: server.port, localAddress: from, method, path, headers: h, agent: false, timeout: timeoutMs,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const headersOut = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          for (const one of Array.isArray(v) ? v : [v]) headersOut.append(k, one);
        }
        let json;
        if (text && /json/i.test(res.headers['content-type'] || '')) {
          try { json = JSON.parse(text); } catch { json = undefined; }
        }
        const setCookies = [res.headers['set-cookie'] || []].flat();
        resolve({ status: res.statusCode, headers: headersOut, json, text, setCookies });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} from ${from}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Wrong passwords for `email` from `from` until a 429 says to wait at least `minRetryAfter`
// seconds, waiting as told (Retry-After) after each shorter 429: the sign-in limiter's
// delays grow with each failure. Returns {failures, retryAfters, refused, failed}: the count
// of 401s, every Retry-After seen in order, the last 429 and the last 401 response.
export async function failSignInsUntil(server, { from = '127.0.0.1', email, minRetryAfter = 1, deadlineMs = 180_000 }) {
  const retryAfters = [];
  let failures = 0;
  let failed;
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const res = await requestFrom(server, {
      from, method: 'POST', path: '/api/auth/sign-in/email', body: { email, password: `wrong guess ${failures} xq` },
    });
    if (res.status === 401) {
      failures++;
      failed = res;
      continue;
    }
    if (res.status !== 429) throw new Error(`sign-in from ${from}: expected 401 or 429, got ${res.status} ${res.text}`);
    const retryAfter = res.headers.get('retry-after');
    if (!/^\d+$/.test(retryAfter ?? '')) throw new Error(`429 without delta-seconds Retry-After: ${retryAfter}`);
    retryAfters.push(Number(retryAfter));
    if (Number(retryAfter) >= minRetryAfter) return { failures, retryAfters, refused: res, failed };
    await sleep(Number(retryAfter) * 1000);  // as the server said: the next try is admitted
  }
  throw new Error(`no 429 with Retry-After >= ${minRetryAfter} within ${deadlineMs} ms (${failures} failures, ${retryAfters})`);
}
