// Auth: sign-up, sign-in, session, sign-out, the session cookie, the token table
// (401/403) and the sign-in rate limit.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import {
  JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, PASSWORD, RFC3339_UTC, b64url, decodeJwt, nowSeconds, problemOf, signJwt, startServer,
  tokenClaims, uniqueEmail,
} from './harness.mjs';
import { failSignInsUntil } from './from_address.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });

export function parseSetCookie(line) {
  const [pair, ...attrs] = line.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  const out = { name: pair.slice(0, eq), value: pair.slice(eq + 1), attrs: {} };
  for (const a of attrs) {
    if (!a) continue;
    const i = a.indexOf('=');
    if (i < 0) out.attrs[a.toLowerCase()] = true;
    else out.attrs[a.slice(0, i).toLowerCase()] = a.slice(i + 1);
  }
  return out;
}

function sessionCookie(res) {
  const cookies = res.setCookies.map(parseSetCookie).filter((c) => c.name === 'todo_session');
  assert.equal(cookies.length, 1, `expected one todo_session Set-Cookie, got ${JSON.stringify(res.setCookies)}`);
  return cookies[0];
}

async function assertSessionCookie(res) {
  const c = sessionCookie(res);
  assert.ok(c.value.length > 0, 'cookie has a value');
  // the cookie alone authenticates
  const s = await server.api('GET', '/api/auth/session', { cookie: `todo_session=${c.value}` });
  assert.equal(s.status, 200, `session via the Set-Cookie value: ${s.text}`);
  assert.deepEqual(s.json, { user: res.json.user });
  assert.equal(c.attrs.httponly, true, `HttpOnly missing: ${JSON.stringify(res.setCookies)}`);
  assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax', 'SameSite=Lax');
  assert.equal(c.attrs.path, '/', 'Path=/');
}

function assertUser(user, { email, name }) {
  assert.deepEqual(Object.keys(user).sort(), ['created_at', 'email', 'id', 'name']);
  assert.equal(typeof user.id, 'string');
  assert.ok(user.id.length > 0);
  assert.equal(user.email, email);
  assert.equal(user.name, name);
  assert.match(user.created_at, RFC3339_UTC);
  assert.ok(Math.abs(Date.parse(user.created_at) - Date.now()) < 10 * 60_000, 'created_at is about now');
}

function assertToken(token, userId) {
  const { header, payload, signature, signingInput } = decodeJwt(token);
  assert.equal(header.alg, 'HS256');
  assert.equal(payload.sub, userId);
  assert.equal(typeof payload.iat, 'number');
  assert.equal(typeof payload.exp, 'number');
  assert.ok(payload.exp > payload.iat, 'exp after iat');
  assert.ok(Math.abs(payload.iat - nowSeconds()) < 600, 'iat is now, in seconds');
  assert.ok(payload.exp > nowSeconds(), 'exp in the future, in seconds');
  assert.equal(payload.iss, JWT_ISSUER);
  assert.equal(payload.aud, JWT_AUDIENCE);
  assert.match(payload.jti, /^[0-9a-f]{32}$/, 'jti: 128 random bits');
  const expected = createHmac('sha256', JWT_SECRET).update(signingInput).digest('base64url');
  assert.equal(signature, expected, 'signed with TODO_JWT_SECRET');
}

