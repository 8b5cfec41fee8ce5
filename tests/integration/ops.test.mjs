// Ops endpoints: /healthz, /readyz, /metrics (Prometheus text) and /openapi.json.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { expectAudit } from './audit_helpers.mjs';
import { BACKEND, REPO_ROOT, outboxBacklog, startServer, waitUntil } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });

// Prometheus text exposition format 0.0.4 -> {types: {name: type}, samples: [{name, labels, value}]}
export function parseMetrics(text) {
  const types = {};
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (line.startsWith('#')) {
      const m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (m) types[m[1]] = m[2];
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/.exec(line);
    assert.ok(m, `not an exposition line: ${line}`);
    const labels = {};
    if (m[2]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,\s*|$)/y;
      let rest = m[2];
      let lm;
      re.lastIndex = 0;
      while (re.lastIndex < rest.length && (lm = re.exec(rest))) labels[lm[1]] = lm[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
      assert.equal(re.lastIndex, rest.length, `bad labels in: ${line}`);
    }
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    assert.ok(!Number.isNaN(value) || m[3] === 'NaN', `bad value in: ${line}`);
    samples.push({ name: m[1], labels, value });
  }
  return { types, samples };
}

async function metrics() {
  const res = await server.api('GET', '/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') || '', /^text\/plain/);
  return parseMetrics(res.text);
}

const sumOf = (samples, pred) => samples.filter(pred).reduce((s, x) => s + x.value, 0);

test('GET /healthz -> 200', async () => {
  const res = await server.api('GET', '/healthz');
  assert.equal(res.status, 200);
});

test('GET /readyz -> 200 JSON with checks.outbox "ok" when nothing is waiting', async () => {
  const res = await server.api('GET', '/readyz');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') || '', /^application\/json/);
  assert.equal(typeof JSON.parse(res.text), 'object');
  assert.equal(typeof res.json.checks, 'object', res.text);
  assert.ok(['ok', 'backlog'].includes(res.json.checks.outbox), `checks.outbox: ${res.text}`);
  assert.equal(res.json.checks.outbox, 'ok', res.text);
});

test('/metrics: the event pipeline (outbox gauges, delivery counters, audit lag histogram)', async () => {
  const find = (m, name, labels = {}) => m.samples.find((s) => s.name === name &&
    Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  const before = await metrics();
  assert.equal(before.types.todo_outbox_pending, 'gauge');
  assert.equal(before.types.todo_outbox_oldest_age_seconds, 'gauge');
  assert.equal(before.types.todo_audit_lag_seconds, 'histogram');
  for (const name of ['todo_events_delivered_total', 'todo_events_failed_total']) {
    const type = before.types[name] ?? before.types[name.replace(/_total$/, '')];
    assert.equal(type, 'counter', `${name} is a counter`);
  }
  for (const name of ['todo_outbox_pending', 'todo_outbox_oldest_age_seconds']) {
    const s = find(before, name);
    assert.ok(s && s.value >= 0, `${name} has a sample >= 0`);
  }
  const sub = { subscriber: 'audit' };
  const delivered0 = find(before, 'todo_events_delivered_total', sub);
  const failed0 = find(before, 'todo_events_failed_total', sub);
  assert.ok(delivered0, 'todo_events_delivered_total{subscriber="audit"}');
  assert.ok(failed0, 'todo_events_failed_total{subscriber="audit"}');
  const lagCount0 = find(before, 'todo_audit_lag_seconds_count')?.value ?? 0;

  // three writes reach the audit: deliveries and lag observations go up by (at least) 3
  const u = await server.signUp();
  const base = `/api/${u.user.id}/tasks`;
  const t = (await server.api('POST', base, { token: u.token, body: { title: 'metric' } })).json;
  await server.api('PATCH', `${base}/${t.id}/complete`, { token: u.token });
  await server.api('DELETE', `${base}/${t.id}`, { token: u.token });
  await expectAudit(server, u, 3);
  let m;
  await waitUntil(async () => {
    m = await metrics();
    return find(m, 'todo_events_delivered_total', sub).value >= delivered0.value + 3 &&
      (find(m, 'todo_audit_lag_seconds_count')?.value ?? 0) >= lagCount0 + 3;
  }, 'three deliveries and lag observations counted');
  assert.ok(find(m, 'todo_events_delivered_total', sub).value >= delivered0.value + 3, 'deliveries to the audit are counted');
  assert.equal(find(m, 'todo_events_failed_total', sub).value, failed0.value, 'no failed deliveries');
  assert.ok(find(m, 'todo_audit_lag_seconds_count').value >= lagCount0 + 3, 'audit lag is observed per event');

  // the lag histogram is well formed: cumulative buckets, +Inf == _count, a _sum
  const buckets = m.samples.filter((s) => s.name === 'todo_audit_lag_seconds_bucket')
    .map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), value: s.value }))
    .sort((a, b) => a.le - b.le);
  assert.ok(buckets.length >= 2, 'lag buckets');
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value, 'cumulative buckets');
  assert.equal(buckets.at(-1).le, Infinity);
  assert.equal(buckets.at(-1).value, find(m, 'todo_audit_lag_seconds_count').value);
  assert.ok(find(m, 'todo_audit_lag_seconds_sum').value >= 0);

  // idle again: nothing pending, readiness ok
  await waitUntil(async () => (await outboxBacklog(server)) === 0, 'the outbox to drain');
  const ready = await server.api('GET', '/readyz');
  assert.equal(ready.json.checks.outbox, 'ok');
});

