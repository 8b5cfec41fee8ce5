// Bad input: every case answers a 4xx problem+json naming the bad field, and nothing
// changes (the user's task list and the target task are compared before and after).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { problemOf, startServer } from './harness.mjs';

const DEFAULT_LIMIT = 1_048_576;

let server;
let u;
let seeded;    // the task PUT/PATCH/complete cases target
let snapshot;  // u's full task list
const tasks = () => `/api/${u.user.id}/tasks`;
const one = () => `${tasks()}/${seeded.id}`;

before(async () => {
  server = await startServer();
  u = await server.signUp();
  for (const body of [
    { title: 'Seeded', description: 'keep me', tags: ['a', 'b'], priority: 'high', due_at: '2030-01-01T00:00:00Z', recurrence: 'FREQ=DAILY', timezone: 'Europe/Paris' },
    { title: 'Other', completed: true },
  ]) {
    const res = await server.api('POST', tasks(), { token: u.token, body });
    assert.equal(res.status, 201, res.text);
    seeded ??= res.json;
  }
  snapshot = await server.listAll(u);
  assert.equal(snapshot.length, 2);
});
after(async () => { await server?.cleanup(); });

async function assertNothingChanged() {
  assert.deepEqual(await server.listAll(u), snapshot, 'the task list is unchanged');
  const res = await server.api('GET', one(), { token: u.token });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, seeded, 'the target task is unchanged');
}

