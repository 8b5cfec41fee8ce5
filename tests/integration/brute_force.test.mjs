// Password guessing is slowed without locking the owner out (issue 14, item 7;
// auth/sign_in_limiter.hpp), and sign-ups are limited per client address (item 4). Clients
// come from distinct loopback addresses (from_address.mjs): 127.0.0.1 is the attacker,
// 127.0.0.2 the owner.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { failSignInsUntil, requestFrom } from './from_address.mjs';
import { PASSWORD, problemOf, startServer, uniqueEmail } from './harness.mjs';

const ATTACKER = '127.0.0.1';
const OWNER = '127.0.0.2';

const signIn = (server, from, email, password) =>
  requestFrom(server, { from, method: 'POST', path: '/api/auth/sign-in/email', body: { email, password } });

describe('sign-in guessing', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.cleanup(); });

  test('an attacker address gets growing Retry-After; the owner from another address signs in at once', async () => {
    const owner = await server.signUp();
    const { failures, retryAfters, refused } = await failSignInsUntil(server, { from: ATTACKER, email: owner.email, minRetryAfter: 8 });
    assert.ok(failures >= 7, `${failures} failures: 4 free, then 1 s, 2 s, 4 s apart`);
    problemOf(refused, 429);
    assert.ok(retryAfters.length >= 2 && retryAfters.at(-1) > retryAfters[0], `Retry-After grows: ${retryAfters}`);
    assert.ok(retryAfters.every((r) => r >= 1 && r <= 15 * 60), `Retry-After within [1 s, 15 min]: ${retryAfters}`);

    // The owner, elsewhere, is not slowed at all: the right password works on the first try.
    const ok = await signIn(server, OWNER, owner.email, PASSWORD);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.user.id, owner.user.id);
    // Even the owner's own wrong guesses from there start from zero (4 free failures).
    for (let i = 0; i < 4; i++) problemOf(await signIn(server, OWNER, owner.email, `typo ${i} zq`), 401);
    assert.equal((await signIn(server, OWNER, owner.email, PASSWORD)).status, 200);

    // The attacker's address still waits for this account, right password or not.
    const still = await signIn(server, ATTACKER, owner.email, PASSWORD);
    problemOf(still, 429);
    assert.ok(Number(still.headers.get('retry-after')) >= 1);
    // ...but only for this account: the same address signs in to another one.
    const other = await server.signUp();
    assert.equal((await signIn(server, ATTACKER, other.email, PASSWORD)).status, 200);
  });

  test('wrong passwords on change-password count the same way, and never lock the owner out', async () => {
    const owner = await server.signUp();
    const change = (from, current) => requestFrom(server, {
      from, method: 'POST', path: '/api/auth/change-password', token: owner.token,
      body: { current_password: current, new_password: 'a fresh passphrase 31' },
    });
    // A stolen session guessing the password from 127.0.0.3.
    let refused;
    for (let i = 0; i < 12 && !refused; i++) {
      const res = await change('127.0.0.3', `guess ${i} zq`);
      if (res.status === 429) refused = res;
      else problemOf(res, 403, 'current_password');
    }
    assert.ok(refused, 'the guesses were slowed down');
    problemOf(refused, 429);
    assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
    // The owner signs in from home.
    const ok = await signIn(server, OWNER, owner.email, PASSWORD);
    assert.equal(ok.status, 200, ok.text);
  });

  test('credential stuffing: one address guessing over many accounts meets its own limit; others are unaffected', async () => {
    const STUFFER = '127.0.0.4';
    let refused;
    let failures = 0;
    // 30 failures per address at once (then one a minute): unknown accounts count too.
    for (let i = 0; i < 40 && !refused; i++) {
      const res = await signIn(server, STUFFER, uniqueEmail('stuffed'), 'hunter2 hunter2');
      if (res.status === 429) refused = res;
      else { problemOf(res, 401); failures++; }
    }
    assert.ok(refused, `no 429 after ${failures} failures`);
    assert.equal(failures, 30, 'the address limit allows 30 failures at once');
    const retry = Number(refused.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}: one more a minute`);
    // A real account from the stuffer's address is refused too (the address is limited)...
    const victim = await server.signUp();
    problemOf(await signIn(server, STUFFER, victim.email, PASSWORD), 429);
    // ...while its owner elsewhere signs in.
    assert.equal((await signIn(server, OWNER, victim.email, PASSWORD)).status, 200);
  });
});

describe('sign-up limit per address', () => {
  let server;
  // Three sign-ups per hour per address: a burst of three, then one every 20 min.
  before(async () => { server = await startServer({ env: { TODO_SIGN_UPS_PER_HOUR: '3' } }); });
  after(async () => { await server?.cleanup(); });

  const signUp = (from, password = PASSWORD) => requestFrom(server, {
    from, method: 'POST', path: '/api/auth/sign-up/email', body: { email: uniqueEmail('limit'), password, name: 'Limit' },
  });

  test('past the burst: 429 problem+json with Retry-After; another address still signs up', async () => {
    // Refused passwords (nothing hashed, nothing stored) do not use up the allowance.
    for (const weak of ['password1', 'short']) problemOf(await signUp('127.0.0.5', weak), 422, 'password');
    for (let i = 0; i < 3; i++) {
      const res = await signUp('127.0.0.5');
      assert.equal(res.status, 201, `sign-up ${i + 1} of 3: ${res.text}`);
    }
    const refused = await signUp('127.0.0.5');
    const body = problemOf(refused, 429);
    assert.match(body.detail, /sign-ups/);
    const retry = Number(refused.headers.get('retry-after'));
    assert.ok(retry > 60 && retry <= 20 * 60, `Retry-After ${retry}: the next sign-up in up to 20 min`);
    assert.equal((await signUp('127.0.0.6')).status, 201, 'another address is not concerned');
  });
});
