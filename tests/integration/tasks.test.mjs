// Tasks: every route; filters, sorts, search and pagination over a known data set;
// PUT vs PATCH; complete; conditional requests (If-Match, If-None-Match,
// If-Modified-Since, If-Unmodified-Since); Idempotency-Key.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { RFC3339_UTC, problemOf, sleep, startServer, walkPages } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });

const TASK_KEYS = ['completed', 'completed_at', 'created_at', 'description', 'due_at', 'id', 'priority', 'recurrence',
  'remind_at', 'series_id', 'tags', 'timezone', 'title', 'updated_at', 'user_id', 'version'];

export function assertTaskShape(t) {
  assert.deepEqual(Object.keys(t).sort(), TASK_KEYS, `task keys: ${JSON.stringify(t)}`);
  assert.ok(Number.isSafeInteger(t.id) && t.id > 0, 'id is a positive integer');
  assert.equal(typeof t.user_id, 'string');
  assert.equal(typeof t.title, 'string');
  assert.equal(typeof t.description, 'string');
  assert.equal(typeof t.completed, 'boolean');
  assert.ok(['low', 'medium', 'high'].includes(t.priority));
  assert.ok(Array.isArray(t.tags) && t.tags.every((x) => typeof x === 'string'));
  for (const k of ['due_at', 'remind_at', 'completed_at']) {
    if (t[k] !== null) assert.match(t[k], RFC3339_UTC, k);
  }
  assert.match(t.created_at, RFC3339_UTC);
  assert.match(t.updated_at, RFC3339_UTC);
  assert.ok(t.recurrence === null || typeof t.recurrence === 'string');
  assert.equal(typeof t.timezone, 'string');
  assert.ok(Number.isSafeInteger(t.version) && t.version >= 1);
  assert.equal(t.completed, t.completed_at !== null, 'completed_at is set exactly when completed');
  assert.ok(Date.parse(t.updated_at) >= Date.parse(t.created_at), 'updated_at >= created_at');
}

const tasksPath = (u) => `/api/${u.user.id}/tasks`;

async function create(u, body, headers = {}) {
  const res = await server.api('POST', tasksPath(u), { token: u.token, body, headers });
  assert.equal(res.status, 201, `create: ${res.text}`);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assertTaskShape(res.json);
  return res;
}

async function getTask(u, id) {
  const res = await server.api('GET', `${tasksPath(u)}/${id}`, { token: u.token });
  assert.equal(res.status, 200, `get ${id}: ${res.text}`);
  assertTaskShape(res.json);
  return res.json;
}

// ---------------------------------------------------------------------------------------
// The data set: 12 tasks, created one by one (ids and created_at increase in this order),
// then three PATCHes that define the updated_at order.
const DATA = [
  { title: 'Pay rent', priority: 'high', tags: ['home', 'bills'], due_at: '2030-01-05T09:00:00Z', description: 'monthly rent for the flat' },
  { title: 'buy milk', priority: 'low', tags: ['home', 'shopping'], due_at: '2030-01-02T10:00:00Z', completed: true, description: 'semi-skimmed' },
  { title: 'Call mom', priority: 'medium', tags: ['family'], due_at: null, description: '' },
  { title: 'Éclair recipe', priority: 'low', tags: ['cooking'], due_at: '2030-01-10T00:00:00Z', description: 'bake for the party' },
  { title: 'Write report', priority: 'high', tags: ['work'], due_at: '2030-01-03T17:30:00+02:00', description: 'quarterly numbers' },
  { title: 'alpha task', priority: 'medium', tags: [], due_at: null, completed: true, description: 'first letter' },
  { title: 'Zebra crossing', priority: 'low', tags: ['work', 'home'], due_at: '2030-01-07T08:00:00Z', description: 'paint the stripes' },
  { title: 'Report bug', priority: 'medium', tags: ['work', 'bugs'], due_at: '2030-01-04T12:00:00Z', completed: true, description: 'reported by customer' },
  { title: 'Plan trip', priority: 'high', tags: ['family', 'travel'], due_at: '2030-02-01T00:00:00Z', description: 'rental car and hotel' },
  { title: '_underscore', priority: 'low', tags: ['misc'], due_at: null, description: '' },
  { title: 'Renew passport', priority: 'medium', tags: ['travel'], due_at: '2030-01-05T09:00:00Z', description: 'photo booth' },
  { title: 'Book dentist', priority: 'high', tags: ['health'], due_at: '2030-01-01T08:00:00.250Z', description: 'annual checkup' },
];
const PATCHES = [
  [2, { description: 'about the weekend' }],
  [5, { tags: ['letters'] }],
  [0, { remind_at: '2030-01-05T10:30:00+01:30' }],
];

const PRIORITY_RANK = { low: 1, medium: 2, high: 3 };
// The matching rule and title order of the contract (openapi.json listTasks, README), in JS.
// fold approximates the server's (ICU NFKC_Casefold, accents removed in Latin, Greek,
// Cyrillic…; src/core/text_fold.hpp) well enough for the scripts used here.
const fold = (s) => s.normalize('NFKC').toLowerCase().normalize('NFD')
  .replace(/(\p{Script=Latin}|\p{Script=Greek}|\p{Script=Cyrillic})\p{Mn}+/gu, '$1').normalize('NFC').replaceAll('ς', 'σ').replaceAll('ß', 'ss');
const words = (s) => fold(s).split(/[^\p{L}\p{M}\p{N}]+/u).filter(Boolean);
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
// A task matches when its document (" " + folded words of title and description) contains
// every needle: a term of 3+ characters (or in an unspaced script) anywhere, a shorter one
// at the start of a word.
const needles = (q) => [...new Set(words(q).map((w) => ([...w].length >= 3 || UNSPACED.test(w) ? w : ` ${w}`)))];
const documentOf = (t) => [...words(t.title), ...words(t.description)].map((w) => ` ${w}`).join('');
export const searchMatches = (q, t) => needles(q).every((n) => documentOf(t).includes(n));
// Without `order`: titles A to Z and due dates soonest first; the other sorts newest or
// highest first.
const DEFAULT_ASC = { created_at: false, updated_at: false, due_at: true, priority: false, title: true };