describe('sign-up', () => {
  test('201 with token, user and session cookie; email lower-cased', async () => {
    const lower = uniqueEmail('mixed');
    const email = lower.replace('mixed_', 'MiXeD_').replace('@example.com', '@Example.COM');
    const res = await server.api('POST', '/api/auth/sign-up/email', { body: { email, password: PASSWORD, name: 'Ada Lovelace' } });
    assert.equal(res.status, 201, res.text);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(Object.keys(res.json).sort(), ['token', 'user']);
    assertUser(res.json.user, { email: lower, name: 'Ada Lovelace' });
    assertToken(res.json.token, res.json.user.id);
    await assertSessionCookie(res);
  });

  test('two users get different ids', async () => {
    const a = await server.signUp();
    const b = await server.signUp();
    assert.notEqual(a.user.id, b.user.id);
  });

  test('taken email (any case) -> 409 naming email', async () => {
    const u = await server.signUp();
    const res = await server.api('POST', '/api/auth/sign-up/email', { body: { email: u.email.toUpperCase(), password: PASSWORD, name: 'Other' } });
    problemOf(res, 409, 'email');
    // the original account still signs in with its password
    const ok = await server.api('POST', '/api/auth/sign-in/email', { body: { email: u.email, password: PASSWORD } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.user.id, u.user.id);
    assert.equal(ok.json.user.name, 'Test User');
  });

  test('invalid email -> 422 email', async () => {
    for (const email of ['not-an-email', '', 'a@', '@example.com']) {
      const res = await server.api('POST', '/api/auth/sign-up/email', { body: { email, password: PASSWORD, name: 'X' } });
      problemOf(res, 422, 'email');
    }
  });

  test('password shorter than 8 -> 422 password; 8 is fine', async () => {
    const res = await server.api('POST', '/api/auth/sign-up/email', { body: { email: uniqueEmail(), password: 'Kx8-tq3', name: 'X' } });
    problemOf(res, 422, 'password');
    const ok = await server.api('POST', '/api/auth/sign-up/email', { body: { email: uniqueEmail(), password: 'Kx8-tq3w', name: 'X' } });
    assert.equal(ok.status, 201, ok.text);
  });

  test('a common password (cracklib\'s dictionary, NIST SP 800-63B) -> 422 naming password, saying why; nothing created', async () => {
    for (const password of ['password1', 'qwerty123', 'iloveyou', 'Password123', 'letmein1', 'abc12345']) {
      const email = uniqueEmail();
      const res = await server.api('POST', '/api/auth/sign-up/email', { body: { email, password, name: 'X' } });
      const body = problemOf(res, 422, 'password');
      const message = body.errors.find((e) => e.field === 'password').message;
      assert.match(message, /common password|too simple|consecutive characters/, `${password}: ${message}`);
      // the e-mail is still free
      const later = await server.api('POST', '/api/auth/sign-up/email', { body: { email, password: PASSWORD, name: 'X' } });
      assert.equal(later.status, 201, later.text);
    }
  });

  test('missing or empty name -> 422 name; nothing created', async () => {
    const email = uniqueEmail();
    problemOf(await server.api('POST', '/api/auth/sign-up/email', { body: { email, password: PASSWORD } }), 422, 'name');
    problemOf(await server.api('POST', '/api/auth/sign-up/email', { body: { email, password: PASSWORD, name: '' } }), 422, 'name');
    // the e-mail was not taken by the failed attempts
    const res = await server.api('POST', '/api/auth/sign-up/email', { body: { email, password: PASSWORD, name: 'Later' } });
    assert.equal(res.status, 201, res.text);
  });
});

describe('sign-in', () => {
  test('200 with token, same user and session cookie', async () => {
    const u = await server.signUp({ name: 'Grace' });
    const res = await server.api('POST', '/api/auth/sign-in/email', { body: { email: u.email, password: PASSWORD } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.json).sort(), ['token', 'user']);
    assert.deepEqual(res.json.user, u.user);
    assertToken(res.json.token, u.user.id);
    await assertSessionCookie(res);
    // the new token works
    const s = await server.api('GET', '/api/auth/session', { token: res.json.token });
    assert.equal(s.status, 200);
    assert.deepEqual(s.json, { user: u.user });
  });

  test('wrong password or unknown email -> 401 problem', async () => {
    const u = await server.signUp();
    const wrong = await server.api('POST', '/api/auth/sign-in/email', { body: { email: u.email, password: 'wrong password!' } });
    problemOf(wrong, 401);
    assert.equal(wrong.setCookies.filter((c) => c.startsWith('todo_session=') && !c.startsWith('todo_session=;')).length, 0, 'no session cookie on failure');
    const unknown = await server.api('POST', '/api/auth/sign-in/email', { body: { email: uniqueEmail('nobody'), password: PASSWORD } });
    problemOf(unknown, 401);
  });

  // The whole policy (other addresses, growing delays, per-address and account ceilings) is
  // tests/integration/brute_force.test.mjs; this is the basic promise from one address.
  test('after 4 free failures an address waits (429, Retry-After) before its next try on that account, even with the right password', async () => {
    const u = await server.signUp();
    const other = await server.signUp();
    const { failures, retryAfters } = await failSignInsUntil(server, { email: u.email, minRetryAfter: 4 });
    assert.ok(failures >= 5, `${failures} failures before the first 429`);
    assert.ok(retryAfters.every((r) => r > 0 && r <= 15 * 60), `Retry-After within (0, 15 min]: ${retryAfters}`);
    const limited = await server.api('POST', '/api/auth/sign-in/email', { body: { email: u.email, password: PASSWORD } });
    problemOf(limited, 429);
    assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/, 'Retry-After is delta-seconds');
    // the delay is per account (and address): another account signs in fine
    const ok = await server.api('POST', '/api/auth/sign-in/email', { body: { email: other.email, password: PASSWORD } });
    assert.equal(ok.status, 200, ok.text);
    // existing tokens of the limited user keep working
    const s = await server.api('GET', '/api/auth/session', { token: u.token });
    assert.equal(s.status, 200);
    assert.deepEqual(s.json, { user: u.user }, 'the limited user\'s token still names the user');
  });

  test('4 failures then the right password -> 200', async () => {
    const u = await server.signUp();
    for (let i = 0; i < 4; i++) {
      problemOf(await server.api('POST', '/api/auth/sign-in/email', { body: { email: u.email, password: 'nope-nope-nope' } }), 401);
    }
    const ok = await server.api('POST', '/api/auth/sign-in/email', { body: { email: u.email, password: PASSWORD } });
    assert.equal(ok.status, 200, ok.text);
  });
});

