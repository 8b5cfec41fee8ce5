// Deliveries from a Dapr sidecar (CloudEvents 1.0 JSON format, §3) posted straight to the
// single binary running with --bus=dapr: every form the spec and Dapr produce is stored
// (single deliveries and bulk entries alike); only what is truly not an event is dropped,
// with its reason in the log. tests/distributed/delivery.test.mjs does the same through
// the sidecar double.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { freePort, startServer } from './harness.mjs';

const ROUTE = '/dapr/task-events';
const APP_TOKEN = `app-${randomUUID()}`;
let server;
let u;
let nextTask = 880_000;

before(async () => {
  // Nothing listens on the sidecar port: this server only takes deliveries here.
  server = await startServer({ env: { TODO_BUS: 'dapr', DAPR_HTTP_PORT: String(await freePort()), APP_API_TOKEN: APP_TOKEN } });
  u = await server.signUp();
});
after(async () => { await server?.cleanup(); });

function event() {
  const taskId = nextTask++;
  return {
    event_id: randomUUID(), event_type: 'created', timestamp: new Date().toISOString(), user_id: u.user.id, task_id: taskId,
    task_data: { id: taskId, user_id: u.user.id, title: `form ${taskId}`, description: '', completed: false, priority: 'medium', tags: [] },
    schema_version: 1, task_version: 1,
  };
}
const ce = (e, fields) => ({ specversion: '1.0', id: e.event_id, source: 'todo-api', type: 'todo.task.created', topic: 'task-events', pubsubname: 'kafka-pubsub', ...fields });
const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');

function deliver(body, contentType = 'application/cloudevents+json') {
  return server.api('POST', ROUTE, {
    raw: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': contentType, 'dapr-api-token': APP_TOKEN },
  });
}

async function auditedIds() {
  const res = await server.api('GET', `/api/${u.user.id}/audit?limit=200`, { token: u.token });
  assert.equal(res.status, 200, res.text);
  return new Set(res.json.items.map((i) => i.event_id));
}

// name -> (event) => [body, Content-Type]
const STORED = {
  'data as an object': (e) => [ce(e, { datacontenttype: 'application/json', data: e })],
  'data as a JSON string': (e) => [ce(e, { datacontenttype: 'application/json', data: JSON.stringify(e) })],
  'data_base64': (e) => [ce(e, { datacontenttype: 'application/json', data_base64: b64(e) })],
  'data_base64 without datacontenttype': (e) => [ce(e, { data_base64: b64(e) })],
  'datacontenttype with parameters': (e) => [ce(e, { datacontenttype: 'application/json; charset=utf-8', data: e })],
  'a +json datacontenttype': (e) => [ce(e, { datacontenttype: 'application/vnd.todo.event+json', data_base64: b64(e) })],
  'text/plain data holding JSON': (e) => [ce(e, { datacontenttype: 'text/plain', data: JSON.stringify(e) })],
  'no datacontenttype': (e) => [ce(e, { data: e })],
  'Content-Type with parameters': (e) => [ce(e, { data: e }), 'application/cloudevents+json; charset=utf-8'],
  'a CloudEvent as application/json': (e) => [ce(e, { data_base64: b64(e) }), 'application/json'],
  'the raw event (rawPayload) as application/json': (e) => [e, 'application/json'],
};

describe('single deliveries', () => {
  for (const [name, make] of Object.entries(STORED)) {
    test(`${name} -> SUCCESS, stored once`, async () => {
      const e = event();
      const [body, contentType] = make(e);
      for (const round of ['first', 'redelivery']) {
        const res = await deliver(body, contentType);
        assert.equal(res.status, 200, `${round}: ${res.text}`);
        assert.deepEqual(JSON.parse(res.text), { status: 'SUCCESS' }, round);
      }
      const ids = await auditedIds();
      assert.ok(ids.has(e.event_id), 'in the audit trail');
    });
  }

  // name -> [body, Content-Type, words of the logged reason]
  const DROPPED = {
    'both data and data_base64': (e) => [ce(e, { data: e, data_base64: b64(e) }), undefined, /data: and data_base64 must not both/],
    'no id': (e) => [{ ...ce(e, { data: e }), id: undefined }, undefined, /id: is required/],
    'no source': (e) => [{ ...ce(e, { data: e }), source: undefined }, undefined, /source: is required/],
    'no type': (e) => [{ ...ce(e, { data: e }), type: undefined }, undefined, /type: is required/],
    'a cloudevents+json body without specversion': (e) => [e, undefined, /specversion: is required/],
    'specversion 0.3': (e) => [ce(e, { specversion: '0.3', data: e }), undefined, /specversion: must be "1.0"/],
    'no data': (e) => [ce(e, {}), undefined, /data: is missing/],
    'data_base64 of bytes that are not JSON': (e) => [ce(e, { datacontenttype: 'application/octet-stream', data_base64: b64('\u0000\u0001binary') }), undefined, /data_base64: does not hold a JSON object/],
    'data_base64 that is not base64': (e) => [ce(e, { data_base64: '%%%' }), undefined, /data_base64: is not RFC 4648 base64/],
    'data that is not our event': (e) => [ce(e, { data: { hello: 'world' } }), undefined, /event_id|event_type|user_id/],
    'a body that is not JSON': () => ['{"specversion": oops', 'application/json', /body: is not JSON/],
  };
  for (const [name, make] of Object.entries(DROPPED)) {
    test(`${name} -> DROP, nothing stored, the reason logged`, async () => {
      const e = event();
      const [body, contentType, why] = make(e);
      const res = await deliver(body, contentType);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(JSON.parse(res.text), { status: 'DROP' });
      assert.ok(!(await auditedIds()).has(e.event_id), 'not stored');
      const line = server.output.split('\n').filter((l) => l.includes('dropping a poison event')).pop() || '';
      assert.match(line, why, `the last drop's log line: ${line}`);
    });
  }
});

test('a bulk delivery: the same forms in entries (CloudEvent objects and base64 raw payloads) are stored', async () => {
  const entries = [];
  const expected = [];
  for (const [name, make] of Object.entries(STORED)) {
    const e = event();
    const [body, contentType = 'application/cloudevents+json'] = make(e);
    entries.push({ entryId: `obj-${entries.length}`, event: body, contentType, metadata: {} });
    expected.push({ name, id: e.event_id });
    const raw = event();  // rawPayload: the published bytes, base64-encoded
    entries.push({ entryId: `raw-${entries.length}`, event: b64(raw), contentType: 'application/json', metadata: {} });
    expected.push({ name: `${name} (raw)`, id: raw.event_id });
  }
  const poison = event();
  entries.push({ entryId: 'poison', event: ce(poison, { data: poison, data_base64: b64(poison) }), contentType: 'application/cloudevents+json', metadata: {} });
  const res = await deliver({ id: randomUUID(), entries, metadata: {}, topic: 'task-events', pubsubname: 'kafka-pubsub', type: 'com.dapr.event.sent.bulk' },
    'application/cloudevents-batch+json');
  assert.equal(res.status, 200, res.text);
  const statuses = Object.fromEntries(JSON.parse(res.text).statuses.map((s) => [s.entryId, s.status]));
  for (const en of entries) assert.equal(statuses[en.entryId], en.entryId === 'poison' ? 'DROP' : 'SUCCESS', en.entryId);
  const ids = await auditedIds();
  for (const x of expected) assert.ok(ids.has(x.id), `${x.name}: stored`);
  assert.ok(!ids.has(poison.event_id));
});