// The reference: the contract's list semantics over the local model.
function expectedIds(model, params) {
  const p = new URLSearchParams(params);
  let rows = [...model];
  const status = p.get('status') || 'all';
  if (status === 'pending') rows = rows.filter((t) => !t.task.completed);
  if (status === 'completed') rows = rows.filter((t) => t.task.completed);
  if (p.get('priority')) rows = rows.filter((t) => t.task.priority === p.get('priority'));
  for (const tag of p.getAll('tag')) rows = rows.filter((t) => t.task.tags.includes(tag));
  if (p.get('due_before')) rows = rows.filter((t) => t.task.due_at && Date.parse(t.task.due_at) < Date.parse(p.get('due_before')));
  if (p.get('due_after')) rows = rows.filter((t) => t.task.due_at && Date.parse(t.task.due_at) > Date.parse(p.get('due_after')));
  if (p.get('q')) rows = rows.filter((t) => searchMatches(p.get('q'), t.task));
  const sort = p.get('sort') || 'created_at';
  const asc = p.get('order') ? p.get('order') === 'asc' : DEFAULT_ASC[sort];
  const key = (t) => {
    switch (sort) {
      case 'created_at': return t.createdSeq;
      case 'updated_at': return t.updatedSeq;
      case 'due_at': return t.task.due_at ? Date.parse(t.task.due_at) : Infinity;
      case 'priority': return PRIORITY_RANK[t.task.priority];
      case 'title': return Buffer.from(fold(t.task.title), 'utf8');
      default: throw new Error(sort);
    }
  };
  const cmp = (a, b) => {
    const ka = key(a);
    const kb = key(b);
    let c = Buffer.isBuffer(ka) ? Buffer.compare(ka, kb) : (ka < kb ? -1 : ka > kb ? 1 : 0);
    if (c === 0) c = a.task.id - b.task.id;
    return asc ? c : -c;
  };
  return rows.sort(cmp).map((t) => t.task.id);
}