describe('session and sign-out', () => {
  test('GET session with bearer and with cookie names the user', async () => {
    const u = await server.signUp({ name: 'Linus' });
    const bearer = await server.api('GET', '/api/auth/session', { token: u.token });
    assert.equal(bearer.status, 200, bearer.text);
    assert.match(bearer.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(bearer.json, { user: u.user });
    const cookie = await server.api('GET', '/api/auth/session', { cookie: u.cookie });
    assert.equal(cookie.status, 200, cookie.text);
    assert.deepEqual(cookie.json, { user: u.user });
  });

  // "Nobody is signed in" is a normal answer (200, like Better Auth), not a 401 that
  // browsers log as a failed resource on every anonymous visit. The same credentials
  // are still refused (401) by every other route.
  const noSession = {
    'no credential': () => ({}),
    'garbage bearer': () => ({ token: 'garbage' }),
    'Basic scheme': () => ({ headers: { Authorization: `Basic ${b64url('user:pass')}` } }),
    'garbage cookie': () => ({ cookie: 'todo_session=garbage' }),
    'expired token': (u) => ({ token: signJwt({ sub: u.user.id, iat: nowSeconds() - 7200, exp: nowSeconds() - 60 }) }),
    'signed with another key': (u) => ({ cookie: `todo_session=${signJwt({ sub: u.user.id, iat: nowSeconds(), exp: nowSeconds() + 3600 }, { secret: 'another-secret-another-secret-123' })}` }),
  };
  for (const [name, make] of Object.entries(noSession)) {
    test(`GET session, ${name} -> 200 {user: null, session: null}; other routes 401`, async () => {
      const u = await server.signUp();
      const opts = make(u);
      const res = await server.api('GET', '/api/auth/session', opts);
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get('content-type'), /^application\/json/);
      assert.deepEqual(res.json, { user: null, session: null });
      problemOf(await server.api('GET', `/api/${u.user.id}/tasks`, opts), 401);
    });
  }

  test('GET session with a valid token of an account that does not exist -> 200 {user: null, session: null}', async () => {
    const token = signJwt({ sub: 'u_no_such_account', iat: nowSeconds(), exp: nowSeconds() + 3600 });
    const res = await server.api('GET', '/api/auth/session', { token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { user: null, session: null });
  });

  test('sign-out -> 204 and clears the cookie', async () => {
    const u = await server.signUp();
    const res = await server.api('POST', '/api/auth/sign-out', { token: u.token, cookie: u.cookie });
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    const c = sessionCookie(res);
    const expires = c.attrs.expires ? Date.parse(c.attrs.expires) : NaN;
    const cleared = c.value === '' || c.value === '""';
    const expired = c.attrs['max-age'] === '0' || (Number.isFinite(expires) && expires < Date.now());
    assert.ok(cleared && expired, `cookie not cleared: ${JSON.stringify(res.setCookies)}`);
    assert.equal(c.attrs.path, '/', 'cleared cookie has Path=/ so that it replaces the session cookie');
  });
});

describe('token table on /api/{user_id}/tasks', () => {
  let a;
  let b;
  before(async () => {
    a = await server.signUp();
    b = await server.signUp();
  });
  const path = () => `/api/${a.user.id}/tasks`;
  const good = () => signJwt(tokenClaims(a.user.id));
  const claims = (over) => tokenClaims(a.user.id, over);
  const forge = (over, opts) => ({ token: signJwt(claims(over), opts) });
  const segment = (json) => b64url(json);
  // A token whose header and claims are given as JSON text, signed with the right key.
  const rawToken = (headerJson, claimsJson) => {
    const input = `${segment(headerJson)}.${segment(claimsJson)}`;
    return { token: `${input}.${createHmac('sha256', JWT_SECRET).update(input).digest('base64url')}` };
  };

  test('control: the issued token, the cookie and forged tokens with every claim right all work', async () => {
    const now = nowSeconds();
    for (const opts of [{ token: a.token }, { cookie: a.cookie }, { token: good() },
      forge({ aud: ['another-service', JWT_AUDIENCE] }), forge({ nbf: now - 60 }), forge({ exp: now - 10 }),
      forge({}, { header: { alg: 'HS256', typ: 'jwt' } }), forge({}, { header: { alg: 'HS256' } })]) {
      const res = await server.api('GET', path(), opts);
      assert.equal(res.status, 200, `${JSON.stringify(opts)}: ${res.text}`);
      assert.deepEqual(res.json, { items: [], next_cursor: null });
    }
  });

  // name -> [request options, what the 401's detail says]
  const cases = {
    'no token': () => [{}, /sign in/],
    'garbage bearer': () => [{ token: 'garbage' }, /malformed/],
    'three garbage parts': () => [{ token: 'a.b.c' }, /malformed/],
    'Basic scheme': () => [{ headers: { Authorization: `Basic ${b64url('user:pass')}` } }, /Bearer/],
    'expired (exp in the past, beyond the leeway)': () => [forge({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }), /expired/],
    'nbf in the future': () => [forge({ nbf: nowSeconds() + 3600 }), /not valid yet/],
    'iat in the future': () => [forge({ iat: nowSeconds() + 3600 }), /future/],
    'exp as a string': () => [forge({ exp: String(nowSeconds() + 3600) }), /not a number/],
    'no exp': () => [forge({ exp: undefined }), /expiry/],
    'no iat': () => [forge({ iat: undefined }), /issue time/],
    'wrong audience': () => [forge({ aud: 'another-service' }), /aud/],
    'audience list without us': () => [forge({ aud: ['x', 'y'] }), /aud/],
    'no audience': () => [forge({ aud: undefined }), /aud/],
    'wrong issuer': () => [forge({ iss: 'https://evil.example' }), /issuer/],
    'no issuer': () => [forge({ iss: undefined }), /issuer/],
    'no jti': () => [forge({ jti: undefined }), /jti/],
    'empty subject': () => [forge({ sub: '' }), /subject/],
    'signed with another key': () => [forge({}, { secret: 'another-secret-another-secret-123' }), /signature/],
    'typ JOSE+JSON': () => [forge({}, { header: { alg: 'HS256', typ: 'JOSE+JSON' } }), /typ/],
    'crit extension': () => [forge({}, { header: { alg: 'HS256', crit: ['exp2'], exp2: 1 } }), /crit/],
    'b64 false': () => [forge({}, { header: { alg: 'HS256', b64: false } }), /b64/],
    'duplicate alg in the header': () => [rawToken('{"alg":"none","alg":"HS256"}', JSON.stringify(claims())), /repeats/],
    'duplicate sub in the claims': () => [rawToken('{"alg":"HS256"}', JSON.stringify(claims()).replace('{', `{"sub":"${b.user.id}",`)), /repeats/],
    'padded base64': () => {
      const t = good().split('.');
      return [{ token: `${t[0]}=.${t[1]}.${t[2]}` }, /malformed/];
    },
    'alg none, no signature': () => {
      const h = b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
      return [{ token: `${h}.${b64url(JSON.stringify(claims()))}.` }, /algorithm/];
    },
    'alg none, HS256 signature kept': () => [forge({}, { header: { alg: 'none', typ: 'JWT' } }), /algorithm/],
    'payload swapped after signing': () => {
      const [h, , s] = b.token.split('.');
      const p = b64url(JSON.stringify({ ...decodeJwt(b.token).payload, sub: a.user.id }));
      return [{ token: `${h}.${p}.${s}` }, /signature/];
    },
    'garbage cookie': () => [{ cookie: 'todo_session=garbage' }, /malformed/],
    'expired cookie token': () => [{ cookie: `todo_session=${signJwt(claims({ iat: nowSeconds() - 7200, exp: nowSeconds() - 60 }))}` }, /expired/],
    'nbf in the future, as cookie': () => [{ cookie: `todo_session=${signJwt(claims({ nbf: nowSeconds() + 3600 }))}` }, /not valid yet/],
  };
  for (const [name, make] of Object.entries(cases)) {
    test(`${name} -> 401`, async () => {
      const [opts, why] = make();
      // (GET /api/auth/session answers 200 with a null user for these: its own test above.)
      for (const [method, p, body] of [['GET', path()], ['POST', path(), { title: 'should not exist' }], ['GET', `${path()}/1`]]) {
        const problem = problemOf(await server.api(method, p, { ...opts, body }), 401);
        assert.match(problem.detail, why, `${method} ${p}`);
      }
      // "Who is signed in?" answers "nobody" (200, null user) rather than 401 for the same token.
      const session = await server.api('GET', '/api/auth/session', opts);
      assert.equal(session.status, 200, session.text);
      assert.deepEqual(session.json, { user: null, session: null });
    });
  }

  test('valid token for A on B\'s path -> 403 (list, create, get)', async () => {
    const bPath = `/api/${b.user.id}/tasks`;
    problemOf(await server.api('GET', bPath, { token: a.token }), 403);
    problemOf(await server.api('GET', bPath, { cookie: a.cookie }), 403);
    problemOf(await server.api('POST', bPath, { token: a.token, body: { title: 'intruder' } }), 403);
    problemOf(await server.api('GET', `${bPath}/1`, { token: a.token }), 403);
    const own = await server.api('GET', bPath, { token: b.token });
    assert.deepEqual(own.json, { items: [], next_cursor: null }, 'nothing was created for B');
    const mine = await server.api('GET', path(), { token: a.token });
    assert.deepEqual(mine.json, { items: [], next_cursor: null }, 'nothing was created for A');
  });
});

describe('--jwt-issuer, --jwt-audience and --jwt-leeway', () => {
  test('a server with its own issuer, audience and no leeway issues and requires them', async () => {
    const other = await startServer({ env: { TODO_JWT_ISSUER: 'https://todo.example', TODO_JWT_AUDIENCE: 'todo-example-api', TODO_JWT_LEEWAY: '0' } });
    try {
      const u = await other.signUp();
      const { payload } = decodeJwt(u.token);
      assert.equal(payload.iss, 'https://todo.example');
      assert.equal(payload.aud, 'todo-example-api');
      const tasks = `/api/${u.user.id}/tasks`;
      assert.equal((await other.api('GET', tasks, { token: u.token })).status, 200);
      const ours = tokenClaims(u.user.id, { iss: 'https://todo.example', aud: 'todo-example-api' });
      assert.equal((await other.api('GET', tasks, { token: signJwt(ours) })).status, 200, 'control');
      // the default issuer and audience are not this server's
      problemOf(await other.api('GET', tasks, { token: signJwt(tokenClaims(u.user.id)) }), 401);
      // no leeway: 10 s past exp is expired here, while the default 30 s accepts it
      const late = { ...ours, exp: nowSeconds() - 10 };
      problemOf(await other.api('GET', tasks, { token: signJwt(late) }), 401);
      const a = await server.signUp();
      const lateDefault = await server.api('GET', `/api/${a.user.id}/tasks`, { token: signJwt(tokenClaims(a.user.id, { exp: nowSeconds() - 10 })) });
      assert.equal(lateDefault.status, 200, lateDefault.text);
      // tokens of the other server are refused by this one and back
      problemOf(await server.api('GET', tasks, { token: u.token }), 401);
      problemOf(await other.api('GET', `/api/${a.user.id}/tasks`, { token: a.token }), 401);
    } finally {
      await other.cleanup();
    }
  });
});