for (const [what, metric, path] of [
  ['task pages', 'todo_db_task_page_reads_total', 'tasks?limit=5&sort=title'],
  ['single tasks', 'todo_db_task_reads_total', 'tasks/{id}'],
  ['audit pages', 'todo_db_audit_page_reads_total', 'audit?limit=5'],
  ['notification pages', 'todo_db_notification_page_reads_total', 'notifications?limit=5'],
]) {
  test(`GET /metrics counts ${what} by read path (PostgreSQL: pipelined on the I/O threads)`, async () => {
    const u = await server.signUp();
    const task = await server.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: 'counted' } });
    assert.equal(task.status, 201);
    const isPath = (p) => (s) => s.name === metric && s.labels.path === p;
    const before = await metrics();
    for (let i = 0; i < 3; i++) {
      const got = await server.api('GET', `/api/${u.user.id}/${path.replace('{id}', task.json.id)}`, { token: u.token });
      assert.equal(got.status, 200);
      if (path.startsWith('tasks/')) assert.equal(got.json.title, 'counted');
    }
    const m = await metrics();
    if (BACKEND === 'sqlite') {
      assert.equal(m.types[metric], undefined, 'SQLite reads no page pipelined');
      return;
    }
    assert.equal(m.types[metric], 'counter');
    // One connection per I/O thread is opened at start: none of these falls back.
    assert.equal(sumOf(m.samples, isPath('pipelined')) - sumOf(before.samples, isPath('pipelined')), 3);
    assert.equal(sumOf(m.samples, isPath('reader_thread')) - sumOf(before.samples, isPath('reader_thread')), 0);
  });
}

test('GET /metrics counts requests by route and status, and has the duration histogram', async () => {
  const u = await server.signUp();
  const path = `/api/${u.user.id}/tasks`;
  const before = await metrics();
  assert.equal(before.types.todo_http_requests_total, 'counter');
  assert.equal(before.types.todo_http_request_duration_seconds, 'histogram');
  const isListOk = (s) => s.name === 'todo_http_requests_total' && s.labels.status === '200' && /tasks/.test(s.labels.route ?? '') && !/\{?id\}?$|:id$/.test(s.labels.route);
  const is401 = (s) => s.name === 'todo_http_requests_total' && s.labels.status === '401';
  const listBefore = sumOf(before.samples, isListOk);
  const unauthorizedBefore = sumOf(before.samples, is401);

  for (let i = 0; i < 3; i++) assert.equal((await server.api('GET', path, { token: u.token })).status, 200);
  assert.equal((await server.api('GET', path)).status, 401);
  assert.equal((await server.api('GET', path)).status, 401);

  const m = await metrics();
  const reqs = m.samples.filter((s) => s.name === 'todo_http_requests_total');
  assert.ok(reqs.length > 0, 'todo_http_requests_total samples');
  for (const s of reqs) {
    assert.ok('route' in s.labels && 'status' in s.labels, `labels route and status: ${JSON.stringify(s.labels)}`);
    assert.match(s.labels.status, /^[1-5]\d\d$/);
    assert.ok(!s.labels.route.includes(u.user.id), `route label is a template, not the raw path: ${s.labels.route}`);
  }
  assert.equal(sumOf(m.samples, isListOk) - listBefore, 3, 'three 200 answers of the list route were counted');
  assert.equal(sumOf(m.samples, is401) - unauthorizedBefore, 2, 'two 401 answers were counted');

  // histogram: per label set, cumulative buckets ending in +Inf == _count, and a _sum
  const buckets = m.samples.filter((s) => s.name === 'todo_http_request_duration_seconds_bucket');
  assert.ok(buckets.length > 0, 'histogram buckets');
  const groups = new Map();
  for (const b of buckets) {
    const { le, ...rest } = b.labels;
    assert.ok(le !== undefined, 'bucket has le');
    const key = JSON.stringify(Object.entries(rest).sort());
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push({ le: le === '+Inf' ? Infinity : Number(le), value: b.value });
  }
  for (const [key, bs] of groups) {
    bs.sort((a, b) => a.le - b.le);
    for (let i = 1; i < bs.length; i++) assert.ok(bs[i].value >= bs[i - 1].value, `buckets are cumulative for ${key}`);
    assert.equal(bs.at(-1).le, Infinity, `+Inf bucket for ${key}`);
    const labels = Object.fromEntries(JSON.parse(key));
    const same = (s) => JSON.stringify(Object.entries(s.labels).sort()) === key;
    const count = m.samples.find((s) => s.name === 'todo_http_request_duration_seconds_count' && same(s));
    const sum = m.samples.find((s) => s.name === 'todo_http_request_duration_seconds_sum' && same(s));
    assert.ok(count && sum, `_count and _sum for ${JSON.stringify(labels)}`);
    assert.equal(count.value, bs.at(-1).value, `+Inf bucket == _count for ${key}`);
    assert.ok(sum.value >= 0);
  }
  const total = sumOf(m.samples, (s) => s.name === 'todo_http_request_duration_seconds_count');
  assert.ok(total >= 5, `durations observed: ${total}`);
});

test('GET /openapi.json serves openapi/openapi.json', async () => {
  const res = await server.api('GET', '/openapi.json');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') || '', /^application\/json/);
  const onDisk = JSON.parse(readFileSync(join(REPO_ROOT, 'openapi', 'openapi.json'), 'utf8'));
  assert.equal(res.json.openapi, '3.1.0');
  assert.deepEqual(res.json, onDisk);
});