const long = (n, c = 'x') => c.repeat(n);
const tags21 = Array.from({ length: 21 }, (_, i) => `t${i}`);
const invalidUtf8 = Buffer.concat([Buffer.from('{"title":"bad '), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}')]);

// [name, request options, status, field, applies to]
// `full` marks bodies that are invalid only for POST/PUT (PATCH accepts partial bodies).
const BODY_CASES = [
  ['malformed JSON', { raw: '{"title": "x",' }, 400, 'body'],
  ['truncated JSON', { raw: '{"title": "x"' }, 400, 'body'],
  ['JSON array as body', { raw: '[{"title":"x"}]' }, 422, 'body'],
  ['invalid UTF-8 bytes', { raw: invalidUtf8 }, 400, 'body'],
  ['title: 5', { body: { title: 5 } }, 422, 'title'],
  ['title: null', { body: { title: null } }, 422, 'title'],
  ['completed: "yes"', { body: { title: 'x', completed: 'yes' } }, 422, 'completed'],
  ['tags: "x"', { body: { title: 'x', tags: 'x' } }, 422, 'tags'],
  ['missing title', { body: { description: 'no title' } }, 422, 'title', 'full'],
  ['empty object', { body: {} }, 422, 'title', 'full'],
  ['empty title', { body: { title: '' } }, 422, 'title'],
  ['whitespace-only title', { body: { title: '  \t  ' } }, 422, 'title'],
  ['501-character title', { body: { title: long(501) } }, 422, 'title'],
  ['10 001-character description', { body: { title: 'x', description: long(10_001) } }, 422, 'description'],
  ['21 tags', { body: { title: 'x', tags: tags21 } }, 422, 'tags'],
  ['51-character tag', { body: { title: 'x', tags: ['ok', long(51, 't')] } }, 422, /^tags/],
  ['priority "urgent"', { body: { title: 'x', priority: 'urgent' } }, 422, 'priority'],
  ['due_at "tomorrow"', { body: { title: 'x', due_at: 'tomorrow' } }, 422, 'due_at'],
  ['due_at Feb 30', { body: { title: 'x', due_at: '2026-02-30T10:00:00Z' } }, 422, 'due_at'],
  ['recurrence FREQ=SOMETIMES', { body: { title: 'x', recurrence: 'FREQ=SOMETIMES' } }, 422, 'recurrence'],
  ['timezone Mars/Olympus', { body: { title: 'x', timezone: 'Mars/Olympus' } }, 422, 'timezone'],
  ['unknown field', { body: { title: 'x', colour: 'red' } }, 422, 'colour'],
  ['Content-Type text/plain', { raw: '{"title":"x"}', headers: { 'Content-Type': 'text/plain' } }, 415, undefined],
];

describe('POST /api/{user_id}/tasks', () => {
  for (const [name, opts, status, field] of BODY_CASES) {
    test(`${name} -> ${status}${field ? ` ${field}` : ''}`, async () => {
      problemOf(await server.api('POST', tasks(), { token: u.token, ...opts }), status, field);
      await assertNothingChanged();
    });
  }
});

describe('PUT /api/{user_id}/tasks/{id}', () => {
  for (const [name, opts, status, field] of BODY_CASES) {
    test(`${name} -> ${status}${field ? ` ${field}` : ''}`, async () => {
      problemOf(await server.api('PUT', one(), { token: u.token, ...opts }), status, field);
      await assertNothingChanged();
    });
  }
});

describe('PATCH /api/{user_id}/tasks/{id}', () => {
  for (const [name, opts, status, field, only] of BODY_CASES) {
    if (only === 'full') continue;
    test(`${name} -> ${status}${field ? ` ${field}` : ''}`, async () => {
      problemOf(await server.api('PATCH', one(), { token: u.token, ...opts }), status, field);
      await assertNothingChanged();
    });
  }
  test('one bad field among good ones changes nothing', async () => {
    problemOf(await server.api('PATCH', one(), { token: u.token, body: { title: 'fine', description: 'fine', priority: 'urgent' } }), 422, 'priority');
    await assertNothingChanged();
  });
});

describe('PATCH /api/{user_id}/tasks/{id}/complete', () => {
  test('completed: "yes" -> 422 completed', async () => {
    problemOf(await server.api('PATCH', `${one()}/complete`, { token: u.token, body: { completed: 'yes' } }), 422, 'completed');
    await assertNothingChanged();
  });
  test('malformed JSON -> 400 body', async () => {
    problemOf(await server.api('PATCH', `${one()}/complete`, { token: u.token, raw: '{"completed":' }), 400, 'body');
    await assertNothingChanged();
  });
});

// RFC 5545 §3.3.10: each rule the RFC forbids -> 422 naming recurrence, the message saying
// which rule; on every write route, and nothing changes.
const RRULE_CASES = [
  ['FREQ=WEEKLY;BYDAY=1MO', /numbered weekday needs FREQ=MONTHLY or FREQ=YEARLY/],
  ['FREQ=DAILY;FREQ=WEEKLY', /FREQ must not appear more than once/],
  ['BYDAY=MO', /FREQ is required/],
  ['FREQ=WEEKLY;BYDAY=MO;BYDAY=TU', /BYDAY must not appear more than once/],
  ['FREQ=DAILY;COUNT=3;UNTIL=20300101T000000Z', /COUNT and UNTIL/],
  ['FREQ=MONTHLY;BYWEEKNO=10', /BYWEEKNO is only allowed with FREQ=YEARLY/],
  ['FREQ=MONTHLY;BYYEARDAY=100', /BYYEARDAY is not allowed with FREQ=MONTHLY/],
  ['FREQ=WEEKLY;BYMONTHDAY=1', /BYMONTHDAY is not allowed with FREQ=WEEKLY/],
  ['FREQ=YEARLY;BYWEEKNO=1;BYDAY=1MO', /not allowed with FREQ=YEARLY and BYWEEKNO/],
  ['FREQ=MONTHLY;BYDAY=6FR', /1 to 5 or -5 to -1/],
  ['FREQ=MONTHLY;BYSETPOS=1', /BYSETPOS is only allowed together/],
  ['FREQ=DAILY;BYHOUR=24', /BYHOUR values must be 0 to 23/],
  ['FREQ=DAILY;INTERVAL=0', /INTERVAL must be/],
  ['FREQ=WEEKLY;WKST=XX', /WKST must be a weekday/],
  ['FREQ=DAILY;UNTIL=20301231T235959', /UTC/],
  ['FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', /no occurrence/],
  ['FREQ=HOURLY;BYMONTH=4;BYMONTHDAY=31', /no occurrence/],
  [`FREQ=WEEKLY;BYDAY=${Array(200).fill('MO').join(',')}`, /at most 500 bytes/],
];

describe('recurrence rules RFC 5545 refuses', () => {
  for (const [rule, why] of RRULE_CASES) {
    test(`${rule.slice(0, 60)} -> 422 recurrence on POST, PUT and PATCH`, async () => {
      for (const [method, path, body] of [['POST', tasks(), { title: 'x', recurrence: rule }],
        ['PUT', one(), { title: 'x', recurrence: rule }], ['PATCH', one(), { recurrence: rule }]]) {
        const problem = problemOf(await server.api(method, path, { token: u.token, body }), 422, 'recurrence');
        const message = problem.errors.find((e) => e.field === 'recurrence').message;
        assert.match(message, why, `${method}: ${message}`);
      }
      await assertNothingChanged();
    });
  }
  test('control: the valid neighbours of those rules are taken', async () => {
    for (const rule of ['FREQ=MONTHLY;BYDAY=1MO', 'FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO', 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1',
      'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29', 'FREQ=DAILY;UNTIL=20301231T235959Z', 'freq=weekly;byday=mo']) {
      const res = await server.api('POST', tasks(), { token: u.token, body: { title: 'rule', recurrence: rule } });
      assert.equal(res.status, 201, `${rule}: ${res.text}`);
      assert.equal(res.json.recurrence, rule, 'stored as sent');
      assert.equal((await server.api('DELETE', `${tasks()}/${res.json.id}`, { token: u.token })).status, 204);
    }
    await assertNothingChanged();
  });
});

describe('path and query parameters', () => {
  for (const id of ['abc', '-1']) {
    test(`task id "${id}" -> 400 id on every route`, async () => {
      const p = `${tasks()}/${id}`;
      problemOf(await server.api('GET', p, { token: u.token }), 400, 'id');
      problemOf(await server.api('PUT', p, { token: u.token, body: { title: 'x' } }), 400, 'id');
      problemOf(await server.api('PATCH', p, { token: u.token, body: { title: 'x' } }), 400, 'id');
      problemOf(await server.api('DELETE', p, { token: u.token }), 400, 'id');
      problemOf(await server.api('PATCH', `${p}/complete`, { token: u.token }), 400, 'id');
      await assertNothingChanged();
    });
  }

  const QUERY_CASES = [
    ['limit=0', 'limit'], ['limit=10000', 'limit'], ['limit=201', 'limit'], ['limit=abc', 'limit'], ['limit=-5', 'limit'],
    ['cursor=garbage', 'cursor'], ['cursor=%25%25%25', 'cursor'],
    ['due_before=notadate', 'due_before'], ['due_after=notadate', 'due_after'], ['due_before=2026-02-30T10:00:00Z', 'due_before'],
    ['foo=1', 'foo'], ['status=pending&colour=red', 'colour'],
    ['status=bogus', 'status'], ['sort=bogus', 'sort'], ['order=sideways', 'order'], ['priority=urgent', 'priority'],
  ];
  for (const [qs, field] of QUERY_CASES) {
    test(`GET ?${qs} -> 400 ${field}`, async () => {
      problemOf(await server.api('GET', `${tasks()}?${qs}`, { token: u.token }), 400, field);
    });
  }
  test('limits 1 and 200 are fine', async () => {
    for (const limit of [1, 200]) {
      const res = await server.api('GET', `${tasks()}?limit=${limit}`, { token: u.token });
      assert.equal(res.status, 200, res.text);
    }
  });

  // Every query the API parses: a single-valued parameter given twice is ambiguous -> 400
  // naming it (not "the last one wins"); the multi-valued ones take repeats.
  const REPEATS = [
    ['tasks?limit=5&limit=7', 'limit'],
    ['notifications?limit=5&limit=6', 'limit'],
    ['notifications?unread=true&unread=false', 'unread'],
    ['audit?task_id=1&task_id=2', 'task_id'],
    ['audit?from=2026-01-01T00:00:00Z&from=2026-02-01T00:00:00Z', 'from'],
    ['recurrence/preview?rule=FREQ%3DDAILY&rule=FREQ%3DWEEKLY', 'rule'],
    ['recurrence/preview?rule=FREQ%3DDAILY&count=2&count=3', 'count'],
    ['conversations?limit=1&limit=2', 'limit'],
    ['stream?last_event_id=1&last_event_id=2', 'last_event_id'],
  ];
  for (const [path, field] of REPEATS) {
    test(`GET /api/{user_id}/${path} -> 400 ${field}`, async () => {
      problemOf(await server.api('GET', `/api/${u.user.id}/${path}`, { token: u.token }), 400, field);
    });
  }
  test('the multi-valued parameters take repeats: tag, event_type', async () => {
    for (const path of ['tasks?tag=a&tag=b', 'audit?event_type=created&event_type=updated']) {
      const res = await server.api('GET', `/api/${u.user.id}/${path}`, { token: u.token });
      assert.equal(res.status, 200, `${path}: ${res.text}`);
    }
  });

  test('unknown routes -> 404 problem+json', async () => {
    problemOf(await server.api('GET', '/nope'), 404);
    problemOf(await server.api('GET', '/api/nope/nope'), 404);
    // One segment under /api names an account (DELETE /api/{user_id}): other methods are a 405.
    const account = await server.api('GET', '/api/nope');
    problemOf(account, 405);
    assert.equal(account.headers.get('allow'), 'DELETE');
    problemOf(await server.api('GET', `${one()}/unknown`, { token: u.token }), 404);
    problemOf(await server.api('POST', `/api/${u.user.id}/things`, { token: u.token, body: { title: 'x' } }), 404);
    await assertNothingChanged();
  });
});

describe('body size', () => {
  test(`a body over the default limit (${DEFAULT_LIMIT} bytes) -> 413`, async () => {
    const prefix = '{"title":"big","description":"';
    const suffix = '"}';
    const raw = prefix + long(DEFAULT_LIMIT + 1 - prefix.length - suffix.length, 'd') + suffix;
    assert.equal(Buffer.byteLength(raw), DEFAULT_LIMIT + 1);
    problemOf(await server.api('POST', tasks(), { token: u.token, raw }), 413);
    problemOf(await server.api('PUT', one(), { token: u.token, raw }), 413);
    await assertNothingChanged();
  });

  test('a body under the default limit is read (a too-long description is a 422, not a 413)', async () => {
    const raw = JSON.stringify({ title: 'big', description: long(DEFAULT_LIMIT - 1000, 'd') });
    problemOf(await server.api('POST', tasks(), { token: u.token, raw }), 422, 'description');
    await assertNothingChanged();
  });
});

describe('TODO_MAX_BODY_BYTES=4096 sets the limit', () => {
  let small;
  let v;
  let path;
  const over = JSON.stringify({ title: 'over', description: long(4200) });
  before(async () => {
    small = await startServer({ env: { TODO_MAX_BODY_BYTES: '4096' } });
    v = await small.signUp();
    path = `/api/${v.user.id}/tasks`;
  });
  after(async () => { await small?.cleanup(); });

  test('a body under the limit is accepted', async () => {
    const ok = await small.api('POST', path, { token: v.token, raw: JSON.stringify({ title: 'under', description: long(3900) }) });
    assert.equal(ok.status, 201, ok.text);
  });
  test('a body over the limit (with Content-Length) -> 413', async () => {
    problemOf(await small.api('POST', path, { token: v.token, raw: over }), 413);
  });
  test('a chunked body (no Content-Length) over the limit -> 413', async () => {
    let res;
    try {
      res = await fetch(`${small.baseUrl}${path}`, {
        method: 'POST', duplex: 'half',
        headers: { Authorization: `Bearer ${v.token}`, 'Content-Type': 'application/json' },
        body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(over)); c.close(); } }),
      });
    } catch (err) {
      // e.g. EPIPE: the server closed the connection while the client was still sending,
      // so the client never gets to read the 413 (the server should drain or half-close).
      assert.fail(`no answer readable: ${err?.cause?.code || err?.cause?.message || err}`);
    }
    const text = await res.text();
    problemOf({ status: res.status, headers: res.headers, text, json: JSON.parse(text || 'null') }, 413);
  });
  test('only the accepted body created a task', async () => {
    assert.deepEqual((await small.listAll(v)).map((t) => t.title), ['under']);
  });
});

describe('valid edge values are accepted', () => {
  test('500 characters (also multi-byte), 20 tags of 50 characters, recurrence with timezone', async () => {
    const v = await server.signUp();
    const path = `/api/${v.user.id}/tasks`;
    const tags = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}${long(48, 'g')}`);
    for (const body of [
      { title: long(500) },
      { title: long(500, 'é') },
      { title: `  padded ${long(480)}  ` },
      { title: 'tags', tags },
      { title: 'rrule', recurrence: 'FREQ=MONTHLY;BYMONTHDAY=1', timezone: 'Europe/Berlin' },
    ]) {
      const res = await server.api('POST', path, { token: v.token, body });
      assert.equal(res.status, 201, `${JSON.stringify(body).slice(0, 80)}: ${res.text.slice(0, 300)}`);
      if (body.tags) assert.deepEqual(res.json.tags, tags);
      if (body.recurrence) {
        assert.equal(res.json.recurrence, 'FREQ=MONTHLY;BYMONTHDAY=1');
        assert.equal(res.json.timezone, 'Europe/Berlin');
      }
    }
  });
});