describe('list: filters, sorts, search and pagination over a known data set', () => {
  let u;
  let model;  // [{task, createdSeq, updatedSeq}]
  let ids;    // ids by data index
  const list = async (qs) => {
    const res = await server.api('GET', `${tasksPath(u)}?${qs}`, { token: u.token });
    assert.equal(res.status, 200, `list ?${qs}: ${res.text}`);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(Object.keys(res.json).sort(), ['items', 'next_cursor']);
    res.json.items.forEach(assertTaskShape);
    return res.json;
  };
  const byIdx = (...idx) => idx.map((i) => ids[i]);

  before(async () => {
    u = await server.signUp();
    model = [];
    let seq = 0;
    for (const d of DATA) {
      const res = await create(u, d);
      model.push({ task: res.json, createdSeq: seq, updatedSeq: seq });
      seq++;
      await sleep(3);
    }
    ids = model.map((m) => m.task.id);
    for (const [idx, patch] of PATCHES) {
      const res = await server.api('PATCH', `${tasksPath(u)}/${ids[idx]}`, { token: u.token, body: patch });
      assert.equal(res.status, 200, res.text);
      model[idx].task = res.json;
      model[idx].updatedSeq = seq++;
      await sleep(3);
    }
  });

  test('the data set was stored as sent (normalized times, completion)', async () => {
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], 'ids increase in creation order');
    assert.equal(model[4].task.due_at, '2030-01-03T15:30:00Z', '+02:00 normalized to Z');
    assert.equal(model[11].task.due_at, '2030-01-01T08:00:00.250Z', 'milliseconds kept');
    assert.equal(model[0].task.remind_at, '2030-01-05T09:00:00Z', '+01:30 normalized to Z');
    assert.equal(model[0].task.version, 2);
    for (const i of [1, 5, 7]) {
      assert.equal(model[i].task.completed, true);
      assert.match(model[i].task.completed_at, RFC3339_UTC);
    }
    for (let i = 0; i < DATA.length; i++) {
      const t = model[i].task;
      assert.equal(t.user_id, u.user.id);
      assert.equal(t.title, DATA[i].title);
      assert.equal(t.priority, DATA[i].priority);
      assert.deepEqual(await getTask(u, t.id), t, 'GET returns what the write returned');
    }
    // updated_at follows the write order
    const byUpdate = [...model].sort((a, b) => a.updatedSeq - b.updatedSeq);
    for (let i = 1; i < byUpdate.length; i++) {
      assert.ok(Date.parse(byUpdate[i].task.updated_at) > Date.parse(byUpdate[i - 1].task.updated_at), 'updated_at increases with each write');
    }
  });

  test('default: everything, created_at desc, one page, next_cursor null', async () => {
    const page = await list('');
    assert.deepEqual(page.items.map((t) => t.id), [...ids].reverse());
    assert.equal(page.next_cursor, null);
    assert.deepEqual(page.items, [...model].reverse().map((m) => m.task), 'list items equal the stored tasks');
  });

  test('hand-checked orders (cross-check of the reference model)', async () => {
    const cases = {
      'sort=priority&order=asc': byIdx(1, 3, 6, 9, 2, 5, 7, 10, 0, 4, 8, 11),
      'sort=priority&order=desc': byIdx(11, 8, 4, 0, 10, 7, 5, 2, 9, 6, 3, 1),
      'sort=due_at&order=asc': byIdx(11, 1, 4, 7, 0, 10, 6, 3, 8, 2, 5, 9),
      'sort=due_at&order=desc': byIdx(9, 5, 2, 8, 3, 6, 10, 0, 7, 4, 1, 11),
      'sort=title&order=asc': byIdx(9, 5, 11, 1, 2, 3, 0, 8, 10, 7, 4, 6),  // case and accents do not count
      'sort=title': byIdx(9, 5, 11, 1, 2, 3, 0, 8, 10, 7, 4, 6),  // A to Z by default
      'sort=due_at': byIdx(11, 1, 4, 7, 0, 10, 6, 3, 8, 2, 5, 9),  // soonest first by default
      'sort=priority': byIdx(11, 8, 4, 0, 10, 7, 5, 2, 9, 6, 3, 1),  // highest first by default
      'sort=updated_at': byIdx(0, 5, 2, 11, 10, 9, 8, 7, 6, 4, 3, 1),  // newest first by default
      'sort=updated_at&order=asc': byIdx(1, 3, 4, 6, 7, 8, 9, 10, 11, 2, 5, 0),
      'sort=created_at&order=asc': byIdx(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
      'status=completed': byIdx(7, 5, 1),
      'tag=home': byIdx(6, 1, 0),
      'tag=home&tag=work': byIdx(6),
      'due_before=2030-01-05T09:00:00Z': byIdx(11, 7, 4, 1),
      'q=rent': byIdx(8, 0),
      'q=pa': byIdx(10, 6, 3, 0),
      'q=the': byIdx(6, 3, 2, 0),
      'q=port': byIdx(10, 7, 4),  // 3+ characters: inside words ("passport", "Report", "report")
      'q=ECLAIR': byIdx(3),  // accents and case do not count
      'q=ca': byIdx(8, 2),  // 1-2 characters: at a word start ("car", "Call"), not "Éclair"
    };
    for (const [qs, want] of Object.entries(cases)) {
      assert.deepEqual(expectedIds(model, qs), want, `reference model for ${qs}`);
      assert.deepEqual((await list(qs)).items.map((t) => t.id), want, `server for ?${qs}`);
    }
  });

  const FILTERS = [
    'status=all', 'status=pending', 'status=completed',
    'priority=low', 'priority=medium', 'priority=high',
    'tag=home', 'tag=work', 'tag=travel', 'tag=letters', 'tag=family', 'tag=home&tag=work', 'tag=work&tag=bugs', 'tag=home&tag=travel', 'tag=nope',
    'due_before=2030-01-05T09:00:00Z', 'due_after=2030-01-05T09:00:00Z',
    `due_before=${encodeURIComponent('2030-01-05T11:00:00+02:00')}`, `due_after=${encodeURIComponent('2030-01-05T04:00:00-05:00')}`,
    'due_after=2030-01-03T15:30:00Z&due_before=2030-01-07T08:00:00Z',
    'due_before=2030-01-01T08:00:00.251Z', 'due_before=2030-01-01T08:00:00.250Z', 'due_after=2030-02-01T00:00:00Z',
    'q=rent', 'q=rep', 'q=REPORT%20bug', 'q=bu', 'q=the', 'q=pa', 'q=home', 'q=zzz', 'q=Pay%20RENT%20flat', 'q=milk%20bread',
    'q=port', 'q=%C3%A9clair', 'q=ECLAIR', 'q=ca', 'q=ort', 'q=r', 'q=e%20r', 'q=rt',
    'status=pending&priority=high&tag=work', 'status=pending&priority=high', 'status=completed&tag=work',
    'q=pa&priority=low', 'q=rep&status=pending', 'tag=home&due_before=2030-01-06T00:00:00Z',
  ];
  test('every filter returns exactly the matching ids in order', async () => {
    for (const qs of FILTERS) {
      const want = expectedIds(model, qs);
      const page = await list(qs);
      assert.deepEqual(page.items.map((t) => t.id), want, `?${qs}`);
      assert.equal(page.next_cursor, null, `?${qs}: one page`);
    }
    // a few hand-checked results of the filters above
    assert.deepEqual((await list('q=REPORT%20bug')).items.map((t) => t.id), byIdx(7));
    assert.deepEqual((await list('q=home')).items, [], 'tags are not full-text searched');
    assert.deepEqual((await list('due_before=2030-01-01T08:00:00.250Z')).items, [], 'due_before is strict, to the millisecond');
    assert.deepEqual((await list('status=pending&priority=high&tag=work')).items.map((t) => t.id), byIdx(4));
  });

  const SORTS = ['created_at', 'updated_at', 'due_at', 'priority', 'title'];
  test('every sort in both orders (and with filters)', async () => {
    for (const sort of SORTS) {
      for (const order of ['asc', 'desc']) {
        for (const extra of ['', '&status=pending', '&tag=home', '&q=the', '&priority=medium']) {
          const qs = `sort=${sort}&order=${order}${extra}`;
          assert.deepEqual((await list(qs)).items.map((t) => t.id), expectedIds(model, qs), `?${qs}`);
        }
      }
      // without order: the direction people expect of each sort
      const want = expectedIds(model, `sort=${sort}&order=${DEFAULT_ASC[sort] ? 'asc' : 'desc'}`);
      assert.deepEqual((await list(`sort=${sort}`)).items.map((t) => t.id), want, `?sort=${sort}`);
    }
    assert.deepEqual((await list('order=asc')).items.map((t) => t.id), ids, 'sort defaults to created_at');
  });

  async function walk(qs, limit) {
    const seen = [];
    let cursor = null;
    let pages = 0;
    for (;;) {
      const page = await list(`${qs}${qs ? '&' : ''}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      pages++;
      assert.ok(pages <= 20, 'pagination terminates');
      assert.ok(page.items.length <= limit, 'page not larger than limit');
      seen.push(...page.items.map((t) => t.id));
      if (page.next_cursor === null) break;
      assert.equal(typeof page.next_cursor, 'string');
      assert.equal(page.items.length, limit, `?${qs} limit=${limit}: a page with a next_cursor is full`);
      cursor = page.next_cursor;
    }
    return { seen, pages };
  }

  test('pagination walks every sort/order with small limits: no duplicates, no gaps, same order', async () => {
    for (const sort of SORTS) {
      for (const order of ['asc', 'desc']) {
        const qs = `sort=${sort}&order=${order}`;
        const full = (await list(`${qs}&limit=200`)).items.map((t) => t.id);
        assert.deepEqual(full, expectedIds(model, qs));
        for (const limit of [1, 2, 3, 4, 5, 7, 11, 12]) {
          const { seen, pages } = await walk(qs, limit);
          assert.deepEqual(seen, full, `?${qs} limit=${limit}`);
          assert.ok(pages === Math.ceil(full.length / limit) || pages === Math.ceil(full.length / limit) + 1,
            `?${qs} limit=${limit}: ${pages} pages (at most one empty last page)`);
        }
      }
    }
  });

  test('pagination with filters', async () => {
    for (const qs of ['status=pending&sort=due_at&order=asc', 'status=pending&sort=due_at&order=desc', 'tag=home&sort=title&order=asc',
      'q=pa&sort=priority&order=desc', 'priority=medium&sort=updated_at&order=desc', 'due_after=2030-01-02T00:00:00Z&sort=due_at&order=asc']) {
      const want = expectedIds(model, qs);
      for (const limit of [1, 2, 3]) {
        assert.deepEqual((await walk(qs, limit)).seen, want, `?${qs} limit=${limit}`);
      }
    }
  });

  test('limit 1..200 and default 50', async () => {
    assert.equal((await list('limit=200')).items.length, 12);
    const one = await list('limit=1');
    assert.deepEqual(one.items.map((t) => t.id), [ids[11]]);
    assert.equal(typeof one.next_cursor, 'string');
    // default 50: a fresh user with 51 tasks gets 50 then 1
    const v = await server.signUp();
    const made = [];
    for (let i = 0; i < 51; i++) {
      const res = await server.api('POST', tasksPath(v), { token: v.token, body: { title: `bulk ${i}` } });
      assert.equal(res.status, 201, res.text);
      made.push(res.json.id);
    }
    const first = await server.api('GET', tasksPath(v), { token: v.token });
    assert.equal(first.json.items.length, 50);
    assert.deepEqual(first.json.items.map((t) => t.id), made.slice(1).reverse());
    assert.equal(typeof first.json.next_cursor, 'string');
    const second = await server.api('GET', `${tasksPath(v)}?cursor=${encodeURIComponent(first.json.next_cursor)}`, { token: v.token });
    assert.equal(second.status, 200, second.text);
    assert.deepEqual(second.json.items.map((t) => t.id), [made[0]]);
    assert.equal(second.json.next_cursor, null);
  });

  test('the list reflects later changes (delete removes, complete moves between statuses)', async () => {
    const v = await server.signUp();
    const a = (await create(v, { title: 'first' })).json;
    const b = (await create(v, { title: 'second' })).json;
    let res = await server.api('PATCH', `${tasksPath(v)}/${a.id}/complete`, { token: v.token });
    assert.equal(res.status, 200, res.text);
    const ls = async (qs) => (await server.api('GET', `${tasksPath(v)}?${qs}`, { token: v.token })).json.items.map((t) => t.id);
    assert.deepEqual(await ls('status=completed'), [a.id]);
    assert.deepEqual(await ls('status=pending'), [b.id]);
    res = await server.api('DELETE', `${tasksPath(v)}/${b.id}`, { token: v.token });
    assert.equal(res.status, 204);
    assert.deepEqual(await ls(''), [a.id]);
    res = await server.api('PATCH', `${tasksPath(v)}/${a.id}`, { token: v.token, body: { title: 'renamed entirely' } });
    assert.equal(res.status, 200);
    assert.deepEqual(await ls('q=first'), [], 'search index follows title changes');
    assert.deepEqual(await ls('q=renamed'), [a.id]);
  });
});

// ---------------------------------------------------------------------------------------
describe('create and get', () => {
  test('POST -> 201 with defaults, ETag "1"; GET returns it', async () => {
    const u = await server.signUp();
    const before = Date.now();
    const res = await create(u, { title: 'Pay rent' });
    const t = res.json;
    assert.equal(res.headers.get('etag'), '"1"');
    assert.equal(t.user_id, u.user.id);
    assert.equal(t.title, 'Pay rent');
    assert.equal(t.description, '');
    assert.equal(t.completed, false);
    assert.equal(t.priority, 'medium');
    assert.deepEqual(t.tags, []);
    assert.equal(t.due_at, null);
    assert.equal(t.remind_at, null);
    assert.equal(t.recurrence, null);
    assert.equal(t.timezone, 'UTC');
    assert.equal(t.completed_at, null);
    assert.equal(t.version, 1);
    assert.equal(t.created_at, t.updated_at);
    assert.ok(Math.abs(Date.parse(t.created_at) - before) < 60_000, 'created_at is now');
    assert.deepEqual(await getTask(u, t.id), t);
  });

  test('POST with every field; times normalized to UTC; recurrence and timezone kept', async () => {
    const u = await server.signUp();
    const body = {
      title: 'Water plants', description: 'the ficus too', completed: true, priority: 'high', tags: ['home', 'garden'],
      due_at: '2026-12-01T10:00:00+01:00', remind_at: '2026-12-01T03:30:00.500-05:00',
      recurrence: 'FREQ=MONTHLY;BYMONTHDAY=1', timezone: 'Europe/Berlin',
    };
    const t = (await create(u, body)).json;
    assert.equal(t.title, body.title);
    assert.equal(t.description, body.description);
    assert.equal(t.completed, true);
    assert.match(t.completed_at, RFC3339_UTC);
    assert.equal(t.priority, 'high');
    assert.deepEqual(t.tags, ['home', 'garden']);
    assert.equal(t.due_at, '2026-12-01T09:00:00Z');
    assert.equal(t.remind_at, '2026-12-01T08:30:00.500Z');
    assert.equal(t.recurrence, 'FREQ=MONTHLY;BYMONTHDAY=1');
    assert.equal(t.timezone, 'Europe/Berlin');
    assert.deepEqual(await getTask(u, t.id), t);
  });

  test('500-character title and 10 000-character description are accepted', async () => {
    const u = await server.signUp();
    const t = (await create(u, { title: 'x'.repeat(500), description: 'd'.repeat(10_000) })).json;
    assert.equal(t.title.length, 500);
    assert.equal(t.description.length, 10_000);
  });

  test('GET of an unknown id -> 404 problem', async () => {
    const u = await server.signUp();
    problemOf(await server.api('GET', `${tasksPath(u)}/987654321`, { token: u.token }), 404);
  });
});

describe('PUT replaces, PATCH merges', () => {
  const full = {
    title: 'Original', description: 'some text', completed: true, priority: 'high', tags: ['a', 'b'],
    due_at: '2030-05-01T12:00:00Z', remind_at: '2030-05-01T11:00:00Z', recurrence: 'FREQ=WEEKLY', timezone: 'Europe/Berlin',
  };

  test('PUT resets every absent writable field to its default', async () => {
    const u = await server.signUp();
    const t = (await create(u, full)).json;
    await sleep(5);
    const res = await server.api('PUT', `${tasksPath(u)}/${t.id}`, { token: u.token, body: { title: 'Replaced' } });
    assert.equal(res.status, 200, res.text);
    const r = res.json;
    assertTaskShape(r);
    assert.deepEqual(
      { ...r, updated_at: null },
      { ...t, title: 'Replaced', description: '', completed: false, completed_at: null, priority: 'medium', tags: [], due_at: null,
        remind_at: null, recurrence: null, timezone: 'UTC', version: 2, updated_at: null },
    );
    assert.ok(Date.parse(r.updated_at) > Date.parse(t.updated_at), 'updated_at advanced');
    assert.deepEqual(await getTask(u, t.id), r);
  });

  test('PUT with every field sets them all', async () => {
    const u = await server.signUp();
    const t = (await create(u, { title: 'Bare' })).json;
    const res = await server.api('PUT', `${tasksPath(u)}/${t.id}`, { token: u.token, body: full });
    assert.equal(res.status, 200, res.text);
    const r = res.json;
    for (const k of ['title', 'description', 'completed', 'priority', 'tags', 'due_at', 'remind_at', 'recurrence', 'timezone']) {
      assert.deepEqual(r[k], full[k], k);
    }
    assert.match(r.completed_at, RFC3339_UTC);
    assert.equal(r.version, 2);
    assert.equal(r.created_at, t.created_at);
  });

  test('PATCH changes only the fields present; null clears nullable fields', async () => {
    const u = await server.signUp();
    const t = (await create(u, full)).json;
    let res = await server.api('PATCH', `${tasksPath(u)}/${t.id}`, { token: u.token, body: { description: 'changed' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual({ ...res.json, updated_at: null }, { ...t, description: 'changed', version: 2, updated_at: null });
    res = await server.api('PATCH', `${tasksPath(u)}/${t.id}`, { token: u.token, body: { due_at: null, remind_at: null, recurrence: null } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual({ ...res.json, updated_at: null },
      { ...t, description: 'changed', due_at: null, remind_at: null, recurrence: null, version: 3, updated_at: null });
    res = await server.api('PATCH', `${tasksPath(u)}/${t.id}`, { token: u.token, body: { tags: ['c'], priority: 'low', title: 'New title' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual({ ...res.json, updated_at: null }, { ...t, title: 'New title', description: 'changed', due_at: null, remind_at: null,
      recurrence: null, tags: ['c'], priority: 'low', version: 4, updated_at: null });
    res = await server.api('PATCH', `${tasksPath(u)}/${t.id}`, { token: u.token, body: { completed: false } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.completed, false);
    assert.equal(res.json.completed_at, null);
    assert.equal(res.json.version, 5);
    res = await server.api('PATCH', `${tasksPath(u)}/${t.id}`, { token: u.token, body: { due_at: '2031-01-01T00:00:00-01:00' } });
    assert.equal(res.json.due_at, '2031-01-01T01:00:00Z');
    assert.equal(res.json.version, 6);
    assert.deepEqual(await getTask(u, t.id), res.json);
  });
});

describe('complete', () => {
  test('no body toggles; {"completed": bool} sets', async () => {
    const u = await server.signUp();
    const t = (await create(u, { title: 'Toggle me' })).json;
    const path = `${tasksPath(u)}/${t.id}/complete`;
    let res = await server.api('PATCH', path, { token: u.token });
    assert.equal(res.status, 200, res.text);
    assertTaskShape(res.json);
    assert.equal(res.json.completed, true);
    assert.match(res.json.completed_at, RFC3339_UTC);
    assert.ok(Math.abs(Date.parse(res.json.completed_at) - Date.now()) < 60_000);
    assert.equal(res.json.version, 2);
    assert.equal(res.json.title, 'Toggle me');
    res = await server.api('PATCH', path, { token: u.token });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.completed, false);
    assert.equal(res.json.completed_at, null);
    assert.equal(res.json.version, 3);
    res = await server.api('PATCH', path, { token: u.token, body: { completed: true } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.completed, true);
    const v = res.json.version;
    assert.equal(v, 4);
    res = await server.api('PATCH', path, { token: u.token, body: { completed: true } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.completed, true, 'setting true twice keeps it true (no toggle)');
    assert.match(res.json.completed_at, RFC3339_UTC);
    res = await server.api('PATCH', path, { token: u.token, body: { completed: false } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.completed, false);
    assert.equal(res.json.completed_at, null);
    res = await server.api('PATCH', path, { token: u.token, body: { completed: false } });
    assert.equal(res.json.completed, false, 'setting false twice keeps it false');
    assert.deepEqual(await getTask(u, t.id), res.json);
    problemOf(await server.api('PATCH', `${tasksPath(u)}/987654321/complete`, { token: u.token }), 404);
  });
});

describe('delete', () => {
  test('DELETE -> 204; then 404 everywhere; other tasks untouched', async () => {
    const u = await server.signUp();
    const keep = (await create(u, { title: 'keep' })).json;
    const t = (await create(u, { title: 'doomed' })).json;
    const path = `${tasksPath(u)}/${t.id}`;
    const res = await server.api('DELETE', path, { token: u.token });
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    problemOf(await server.api('GET', path, { token: u.token }), 404);
    problemOf(await server.api('DELETE', path, { token: u.token }), 404);
    problemOf(await server.api('PUT', path, { token: u.token, body: { title: 'zombie' } }), 404);
    problemOf(await server.api('PATCH', path, { token: u.token, body: { title: 'zombie' } }), 404);
    problemOf(await server.api('PATCH', `${path}/complete`, { token: u.token }), 404);
    assert.deepEqual(await server.listAll(u), [keep]);
  });
});

// HTTP-dates in the three formats of RFC 9110 §5.6.7.
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n) => String(n).padStart(2, '0');
const hms = (d) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
const imfDate = (ms) => new Date(ms).toUTCString();
const rfc850Date = (ms) => {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${pad(d.getUTCFullYear() % 100)} ${hms(d)} GMT`;
};
const asctimeDate = (ms) => {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()].slice(0, 3)} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${hms(d)} ${d.getUTCFullYear()}`;
};
const seconds = (iso) => Math.floor(Date.parse(iso) / 1000) * 1000;  // updated_at, truncated

describe('conditional requests (RFC 9110 §13)', () => {
  let u;
  before(async () => { u = await server.signUp(); });
  const item = (t) => `${tasksPath(u)}/${t.id}`;
  // Every route that changes one task: [name, method, path suffix, body]
  const WRITES = [
    ['PUT', 'PUT', '', { title: 'changed' }],
    ['PATCH', 'PATCH', '', { title: 'changed' }],
    ['PATCH .../complete', 'PATCH', '/complete', undefined],
    ['DELETE', 'DELETE', '', undefined],
  ];
  const write = (t, [, method, suffix, body], headers) => server.api(method, `${item(t)}${suffix}`, { token: u.token, body, headers });
  const expectUnchanged = async (t) => assert.deepEqual(await getTask(u, t.id), t, 'nothing changed');

  test('If-Match: mismatch -> 412 naming If-Match and nothing changed; the current version succeeds', async () => {
    const t = (await create(u, { title: 'Guarded', tags: ['x'] })).json;
    for (const w of WRITES) {
      const p = problemOf(await write(t, w, { 'If-Match': '"7"' }), 412, 'If-Match');
      assert.match(p.detail, /version 1/, w[0]);
    }
    await expectUnchanged(t);
    let res = await server.api('PUT', item(t), { token: u.token, body: { title: 'v2' }, headers: { 'If-Match': '"1"' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.version, 2);
    assert.equal(res.headers.get('etag'), '"2"');
    res = await server.api('PATCH', item(t), { token: u.token, body: { title: 'v3' }, headers: { 'If-Match': '"2"' } });
    assert.equal(res.json.version, 3, res.text);
    problemOf(await server.api('PATCH', item(t), { token: u.token, body: { title: 'stale' }, headers: { 'If-Match': '"2"' } }), 412, 'If-Match');
    res = await server.api('PATCH', `${item(t)}/complete`, { token: u.token, headers: { 'If-Match': '"3"' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.version, 4);
    const v4 = res.json;
    problemOf(await server.api('DELETE', item(t), { token: u.token, headers: { 'If-Match': '"3"' } }), 412, 'If-Match');
    await expectUnchanged(v4);
    res = await server.api('DELETE', item(t), { token: u.token, headers: { 'If-Match': '"4"' } });
    assert.equal(res.status, 204, res.text);
    problemOf(await server.api('GET', item(t), { token: u.token }), 404);
  });

  test('If-Match uses the strong comparison: W/"<current>" never matches, on every write route', async () => {
    const t = (await create(u, { title: 'Weak' })).json;
    for (const w of WRITES) problemOf(await write(t, w, { 'If-Match': 'W/"1"' }), 412, 'If-Match');
    problemOf(await server.api('GET', item(t), { token: u.token, headers: { 'If-Match': 'W/"1"' } }), 412, 'If-Match');
    await expectUnchanged(t);
  });

  test('If-Match lists are evaluated: any member matching the current ETag wins; "*" means the task exists', async () => {
    const t = (await create(u, { title: 'Listed' })).json;
    for (const value of ['"5", "6"', 'W/"1", "2"', '"2",W/"1"']) {
      problemOf(await server.api('PATCH', item(t), { token: u.token, body: { title: 'no' }, headers: { 'If-Match': value } }), 412, 'If-Match');
    }
    await expectUnchanged(t);
    let res = await server.api('PATCH', item(t), { token: u.token, body: { title: 'v2' }, headers: { 'If-Match': '"0", "1", "2"' } });
    assert.equal(res.status, 200, res.text);
    // the header given twice is one list
    res = await fetch(`${server.baseUrl}${item(t)}`, {
      method: 'PATCH', headers: [['Authorization', `Bearer ${u.token}`], ['Content-Type', 'application/json'], ['If-Match', '"9"'], ['If-Match', '"2"']],
      body: JSON.stringify({ title: 'v3' }),
    });
    assert.equal(res.status, 200, await res.text());
    res = await server.api('PATCH', `${item(t)}/complete`, { token: u.token, headers: { 'If-Match': '*' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.version, 4);
    res = await server.api('DELETE', item(t), { token: u.token, headers: { 'If-Match': '*' } });
    assert.equal(res.status, 204, res.text);
    // "*" on a task that does not exist: the 404 comes first
    problemOf(await server.api('PUT', item(t), { token: u.token, body: { title: 'x' }, headers: { 'If-Match': '*' } }), 404);
  });

  test('malformed entity-tags -> 400 naming the header, on every route (an unquoted If-Match: 2 too)', async () => {
    const t = (await create(u, { title: 'Strict' })).json;
    for (const header of ['If-Match', 'If-None-Match']) {
      for (const value of ['1', '2', 'abc', 'W/1', '"1", *', '"unterminated', '"a" "b"', 'w/"1"']) {
        const headers = { [header]: value };
        problemOf(await server.api('GET', item(t), { token: u.token, headers }), 400, header);
        for (const w of WRITES) problemOf(await write(t, w, headers), 400, header);
      }
    }
    await expectUnchanged(t);
  });

  test('If-None-Match on GET: the current ETag (strong or weak, in a list, or "*") -> 304 with the ETag and no body', async () => {
    const created = await create(u, { title: 'Cached' });
    const t = created.json;
    for (const value of ['"1"', 'W/"1"', '"7", W/"1"', '*']) {
      const res = await server.api('GET', item(t), { token: u.token, headers: { 'If-None-Match': value } });
      assert.equal(res.status, 304, `${value}: ${res.status} ${res.text}`);
      assert.equal(res.text, '', 'no body');
      assert.equal(res.headers.get('etag'), '"1"');
      assert.equal(res.headers.get('content-length'), null, 'no Content-Length on a 304');
      assert.equal(res.headers.get('content-type'), null);
    }
    for (const value of ['"2"', 'W/"2", "3"']) {
      const res = await server.api('GET', item(t), { token: u.token, headers: { 'If-None-Match': value } });
      assert.equal(res.status, 200, value);
      assert.deepEqual(res.json, t);
    }
    // after a change the old ETag no longer matches
    await server.api('PATCH', item(t), { token: u.token, body: { title: 'Cached v2' } });
    const res = await server.api('GET', item(t), { token: u.token, headers: { 'If-None-Match': '"1"' } });
    assert.equal(res.status, 200);
    assert.equal(res.json.version, 2);
  });

  test('If-None-Match on PUT, PATCH, complete and DELETE: a match or "*" -> 412 naming If-None-Match; otherwise the write goes on', async () => {
    const t = (await create(u, { title: 'No overwrite' })).json;
    for (const value of ['"1"', 'W/"1"', '*', '"5", "1"']) {
      for (const w of WRITES) problemOf(await write(t, w, { 'If-None-Match': value }), 412, 'If-None-Match');
    }
    await expectUnchanged(t);
    const res = await server.api('PATCH', item(t), { token: u.token, body: { title: 'went on' }, headers: { 'If-None-Match': '"2"' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.version, 2);
  });

  test('Last-Modified on every task response: updated_at in whole seconds, as an IMF-fixdate', async () => {
    const key = randomUUID();
    const created = await create(u, { title: 'Dated' }, { 'Idempotency-Key': key });
    const t = created.json;
    const check = (res, what) => {
      assert.equal(res.headers.get('last-modified'), imfDate(seconds(res.json.updated_at)), what);
      assert.equal(res.headers.get('etag'), `"${res.json.version}"`, what);
    };
    check(created, 'POST');
    check(await server.api('POST', tasksPath(u), { token: u.token, body: { title: 'Dated' }, headers: { 'Idempotency-Key': key } }), 'POST replayed');
    check(await server.api('GET', item(t), { token: u.token }), 'GET');
    check(await server.api('PUT', item(t), { token: u.token, body: { title: 'Dated 2' } }), 'PUT');
    check(await server.api('PATCH', item(t), { token: u.token, body: { title: 'Dated 3' } }), 'PATCH');
    check(await server.api('PATCH', `${item(t)}/complete`, { token: u.token }), 'complete');
  });

  test('If-Modified-Since on GET: at or after Last-Modified -> 304 (all three date formats); before -> 200; ignored beside If-None-Match or when not a date', async () => {
    const t = (await create(u, { title: 'Since' })).json;
    const lm = seconds(t.updated_at);
    for (const format of [imfDate, rfc850Date, asctimeDate]) {
      for (const when of [lm, lm + 60_000]) {
        const res = await server.api('GET', item(t), { token: u.token, headers: { 'If-Modified-Since': format(when) } });
        assert.equal(res.status, 304, `${format(when)}: ${res.status}`);
        assert.equal(res.headers.get('etag'), '"1"');
      }
      const before = await server.api('GET', item(t), { token: u.token, headers: { 'If-Modified-Since': format(lm - 1000) } });
      assert.equal(before.status, 200, format(lm - 1000));
    }
    for (const headers of [{ 'If-Modified-Since': 'yesterday' }, { 'If-Modified-Since': `${imfDate(lm)}, ${imfDate(lm)}` },
      { 'If-Modified-Since': imfDate(lm), 'If-None-Match': '"2"' }]) {
      const res = await server.api('GET', item(t), { token: u.token, headers });
      assert.equal(res.status, 200, JSON.stringify(headers));
    }
    // on a write it means nothing
    const res = await server.api('PATCH', item(t), { token: u.token, body: { title: 'Since 2' }, headers: { 'If-Modified-Since': imfDate(lm + 60_000) } });
    assert.equal(res.status, 200, res.text);
  });

  test('If-Unmodified-Since on writes: modified after the date -> 412 naming it; at or after -> the write goes on; ignored beside If-Match or when not a date', async () => {
    const t = (await create(u, { title: 'Unmodified' })).json;
    const lm = seconds(t.updated_at);
    for (const format of [imfDate, rfc850Date, asctimeDate]) {
      for (const w of WRITES) problemOf(await write(t, w, { 'If-Unmodified-Since': format(lm - 1000) }), 412, 'If-Unmodified-Since');
    }
    problemOf(await server.api('GET', item(t), { token: u.token, headers: { 'If-Unmodified-Since': imfDate(lm - 1000) } }), 412, 'If-Unmodified-Since');
    await expectUnchanged(t);
    for (const make of [() => ({ 'If-Unmodified-Since': 'not a date' }), () => ({ 'If-Unmodified-Since': imfDate(lm - 1000), 'If-Match': `"${t.version}"` })]) {
      const headers = make();
      const res = await server.api('PATCH', item(t), { token: u.token, body: { title: 'x' }, headers });
      assert.equal(res.status, 200, `${JSON.stringify(headers)}: ${res.text}`);
      t.version = res.json.version;
      t.updated_at = res.json.updated_at;
    }
    const now = seconds(t.updated_at);
    const res = await server.api('DELETE', item(t), { token: u.token, headers: { 'If-Unmodified-Since': rfc850Date(now) } });
    assert.equal(res.status, 204, res.text);
  });

  test('preconditions come before the content: a failed one answers 412 even for an invalid body; a passing one lets the 4xx through', async () => {
    const t = (await create(u, { title: 'Order' })).json;
    for (const [method, suffix, opts] of [['PUT', '', { body: { title: '' } }], ['PATCH', '', { body: { priority: 'urgent' } }],
      ['PATCH', '', { raw: '{"title":' }], ['PATCH', '/complete', { body: { completed: 'yes' } }]]) {
      const path = `${item(t)}${suffix}`;
      problemOf(await server.api(method, path, { token: u.token, ...opts, headers: { 'If-Match': '"9"' } }), 412, 'If-Match');
      problemOf(await server.api(method, path, { token: u.token, ...opts, headers: { 'If-None-Match': '*' } }), 412, 'If-None-Match');
      const res = await server.api(method, path, { token: u.token, ...opts, headers: { 'If-Match': '"1"' } });
      assert.ok(res.status === 400 || res.status === 422, `${method} ${suffix} with a matching If-Match: ${res.status}`);
    }
    await expectUnchanged(t);
  });
});

describe('Idempotency-Key', () => {
  test('replay returns the same answer and creates nothing; another body with the key -> 422', async () => {
    const u = await server.signUp();
    const key = randomUUID();
    const body = { title: 'Once only', tags: ['idem'], priority: 'high' };
    const first = await create(u, body, { 'Idempotency-Key': key });
    assert.notEqual(first.headers.get('idempotent-replayed'), 'true', 'the first answer is not a replay');
    for (let i = 0; i < 2; i++) {
      const again = await server.api('POST', tasksPath(u), { token: u.token, body, headers: { 'Idempotency-Key': key } });
      assert.equal(again.status, 201, again.text);
      assert.deepEqual(again.json, first.json, 'same body, same id');
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
    }
    let all = await server.listAll(u);
    assert.deepEqual(all.map((t) => t.id), [first.json.id], 'exactly one task exists');

    const other = await server.api('POST', tasksPath(u), { token: u.token, body: { ...body, title: 'Twice?' }, headers: { 'Idempotency-Key': key } });
    problemOf(other, 422, 'Idempotency-Key');
    all = await server.listAll(u);
    assert.deepEqual(all.map((t) => t.id), [first.json.id], 'still exactly one task');

    // another key creates another task; no key creates every time
    const second = await create(u, body, { 'Idempotency-Key': randomUUID() });
    assert.notEqual(second.json.id, first.json.id);
    const n1 = await create(u, body);
    const n2 = await create(u, body);
    assert.notEqual(n1.json.id, n2.json.id);
    assert.equal((await server.listAll(u)).length, 4);
  });

  test('concurrent requests with one key create one task (5 rounds of 8)', async () => {
    const u = await server.signUp();
    const made = [];
    for (let round = 0; round < 5; round++) {
      const key = randomUUID();
      const body = { title: `Raced ${round}` };
      const results = await Promise.all(Array.from({ length: 8 }, () =>
        server.api('POST', tasksPath(u), { token: u.token, body, headers: { 'Idempotency-Key': key } })));
      for (const r of results) {
        assert.ok(r.status === 201 || r.status === 409, `round ${round}: status ${r.status}: ${r.text}`);
      }
      const ok = results.filter((r) => r.status === 201);
      assert.ok(ok.length >= 1, `round ${round}: at least one 201`);
      for (const r of ok) assert.equal(r.json.id, ok[0].json.id, `round ${round}: every 201 names the same task`);
      made.unshift(ok[0].json.id);
    }
    assert.deepEqual((await server.listAll(u)).map((t) => t.id), made, 'one task per key');
  });
});

// ---------------------------------------------------------------------------------------
// Search in every script (issue 14 item 11) and sort=title as people read (item 15), through
// the API. The same table as tests/storage/search_storage_test.cpp, smaller.
describe('search in every script, titles as people read them', () => {
  let u;
  const byTitle = {};
  const SCRIPTS = [
    { title: '中文测试任务', description: '检查搜索' },
    { title: '日本語のテストを書く', description: '' },
    { title: 'ทดสอบภาษาไทย', description: '' },
    { title: '한국어 공부', description: '' },
    { title: 'Ärger im Büro', description: 'Straße sperren' },
    { title: 'ÉCOLE primaire', description: '' },
    { title: 'Σοφία', description: 'ΟΔΟΣ Αθηνάς' },
    { title: 'Ёлка', description: 'купить игрушки' },
    { title: 'Banana', description: '' },
    { title: 'apple', description: '' },
    { title: 'Éclair', description: '' },
    { title: 'eclair', description: '' },
    { title: 'Zebra', description: '' },
  ];
  const ids = (titles) => titles.map((t) => byTitle[t]);
  const search = async (q, extra = '') => {
    const res = await server.api('GET', `${tasksPath(u)}?q=${encodeURIComponent(q)}&sort=created_at&order=asc${extra}`, { token: u.token });
    assert.equal(res.status, 200, `q=${q}: ${res.text}`);
    return res.json.items.map((t) => t.id);
  };

  before(async () => {
    u = await server.signUp();
    const other = await server.signUp();
    for (const body of SCRIPTS) {
      byTitle[body.title] = (await create(u, body)).json.id;
      await create(other, body);  // another user's twins are never found
    }
  });

  test('words are found in scripts written without spaces, case and accents folded in every script', async () => {
    const cases = [
      ['测试', ['中文测试任务']],  // the issue's example
      ['任务', ['中文测试任务']],
      ['搜索', ['中文测试任务']],
      ['测验', []],
      ['テスト', ['日本語のテストを書く']],
      ['本語', ['日本語のテストを書く']],
      ['ภาษา', ['ทดสอบภาษาไทย']],
      ['공부', ['한국어 공부']],
      ['arger', ['Ärger im Büro']],
      ['ÄRGER büro', ['Ärger im Büro']],
      ['strasse', ['Ärger im Büro']],
      ['ecole', ['ÉCOLE primaire']],
      ['σοφια', ['Σοφία']],
      ['ΣΟΦΙΑ', ['Σοφία']],
      ['οδός', ['Σοφία']],
      ['елка', ['Ёлка']],
      ['ЁЛКА', ['Ёлка']],
      ['игрушк', ['Ёлка']],
      ['ECLAIR', ['Éclair', 'eclair']],
      ['ppl', ['apple']],  // 3+ characters: inside a word
      ['pp', []],  // shorter: only at a word start
      ['ap', ['apple']],
    ];
    for (const [q, titles] of cases) {
      assert.deepEqual(await search(q), ids(titles), `q=${q}`);
      for (const t of SCRIPTS) {
        assert.equal(searchMatches(q, t), titles.includes(t.title), `reference model: q=${q} on ${t.title}`);
      }
    }
  });

  test('q that is not UTF-8 is a 400 naming q', async () => {
    const res = await server.api('GET', `${tasksPath(u)}?q=caf%E9`, { token: u.token });
    problemOf(res, 400, 'q');
  });

  test('sort=title: A to Z by default, case and accents ignored, every script after Latin; pages of 2 agree', async () => {
    // Folded keys compare by code point: Latin, Greek, Cyrillic, Thai, Han (U+4E2D, U+65E5),
    // Hangul (U+D55C). The same folded title ("eclair") goes by id.
    const want = ['apple', 'Ärger im Büro', 'Banana', 'Éclair', 'eclair', 'ÉCOLE primaire', 'Zebra',
      'Σοφία', 'Ёлка', 'ทดสอบภาษาไทย', '中文测试任务', '日本語のテストを書く', '한국어 공부'];
    const all = (await server.api('GET', `${tasksPath(u)}?sort=title&limit=200`, { token: u.token })).json;
    assert.deepEqual(all.items.map((t) => t.title), want);
    // Walk with limit=2 and no order: every cursor continues A to Z.
    const walked = [];
    let cursor = null;
    for (let pages = 0; pages < 20; pages++) {
      const res = await server.api('GET', `${tasksPath(u)}?sort=title&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: u.token });
      assert.equal(res.status, 200, res.text);
      walked.push(...res.json.items.map((t) => t.title));
      cursor = res.json.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(walked, want, 'pages of 2');
    const desc = await walkPages(server, u, tasksPath(u), 'sort=title&order=desc');
    assert.deepEqual(desc.map((t) => t.title), [...want].reverse(), 'Z to A, ties by id descending');
  });

  test('a cursor issued before titles were folded (raw title, order desc) still walks on', async () => {
    // What the previous release returned for ?sort=title (desc by default then) after "Zebra".
    const old = Buffer.from(JSON.stringify({ s: 'title', o: 'd', k: 'Zebra', i: byTitle.Zebra })).toString('base64url');
    const res = await server.api('GET', `${tasksPath(u)}?sort=title&cursor=${old}`, { token: u.token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.items.map((t) => t.title), ['ÉCOLE primaire', 'eclair', 'Éclair', 'Banana', 'Ärger im Büro', 'apple']);
    // An explicit order that contradicts the cursor is still refused.
    problemOf(await server.api('GET', `${tasksPath(u)}?sort=title&order=asc&cursor=${old}`, { token: u.token }), 400, 'cursor');
  });
});
