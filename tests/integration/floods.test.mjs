// Floods of expensive requests do not block the I/O threads (issue 14, items 3, 4 and 7):
// while each flood runs — 100 concurrent sign-ups, 4 requests with 40 000 distinct string
// tags, a tags array of 500 000 numbers, many wrong sign-ins — GET /healthz, asked again and
// again from another client address, answers within 1 s. That bound is generous: it fails
// only when an I/O thread is busy with the flood's work (Argon2, validation), not when the
// machine is merely slow. And every flood request gets its answer: the limits (4xx, 429 with
// Retry-After) or 503 when the CPU pool's queue is full — never a hang or a 500.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { requestFrom } from './from_address.mjs';
import { PASSWORD, startServer, uniqueEmail } from './harness.mjs';

// TODO_TEST_SLOWDOWN (default 1) scales it for instrumented builds (make test-sanitize: ASan
// makes every request several times slower, the I/O threads still free).
const HEALTHZ_BOUND_MS = 1000 * (Number(process.env.TODO_TEST_SLOWDOWN) || 1);
const PROBE = '127.0.0.9';  // the health checker is another client (own connection cap)
let server;
let user;

before(async () => {
  // The default sign-up limit (20 per hour per address), not the suites' generous one.
  server = await startServer({ env: { TODO_SIGN_UPS_PER_HOUR: '20' } });
  user = await server.signUp();
});
after(async () => { await server?.cleanup(); });

// Runs `flood()` while probing /healthz; returns the flood's responses and the probe times.
async function whileProbing(flood) {
  let done = false;
  const probes = [];
  const probing = (async () => {
    while (!done) {
      const start = performance.now();
      const res = await requestFrom(server, { from: PROBE, path: '/healthz', timeoutMs: 10_000 });
      probes.push({ ms: performance.now() - start, status: res.status });
      await new Promise((r) => setTimeout(r, 25));  // pacing between probes
    }
  })();
  let results;
  try {
    results = await flood();
  } finally {
    done = true;
    await probing;
  }
  return { results, probes };
}

function assertHealthy(probes, what) {
  assert.ok(probes.length >= 1, `${what}: /healthz was probed during the flood`);
  for (const p of probes) assert.equal(p.status, 200, `${what}: /healthz ${p.status}`);
  const slowest = Math.max(...probes.map((p) => p.ms));
  assert.ok(slowest < HEALTHZ_BOUND_MS,
    `${what}: /healthz took ${slowest.toFixed(0)} ms (${probes.length} probes): an I/O thread was blocked`);
}

function assertAnswers(results, allowed, what) {
  const statuses = results.map((r) => r.status);
  for (const r of results) {
    assert.ok(allowed.includes(r.status), `${what}: unexpected ${r.status} ${r.text.slice(0, 300)}`);
    if (r.status === 429 || r.status === 503) {
      assert.match(r.headers.get('retry-after') ?? '', /^\d+$/, `${what}: ${r.status} with Retry-After`);
      assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
    }
  }
  return statuses;
}

const count = (statuses, s) => statuses.filter((x) => x === s).length;

test('100 concurrent sign-ups: hashed off the I/O threads; past the address limit, 429', async () => {
  // 50 from one address (20 allowed per hour: the rest get 429) and 50 from ten others
  // (5 each, all allowed): some 70 Argon2 hashes queue on the CPU pool at once.
  const from = (i) => (i < 50 ? '127.0.0.1' : `127.0.1.${i % 10}`);
  const { results, probes } = await whileProbing(() => Promise.all(Array.from({ length: 100 }, (_, i) => requestFrom(server, {
    from: from(i), method: 'POST', path: '/api/auth/sign-up/email',
    body: { email: uniqueEmail('flood'), password: PASSWORD, name: 'Flood' },
  }))));
  const statuses = assertAnswers(results, [201, 429, 503], 'sign-ups');
  const fromOne = statuses.slice(0, 50);
  // The suite's own sign-up (127.0.0.1) used one of the 20.
  assert.ok(count(fromOne, 201) <= 19, `${count(fromOne, 201)} created from one address: at most the burst`);
  assert.ok(count(fromOne, 429) >= 31, `${count(fromOne, 429)} refused with 429`);
  assert.equal(count(statuses.slice(50), 429), 0, 'the other addresses were within their limit');
  assert.ok(count(statuses, 201) >= 40, `${count(statuses, 201)} accounts created`);
  assertHealthy(probes, '100 sign-ups');
});

test('4 requests with 40 000 distinct string tags: 422 each, small answers', async () => {
  const body = JSON.stringify({ title: 'tags', tags: Array.from({ length: 40_000 }, (_, i) => `tag-${i}`) });
  const { results, probes } = await whileProbing(() => Promise.all(Array.from({ length: 4 }, () => requestFrom(server, {
    method: 'POST', path: `/api/${user.user.id}/tasks`, token: user.token, body,
  }))));
  assertAnswers(results, [422], '40 000 tags');
  for (const r of results) {
    assert.ok(r.text.length < 64 * 1024, `error answer of ${r.text.length} bytes`);
    assert.ok(r.json.errors.some((e) => e.field === 'tags'), r.text.slice(0, 300));
  }
  assertHealthy(probes, '40 000 tags x 4');
});

test('a tags array of 500 000 numbers: one 422 with a capped error list', async () => {
  const body = `{"title":"numbers","tags":[${new Array(500_000).fill('0').join(',')}]}`;
  assert.ok(body.length < 1024 * 1024, 'within the body limit');
  const { results, probes } = await whileProbing(() => Promise.all(Array.from({ length: 2 }, () => requestFrom(server, {
    method: 'POST', path: `/api/${user.user.id}/tasks`, token: user.token, body,
  }))));
  assertAnswers(results, [422], '500 000 numbers');
  for (const r of results) assert.ok(r.text.length < 64 * 1024, `error answer of ${r.text.length} bytes`);
  assertHealthy(probes, '500 000 numbers');
});

test('many wrong sign-ins: 401 until the limits answer 429', async () => {
  const victims = [user.email, ...Array.from({ length: 9 }, () => uniqueEmail('nobody'))];
  const { results, probes } = await whileProbing(() => Promise.all(Array.from({ length: 200 }, (_, i) => requestFrom(server, {
    method: 'POST', path: '/api/auth/sign-in/email', body: { email: victims[i % victims.length], password: `wrong ${i} zq` },
  }))));
  const statuses = assertAnswers(results, [401, 429, 503], 'wrong sign-ins');
  assert.ok(count(statuses, 401) <= 30, `${count(statuses, 401)} passwords checked: at most the address's 30`);
  assert.ok(count(statuses, 429) >= 170, `${count(statuses, 429)} refused with 429`);
  assertHealthy(probes, '200 wrong sign-ins');
  // The owner, from another address, is not locked out by all this.
  const ok = await requestFrom(server, {
    from: '127.0.0.2', method: 'POST', path: '/api/auth/sign-in/email', body: { email: user.email, password: PASSWORD },
  });
  assert.equal(ok.status, 200, ok.text);
});
