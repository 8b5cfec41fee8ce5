// OpenAPI: openapi/openapi.json is a valid OpenAPI 3.1 document, is what the server
// serves, describes every route the server has, its schemas are strict enough to reject
// wrong answers, and real answers of every route (success and error) match it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import { JWT_SECRET, PASSWORD, REPO_ROOT, startServer, uniqueEmail, waitUntil } from './harness.mjs';
import { failSignInsUntil } from './from_address.mjs';
import { FakeLlm } from './fake_llm.mjs';

const DOC = JSON.parse(readFileSync(join(REPO_ROOT, 'openapi', 'openapi.json'), 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// Every route the server serves (the contract).
const SERVED = [
  ['post', '/api/auth/sign-up/email'], ['post', '/api/auth/sign-in/email'], ['get', '/api/auth/session'], ['post', '/api/auth/sign-out'],
  ['get', '/api/{user_id}/tasks'], ['post', '/api/{user_id}/tasks'], ['post', '/api/{user_id}/tasks/parse'],
  ['get', '/api/{user_id}/tasks/{id}'], ['put', '/api/{user_id}/tasks/{id}'], ['patch', '/api/{user_id}/tasks/{id}'], ['delete', '/api/{user_id}/tasks/{id}'],
  ['patch', '/api/{user_id}/tasks/{id}/complete'],
  ['get', '/api/{user_id}/audit'],
  ['get', '/api/{user_id}/recurrence/preview'],
  ['get', '/api/{user_id}/notifications'], ['post', '/api/{user_id}/notifications/read-all'],
  ['post', '/api/{user_id}/notifications/{id}/read'], ['post', '/api/{user_id}/notifications/{id}/snooze'],
  ['get', '/api/{user_id}/preferences'], ['put', '/api/{user_id}/preferences'],
  ['get', '/api/email/unsubscribe'], ['post', '/api/email/unsubscribe'],
  ['post', '/mcp'], ['delete', '/mcp'],
  ['get', '/api/{user_id}/stream'],
  ['get', '/api/{user_id}/webhooks'], ['post', '/api/{user_id}/webhooks'], ['get', '/api/{user_id}/webhooks/{id}'], ['patch', '/api/{user_id}/webhooks/{id}'],
  ['delete', '/api/{user_id}/webhooks/{id}'], ['post', '/api/{user_id}/webhooks/{id}/test'], ['get', '/api/{user_id}/webhooks/{id}/deliveries'],
  ['post', '/api/auth/sign-out-all'], ['post', '/api/auth/change-password'], ['delete', '/api/{user_id}'], ['get', '/api/{user_id}/export'],
  ['get', '/api/{user_id}/tokens'], ['post', '/api/{user_id}/tokens'], ['delete', '/api/{user_id}/tokens/{id}'],
  ['post', '/api/{user_id}/chat'], ['get', '/api/{user_id}/conversations'], ['get', '/api/{user_id}/conversations/{id}'],
  ['delete', '/api/{user_id}/conversations/{id}'],
  ['get', '/healthz'], ['get', '/readyz'], ['get', '/metrics'], ['get', '/openapi.json'],
];

// ---- schema validation against the document ----
const SCHEMAS_ID = 'https://todo.test/schemas';
const rewriteRefs = (schema) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${SCHEMAS_ID}#/$defs/`));
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats(ajv);
ajv.addFormat('int64', { type: 'number', validate: (n) => Number.isSafeInteger(n) });
ajv.addSchema({ $id: SCHEMAS_ID, $defs: rewriteRefs(DOC.components.schemas) });
const compiled = new Map();
function validatorFor(schema) {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) compiled.set(key, ajv.compile(rewriteRefs(schema)));
  return compiled.get(key);
}
const schemaRef = (name) => ({ $ref: `#/components/schemas/${name}` });
function validates(name, value) {
  const v = validatorFor(schemaRef(name));
  return v(value) ? null : ajv.errorsText(v.errors);
}

function resolve(obj) {
  let o = obj;
  while (o && o.$ref) {
    o = o.$ref.replace(/^#\//, '').split('/').reduce((acc, part) => acc[part.replaceAll('~1', '/').replaceAll('~0', '~')], DOC);
  }
  return o;
}

const covered = new Set();  // "method path status"

// Checks a real response against the declared response of (method, template) for its status.
function checkResponse(method, template, res) {
  const where = `${method.toUpperCase()} ${template} -> ${res.status}`;
  const op = DOC.paths[template]?.[method];
  assert.ok(op, `${method.toUpperCase()} ${template} is not in the document`);
  const declared = resolve(op.responses[String(res.status)] ?? op.responses.default);
  assert.ok(declared, `${where}: status not declared (declared: ${Object.keys(op.responses).join(', ')}); body ${res.text.slice(0, 300)}`);
  for (const [name, h] of Object.entries(declared.headers || {})) {
    const header = resolve(h);
    const value = res.headers.get(name);
    if (header.required) assert.ok(value !== null, `${where}: required header ${name} missing`);
    if (value !== null && header.schema && name.toLowerCase() !== 'set-cookie') {
      const v = header.schema.type === 'integer' ? Number(value) : value;
      const validate = validatorFor(header.schema);
      assert.ok(validate(v), `${where}: header ${name}: ${value}: ${ajv.errorsText(validate.errors)}`);
    }
  }
  if (!declared.content) {
    assert.equal(res.text, '', `${where}: no content declared but got a body`);
  } else {
    const ct = (res.headers.get('content-type') || '').split(';')[0].trim().toLowerCase();
    const media = declared.content[ct];
    assert.ok(media, `${where}: content type "${ct}" not declared (declared: ${Object.keys(declared.content).join(', ')})`);
    let data = res.text;
    if (/json/.test(ct)) {
      assert.doesNotThrow(() => { data = JSON.parse(res.text); }, `${where}: body is not JSON`);
    }
    if (media.schema) {
      const validate = validatorFor(media.schema);
      assert.ok(validate(data), `${where}: ${ajv.errorsText(validate.errors)}; body ${res.text.slice(0, 500)}`);
    }
  }
  covered.add(`${method} ${template} ${res.status}`);
}

describe('the document', () => {
  test('is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)', async () => {
    assert.equal(DOC.openapi, '3.1.0');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(DOC));
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.1');
  });

  test('every component schema compiles in strict ajv (JSON Schema 2020-12)', () => {
    const names = Object.keys(DOC.components.schemas);
    for (const n of ['Task', 'TaskInput', 'TaskPatch', 'TaskPage', 'User', 'AuthResponse', 'Problem', 'Event', 'AuditPage']) assert.ok(names.includes(n), `schema ${n}`);
    for (const n of names) assert.doesNotThrow(() => validatorFor(schemaRef(n)), n);
    // and every schema used in paths (parameters, bodies, responses, headers)
    const walk = (node) => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'schema') assert.doesNotThrow(() => validatorFor(v), JSON.stringify(v));
        else walk(v);
      }
    };
    walk(DOC.paths);
    walk(DOC.components.responses);
  });

  test('security schemes: bearer JWT and the todo_session cookie', () => {
    const s = DOC.components.securitySchemes;
    assert.deepEqual(s.bearerAuth, { ...s.bearerAuth, type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    assert.deepEqual(s.cookieAuth, { ...s.cookieAuth, type: 'apiKey', in: 'cookie', name: 'todo_session' });
  });

  test('every served route is described, and nothing else', () => {
    const described = Object.entries(DOC.paths).flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((m) => `${m} ${p}`));
    assert.deepEqual(described.sort(), SERVED.map(([m, p]) => `${m} ${p}`).sort());
  });

  test('schemas reject wrong answers', () => {
    const task = {
      id: 1, user_id: 'u_abc', title: 'T', description: '', completed: false, priority: 'low', tags: ['x'],
      due_at: '2026-12-01T09:00:00Z', remind_at: null, recurrence: null, timezone: 'UTC',
      created_at: '2026-01-01T00:00:00.123Z', updated_at: '2026-01-01T00:00:00Z', completed_at: null, version: 1,
      series_id: null,
    };
    assert.equal(validates('Task', { ...task, series_id: 7 }), null, 'a next occurrence');
    assert.equal(validates('Task', task), null);
    const wrong = {
      'extra property': { ...task, secret: 1 },
      'missing version': (({ version, ...rest }) => rest)(task),
      'id as string': { ...task, id: '1' },
      'priority urgent': { ...task, priority: 'urgent' },
      'tags not array': { ...task, tags: 'x' },
      'due_at with offset': { ...task, due_at: '2026-12-01T10:00:00+01:00' },
      'due_at not a date': { ...task, due_at: 'tomorrow' },
      'completed as string': { ...task, completed: 'false' },
      'timezone null': { ...task, timezone: null },
      'version 0': { ...task, version: 0 },
      'missing series_id': (({ series_id, ...rest }) => rest)(task),
      'series_id as string': { ...task, series_id: '7' },
    };
    for (const [name, value] of Object.entries(wrong)) assert.notEqual(validates('Task', value), null, `Task schema accepts ${name}`);
    const user = { id: 'u_1', email: 'a@example.com', name: 'A', created_at: '2026-01-01T00:00:00Z' };
    assert.equal(validates('User', user), null);
    assert.notEqual(validates('User', { ...user, password_hash: 'x' }), null, 'User with extra property');
    assert.notEqual(validates('User', { ...user, email: 5 }), null);
    assert.equal(validates('TaskPage', { items: [task], next_cursor: null }), null);
    assert.notEqual(validates('TaskPage', { items: [task] }), null, 'TaskPage without next_cursor');
    assert.notEqual(validates('TaskPage', { items: [task], next_cursor: 5 }), null);
    assert.equal(validates('Problem', { type: 'about:blank', title: 'Bad', status: 422, detail: 'x', errors: [{ field: 'title', message: 'm' }] }), null);
    assert.notEqual(validates('Problem', { type: 'about:blank', title: 'Bad', status: '422', detail: 'x' }), null);
    assert.notEqual(validates('Problem', { type: 'about:blank', title: 'Bad', status: 422, detail: 'x', errors: [{ field: 'title' }] }), null);
    assert.notEqual(validates('AuthResponse', { user }), null, 'AuthResponse without token');
    assert.equal(validates('TaskInput', { title: 'x', due_at: null }), null);
    assert.notEqual(validates('TaskInput', { description: 'no title' }), null);
    assert.notEqual(validates('TaskPatch', { colour: 'red' }), null);
    assert.equal(validates('TaskPatch', { due_at: null, recurrence: null }), null);

    const event = {
      event_id: '0190b6a2-7c3e-7d4f-9a1b-2c3d4e5f6a7b', event_type: 'completed', timestamp: '2026-01-30T10:00:00.123Z',
      user_id: 'u_abc', task_id: 1, task_data: task, schema_version: 1, task_version: 1,
    };
    assert.equal(validates('Event', event), null);
    for (const type of ['created', 'updated', 'deleted']) assert.equal(validates('Event', { ...event, event_type: type }), null);
    for (const source of ['web', 'api']) assert.equal(validates('Event', { ...event, source }), null);
    const badEvents = {
      'extra property': { ...event, secret: 1 },
      'unknown source': { ...event, source: 'fax' },
      'event_type toggled': { ...event, event_type: 'toggled' },
      'event_id not a UUID': { ...event, event_id: 'evt-1' },
      'timestamp with offset': { ...event, timestamp: '2026-01-30T11:00:00+01:00' },
      'timestamp not a date': { ...event, timestamp: 'now' },
      'task_id as string': { ...event, task_id: '1' },
      'schema_version 2': { ...event, schema_version: 2 },
      'task_version 0': { ...event, task_version: 0 },
      'task_data not a Task': { ...event, task_data: { title: 'T' } },
      'task_data with an extra property': { ...event, task_data: { ...task, secret: 1 } },
      'task_data null': { ...event, task_data: null },
    };
    for (const f of ['event_id', 'event_type', 'timestamp', 'user_id', 'task_id', 'task_data', 'schema_version', 'task_version']) {
      badEvents[`missing ${f}`] = (({ [f]: _, ...rest }) => rest)(event);
    }
    for (const [name, value] of Object.entries(badEvents)) assert.notEqual(validates('Event', value), null, `Event schema accepts ${name}`);
    assert.equal(validates('AuditPage', { items: [event], next_cursor: 'abc' }), null);
    assert.equal(validates('AuditPage', { items: [], next_cursor: null }), null);
    assert.notEqual(validates('AuditPage', { items: [event] }), null, 'AuditPage without next_cursor');
    assert.notEqual(validates('AuditPage', { items: [task], next_cursor: null }), null, 'AuditPage of tasks');
    assert.notEqual(validates('AuditPage', { items: [event], next_cursor: null, total: 1 }), null, 'AuditPage with an extra property');
  });

  test('the audit route: parameters and responses as the contract says', () => {
    const op = DOC.paths['/api/{user_id}/audit'].get;
    const params = Object.fromEntries([...(DOC.paths['/api/{user_id}/audit'].parameters || []), ...(op.parameters || [])]
      .map(resolve).map((p) => [p.name, p]));
    assert.deepEqual(Object.keys(params).sort(), ['cursor', 'event_type', 'from', 'limit', 'task_id', 'to', 'user_id']);
    assert.equal(params.user_id.in, 'path');
    for (const n of ['cursor', 'event_type', 'from', 'limit', 'task_id', 'to']) assert.equal(params[n].in, 'query', n);
    assert.equal(params.event_type.schema.type, 'array', 'event_type is repeatable');
    assert.equal(params.event_type.explode ?? true, true);
    assert.deepEqual(resolve(params.event_type.schema.items).enum.slice().sort(), ['completed', 'created', 'deleted', 'updated']);
    assert.deepEqual({ type: params.task_id.schema.type, minimum: params.task_id.schema.minimum }, { type: 'integer', minimum: 1 });
    assert.equal(params.from.schema.format, 'date-time');
    assert.equal(params.to.schema.format, 'date-time');
    const { type, minimum, maximum, default: dflt } = params.limit.schema;
    assert.deepEqual({ type, minimum, maximum, default: dflt }, { type: 'integer', minimum: 1, maximum: 200, default: 50 });
    assert.deepEqual(Object.keys(op.responses).sort(), ['200', '400', '401', '403']);
    assert.deepEqual(resolve(op.responses['200']).content['application/json'].schema, { $ref: '#/components/schemas/AuditPage' });
    const ev = DOC.components.schemas.Event;
    assert.equal(ev.additionalProperties, false);
    assert.deepEqual(ev.required.slice().sort(), ['event_id', 'event_type', 'schema_version', 'task_data', 'task_id', 'task_version', 'timestamp', 'user_id']);
    assert.equal(ev.properties.task_data.$ref, '#/components/schemas/Task');
    assert.deepEqual(ev.properties.event_type.enum.slice().sort(), ['completed', 'created', 'deleted', 'updated']);
    assert.equal(DOC.components.schemas.Ready.properties.checks.properties.outbox !== undefined, true, 'Ready has checks.outbox');
  });
});

describe('real responses match the document', () => {
  let server;
  // One request of a route group: its status must be `expect`, and the answer must match the
  // document's description of `template`. Returns the response.
  async function checkedCall(method, template, path, opts, expect) {
    const res = await server.api(method.toUpperCase(), path, opts);
    assert.equal(res.status, expect, `${method} ${path}: ${res.text.slice(0, 300)}`);
    checkResponse(method, template, res);
    return res;
  }

  // The chat answers through a scripted fake LLM (fake_llm.mjs).
  let llm;
  before(async () => {
    llm = await new FakeLlm().start();
    server = await startServer({ env: { TODO_LLM_BASE_URL: llm.baseUrl, TODO_LLM_TIMEOUT: '2s' } });
  });
  after(async () => { await server?.cleanup(); await llm?.stop(); });

  test('GET /openapi.json serves this document', async () => {
    const res = await server.api('GET', '/openapi.json');
    assert.equal(res.status, 200);
    checkResponse('get', '/openapi.json', res);
    assert.deepEqual(res.json, DOC, 'served document equals openapi/openapi.json (rebuild after editing it)');
  });

  test('auth routes', async () => {
    const email = uniqueEmail('oa');
    let res = await server.api('POST', '/api/auth/sign-up/email', { body: { email, password: PASSWORD, name: 'Open Api' } });
    assert.equal(res.status, 201, res.text);
    checkResponse('post', '/api/auth/sign-up/email', res);
    const token = res.json.token;
    checkResponse('post', '/api/auth/sign-up/email', await server.api('POST', '/api/auth/sign-up/email', { body: { email, password: PASSWORD, name: 'Dup' } }));
    checkResponse('post', '/api/auth/sign-up/email', await server.api('POST', '/api/auth/sign-up/email', { body: { email: 'bad', password: 'short', name: '' } }));
    checkResponse('post', '/api/auth/sign-up/email', await server.api('POST', '/api/auth/sign-up/email', { raw: '{' }));
    checkResponse('post', '/api/auth/sign-up/email', await server.api('POST', '/api/auth/sign-up/email', { raw: 'x', headers: { 'Content-Type': 'text/plain' } }));

    res = await server.api('POST', '/api/auth/sign-in/email', { body: { email, password: PASSWORD } });
    assert.equal(res.status, 200, res.text);
    checkResponse('post', '/api/auth/sign-in/email', res);
    // Wrong passwords until the limiter answers 429 (after 4 free failures).
    const { failed, refused } = await failSignInsUntil(server, { email });
    checkResponse('post', '/api/auth/sign-in/email', failed);
    checkResponse('post', '/api/auth/sign-in/email', refused);

    res = await server.api('GET', '/api/auth/session', { token });
    assert.equal(res.status, 200, res.text);
    checkResponse('get', '/api/auth/session', res);
    res = await server.api('GET', '/api/auth/session');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { user: null, session: null });
    checkResponse('get', '/api/auth/session', res);
    res = await server.api('POST', '/api/auth/sign-out', { token });
    assert.equal(res.status, 204, res.text);
    checkResponse('post', '/api/auth/sign-out', res);
  });

  test('task routes', async () => {
    const u = await server.signUp();
    const other = await server.signUp();
    const list = `/api/${u.user.id}/tasks`;
    const item = '/api/{user_id}/tasks/{id}';
    const call = async (method, template, path, opts = {}, expect) => {
      const res = await server.api(method.toUpperCase(), path, { token: u.token, ...opts });
      if (expect) assert.equal(res.status, expect, `${method} ${path}: ${res.text.slice(0, 300)}`);
      checkResponse(method, template, res);
      return res;
    };

    const full = { title: 'Full', description: 'd', completed: true, priority: 'high', tags: ['a'], due_at: '2030-01-01T10:00:00+01:00',
      remind_at: '2030-01-01T08:00:00.5Z', recurrence: 'FREQ=MONTHLY;BYMONTHDAY=1', timezone: 'Europe/Berlin' };
    const t = (await call('post', '/api/{user_id}/tasks', list, { body: full }, 201)).json;
    await call('post', '/api/{user_id}/tasks', list, { body: { title: 'keyed' }, headers: { 'Idempotency-Key': randomUUID() } }, 201);
    const key = randomUUID();
    await call('post', '/api/{user_id}/tasks', list, { body: { title: 'replayed' }, headers: { 'Idempotency-Key': key } }, 201);
    const replay = await call('post', '/api/{user_id}/tasks', list, { body: { title: 'replayed' }, headers: { 'Idempotency-Key': key } }, 201);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    await call('post', '/api/{user_id}/tasks', list, { body: { title: 'other' }, headers: { 'Idempotency-Key': key } }, 422);
    await call('post', '/api/{user_id}/tasks', list, { body: { title: '' } }, 422);
    await call('post', '/api/{user_id}/tasks', list, { raw: '{' }, 400);
    await call('post', '/api/{user_id}/tasks', list, { raw: 'x', headers: { 'Content-Type': 'text/plain' } }, 415);
    await call('post', '/api/{user_id}/tasks', list, { token: undefined, body: { title: 'x' } }, 401);
    await call('post', '/api/{user_id}/tasks', `/api/${other.user.id}/tasks`, { body: { title: 'x' } }, 403);

    await call('get', '/api/{user_id}/tasks', list, {}, 200);
    const page = await call('get', '/api/{user_id}/tasks', `${list}?limit=1&sort=due_at&order=asc`, {}, 200);
    assert.equal(typeof page.json.next_cursor, 'string');
    await call('get', '/api/{user_id}/tasks', `${list}?limit=1&sort=due_at&order=asc&cursor=${encodeURIComponent(page.json.next_cursor)}`, {}, 200);
    await call('get', '/api/{user_id}/tasks', `${list}?limit=0`, {}, 400);
    await call('get', '/api/{user_id}/tasks', list, { token: undefined }, 401);
    await call('get', '/api/{user_id}/tasks', `/api/${other.user.id}/tasks`, {}, 403);

    const p = `${list}/${t.id}`;
    await call('get', item, p, {}, 200);
    await call('get', item, p, { headers: { 'If-None-Match': '"1"' } }, 304);
    await call('get', item, p, { headers: { 'If-Match': '"99"' } }, 412);
    await call('get', item, p, { headers: { 'If-Match': '1' } }, 400);
    await call('get', item, `${list}/987654321`, {}, 404);
    await call('get', item, `${list}/abc`, {}, 400);
    await call('get', item, p, { token: undefined }, 401);
    await call('get', item, `/api/${other.user.id}/tasks/${t.id}`, {}, 403);

    await call('put', item, p, { body: { title: 'Put' } }, 200);
    await call('put', item, p, { body: { title: 'Put' }, headers: { 'If-Match': '"99"' } }, 412);
    await call('put', item, p, { body: { title: 5 } }, 422);
    await call('put', item, `${list}/987654321`, { body: { title: 'x' } }, 404);
    await call('patch', item, p, { body: { description: 'patched', due_at: null } }, 200);
    await call('patch', item, p, { body: { title: 'x' }, headers: { 'If-Match': '"99"' } }, 412);
    await call('patch', item, p, { body: { title: 'x' }, headers: { 'If-None-Match': '*' } }, 412);
    await call('patch', item, p, { body: { title: 'x' }, headers: { 'If-Match': '99' } }, 400);
    await call('patch', item, p, { body: { priority: 'urgent' } }, 422);
    await call('patch', item, p, { raw: 'x', headers: { 'Content-Type': 'text/plain' } }, 415);

    const c = `${p}/complete`;
    const tpl = '/api/{user_id}/tasks/{id}/complete';
    await call('patch', tpl, c, {}, 200);
    await call('patch', tpl, c, { body: { completed: false } }, 200);
    await call('patch', tpl, c, { headers: { 'If-Match': '"99"' } }, 412);
    await call('patch', tpl, c, { body: { completed: 'yes' } }, 422);
    await call('patch', tpl, `${list}/987654321/complete`, {}, 404);

    await call('delete', item, p, { headers: { 'If-Match': '"99"' } }, 412);
    await call('delete', item, p, { headers: { 'If-Unmodified-Since': 'Sun, 06 Nov 1994 08:49:37 GMT' } }, 412);
    await call('delete', item, p, {}, 204);
    await call('delete', item, p, {}, 404);

    // The audit trail of everything above, once the events have arrived.
    const audit = `/api/${u.user.id}/audit`;
    const atpl = '/api/{user_id}/audit';
    const events = await waitUntil(async () => {
      const res = await call('get', atpl, `${audit}?limit=200`, {}, 200);
      return res.json.items.some((e) => e.event_type === 'deleted') && res;
    }, 'the delete to reach the audit');
    assert.ok(events.json.items.some((e) => e.event_type === 'deleted'), 'the delete reached the audit');
    const types = new Set(events.json.items.map((e) => e.event_type));
    assert.deepEqual([...types].sort(), ['completed', 'created', 'deleted', 'updated'], 'every event type was validated');
    const apage = await call('get', atpl, `${audit}?limit=1&event_type=created&event_type=updated`, {}, 200);
    await call('get', atpl, `${audit}?limit=1&cursor=${encodeURIComponent(apage.json.next_cursor)}&task_id=${t.id}`, {}, 200);
    const mid = events.json.items[2].timestamp;
    await call('get', atpl, `${audit}?from=${encodeURIComponent(mid)}&to=2999-01-01T00:00:00Z&event_type=completed`, {}, 200);
    await call('get', atpl, `${audit}?task_id=987654321`, {}, 200);
    for (const bad of ['event_type=exploded', 'task_id=0', 'from=yesterday', 'to=x', 'limit=201', 'cursor=garbage', 'colour=red']) {
      await call('get', atpl, `${audit}?${bad}`, {}, 400);
    }
    await call('get', atpl, audit, { token: 'garbage' }, 401);
    await call('get', atpl, audit, { token: undefined }, 401);
    await call('get', atpl, `/api/${other.user.id}/audit`, {}, 403);
    // last, so that a failure here hides nothing above
    await call('post', '/api/{user_id}/tasks', list, { raw: JSON.stringify({ title: 'x', description: 'd'.repeat(1_100_000) }) }, 413);
  });

  test('the recurrence preview', async () => {
    const u = await server.signUp();
    const base = `/api/${u.user.id}/recurrence/preview`;
    for (const [query, token, expect] of [
      ['rule=FREQ%3DDAILY&timezone=Europe%2FBerlin&dtstart=2026-03-28T08:00:00Z&count=10', u.token, 200],
      ['rule=FREQ%3DDAILY&count=0', u.token, 400],
      ['rule=FREQ%3DSOMETIMES', u.token, 422],
      ['rule=FREQ%3DDAILY', undefined, 401],
      ['rule=FREQ%3DDAILY', (await server.signUp()).token, 403],
    ]) {
      const res = await server.api('GET', `${base}?${query}`, { token });
      assert.equal(res.status, expect, res.text);
      checkResponse('get', '/api/{user_id}/recurrence/preview', res);
    }
  });

  test('quick add parse route', async () => {
    const u = await server.signUp();
    const other = await server.signUp();
    const call = checkedCall;
    const parse = '/api/{user_id}/tasks/parse';
    const path = `/api/${u.user.id}/tasks/parse`;
    const full = await call('post', parse, path, { token: u.token, body: { text: 'Pay rent tomorrow 9am !high #home every month remind me at 8am', timezone: 'Europe/Paris' } }, 200);
    assert.equal(full.json.chips.length, 5);
    await call('post', parse, path, { token: u.token, body: { text: 'nothing to see' } }, 200);
    await call('post', parse, path, { token: u.token, body: { text: 'x'.repeat(1001) } }, 422);
    await call('post', parse, path, { token: u.token, body: { text: 'a', timezone: 'Mars/Base' } }, 422);
    await call('post', parse, path, { token: u.token, raw: '{' }, 400);
    await call('post', parse, path, { token: u.token, raw: 'x', headers: { 'Content-Type': 'text/plain' } }, 415);
    await call('post', parse, path, { body: { text: 'a' } }, 401);
    await call('post', parse, path, { token: other.token, body: { text: 'a' } }, 403);
  });

  test('notification routes', async () => {
    const u = await server.signUp();
    const other = await server.signUp();
    const created = await server.api('POST', `/api/${u.user.id}/tasks`, { token: u.token,
      body: { title: 'ring', remind_at: new Date(Date.now() + 500).toISOString() } });
    assert.equal(created.status, 201);
    const base = `/api/${u.user.id}/notifications`;
    const list = await waitUntil(async () => {
      const res = await server.api('GET', base, { token: u.token });
      return res.json?.items?.length ? res : null;
    }, 'the reminder');
    checkResponse('get', '/api/{user_id}/notifications', list);
    const id = list.json.items[0].id;
    const call = checkedCall;
    const one = '/api/{user_id}/notifications/{id}/read';
    const snooze = '/api/{user_id}/notifications/{id}/snooze';
    await call('get', '/api/{user_id}/notifications', `${base}?limit=0`, { token: u.token }, 400);
    await call('get', '/api/{user_id}/notifications', base, {}, 401);
    await call('get', '/api/{user_id}/notifications', base, { token: other.token }, 403);
    await call('post', one, `${base}/${id}/read`, { token: u.token }, 200);
    await call('post', one, `${base}/999999999/read`, { token: u.token }, 404);
    await call('post', '/api/{user_id}/notifications/read-all', `${base}/read-all`, { token: u.token }, 200);
    await call('post', snooze, `${base}/${id}/snooze`, { token: u.token, body: { until: 'x' } }, 422);
    await call('post', snooze, `${base}/${id}/snooze`, { token: u.token, raw: 'x', headers: { 'Content-Type': 'text/plain' } }, 415);
    await call('post', snooze, `${base}/${id}/snooze`, { token: u.token, body: { until: new Date(Date.now() + 60_000).toISOString() } }, 200);
    const done = await server.api('PATCH', `/api/${u.user.id}/tasks/${created.json.id}/complete`, { token: u.token });
    assert.equal(done.status, 200);
    await call('post', snooze, `${base}/${id}/snooze`, { token: u.token, body: { until: new Date(Date.now() + 60_000).toISOString() } }, 409);
  });

  test('preferences and unsubscribe routes', async () => {
    const u = await server.signUp();
    const other = await server.signUp();
    const call = checkedCall;
    const prefs = '/api/{user_id}/preferences';
    const path = `/api/${u.user.id}/preferences`;
    const ok = { email_reminders: true, completion_notices: true, timezone: 'Europe/Berlin' };
    await call('get', prefs, path, { token: u.token }, 200);
    await call('put', prefs, path, { token: u.token, body: ok }, 200);
    await call('put', prefs, path, { token: u.token, body: { ...ok, extra: 1 } }, 400);
    await call('put', prefs, path, { token: u.token, body: { ...ok, timezone: 'Nowhere/Nothing' } }, 422);
    await call('put', prefs, path, { token: u.token, raw: 'x', headers: { 'Content-Type': 'text/plain' } }, 415);
    await call('get', prefs, path, {}, 401);
    await call('put', prefs, path, { token: other.token, body: ok }, 403);
    // The token of the user's List-Unsubscribe link (src/email/unsubscribe_token.hpp).
    const key = createHash('sha256').update(`todo-platform email unsubscribe v1:${JWT_SECRET}`).digest();
    const mac = createHmac('sha512', key).update(u.user.id).digest().subarray(0, 32);
    const token = `${Buffer.from(u.user.id).toString('base64url')}.${mac.toString('base64url')}`;
    const unsub = '/api/email/unsubscribe';
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    await call('get', unsub, `${unsub}?token=${token}`, {}, 200);
    await call('get', unsub, unsub, {}, 400);
    // Tampered: the MAC's first character changed (all six of its bits count; the last one's
    // low bits are padding, so changing it may decode to the same MAC).
    const [id64, mac64] = token.split('.');
    const tampered = `${id64}.${mac64[0] === 'A' ? 'B' : 'A'}${mac64.slice(1)}`;
    await call('post', unsub, `${unsub}?token=${tampered}`, { raw: 'List-Unsubscribe=One-Click', headers: form }, 403);
    await call('post', unsub, `${unsub}?token=${token}`, { raw: 'nothing', headers: form }, 400);
    await call('post', unsub, `${unsub}?token=${token}`, { raw: 'List-Unsubscribe=One-Click', headers: form }, 200);
    await call('post', unsub, `${unsub}?token=${token}`, { raw: 'List-Unsubscribe=One-Click', headers: { ...form, Accept: 'text/html' } }, 200);
    const after = await server.api('GET', path, { token: u.token });
    assert.equal(after.json.email_reminders, false);
  });

  test('stream route', async () => {
    const u = await server.signUp();
    const other = await server.signUp();
    const path = `/api/${u.user.id}/stream`;
    const template = '/api/{user_id}/stream';
    // 200 is a stream that never ends by itself: its head and first bytes are checked.
    const ctl = new AbortController();
    const res = await fetch(server.baseUrl + path, { headers: { Authorization: `Bearer ${u.token}` }, signal: ctl.signal });
    const { value } = await res.body.getReader().read();
    ctl.abort();
    checkResponse('get', template, { status: res.status, headers: res.headers, text: Buffer.from(value).toString('utf8') });
    const call = async (opts, expect, query = '') => {
      const r = await server.api('GET', path + query, opts);
      assert.equal(r.status, expect, r.text.slice(0, 300));
      checkResponse('get', template, r);
    };
    await call({ token: u.token }, 400, '?last_event_id=x');
    await call({}, 401);
    await call({ token: other.token }, 403);
  });

  test('webhook routes', async () => {
    const u = await server.signUp();
    const other = await server.signUp();
    const call = checkedCall;
    const list = '/api/{user_id}/webhooks';
    const one = '/api/{user_id}/webhooks/{id}';
    const base = `/api/${u.user.id}/webhooks`;
    // 192.0.2.0/24 (TEST-NET-1, RFC 5737): a public-class literal that passes the address
    // check without DNS and that no host answers; its deliveries just time out.
    const body = { url: 'https://192.0.2.10/hook', event_types: ['task.deleted'] };
    const made = await call('post', list, base, { token: u.token, body }, 201);
    const id = made.json.id;
    await call('post', list, base, { token: u.token, body: { ...body, url: 'https://127.0.0.1/x' } }, 422);
    await call('post', list, base, { token: u.token, raw: '{' }, 400);
    await call('post', list, base, { token: u.token, raw: 'x', headers: { 'Content-Type': 'text/plain' } }, 415);
    await call('post', list, base, { body }, 401);
    await call('get', list, base, { token: u.token }, 200);
    await call('get', list, base, { token: other.token }, 403);
    await call('get', one, `${base}/${id}`, { token: u.token }, 200);
    await call('get', one, `${base}/999999999`, { token: u.token }, 404);
    await call('patch', one, `${base}/${id}`, { token: u.token, body: { event_types: ['task.created'] } }, 200);
    await call('patch', one, `${base}/${id}`, { token: u.token, body: { event_types: ['nope'] } }, 422);
    const test = '/api/{user_id}/webhooks/{id}/test';
    await call('post', test, `${base}/${id}/test`, { token: u.token }, 202);
    const log = '/api/{user_id}/webhooks/{id}/deliveries';
    const page = await call('get', log, `${base}/${id}/deliveries`, { token: u.token }, 200);
    assert.equal(page.json.items.length, 1);
    await call('get', log, `${base}/${id}/deliveries?limit=0`, { token: u.token }, 400);
    await call('patch', one, `${base}/${id}`, { token: u.token, body: { enabled: false } }, 200);
    await call('post', test, `${base}/${id}/test`, { token: u.token }, 409);
    await call('delete', one, `${base}/${id}`, { token: u.token }, 204);
    await call('delete', one, `${base}/${id}`, { token: u.token }, 404);
  });

  test('account routes', async () => {
    const u = await server.signUp();
    const other = await server.signUp();
    const call = checkedCall;
    await call('post', '/api/{user_id}/tasks', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: 'exported' } }, 201);
    const exp = '/api/{user_id}/export';
    const exported = await call('get', exp, `/api/${u.user.id}/export`, { token: u.token }, 200);
    assert.equal(JSON.parse(exported.text).tasks.length, 1);
    await call('get', exp, `/api/${u.user.id}/export`, {}, 401);
    await call('get', exp, `/api/${other.user.id}/export`, { token: u.token }, 403);

    const cp = '/api/auth/change-password';
    const NEW = 'another passphrase 77';
    await call('post', cp, cp, { body: { current_password: u.password, new_password: NEW } }, 401);
    await call('post', cp, cp, { token: u.token, body: { current_password: 'wrong password!', new_password: NEW } }, 403);
    await call('post', cp, cp, { token: u.token, body: { current_password: u.password, new_password: 'short' } }, 422);
    await call('post', cp, cp, { token: u.token, raw: '{' }, 400);
    await call('post', cp, cp, { token: u.token, raw: 'x', headers: { 'Content-Type': 'text/plain' } }, 415);
    const changed = await call('post', cp, cp, { token: u.token, body: { current_password: u.password, new_password: NEW } }, 200);
    const token = changed.json.token;

    const del = '/api/{user_id}';
    await call('delete', del, `/api/${u.user.id}`, { token, body: { password: u.password } }, 403);
    await call('delete', del, `/api/${u.user.id}`, { token, body: {} }, 422);
    await call('delete', del, `/api/${u.user.id}`, { token, raw: '{' }, 400);
    await call('delete', del, `/api/${other.user.id}`, { token, body: { password: NEW } }, 403);
    await call('delete', del, `/api/${u.user.id}`, { body: { password: NEW } }, 401);

    const soa = '/api/auth/sign-out-all';
    await call('post', soa, soa, {}, 401);
    await call('post', soa, soa, { token }, 204);
    await call('post', soa, soa, { token }, 401);
    const again = await server.api('POST', '/api/auth/sign-in/email', { body: { email: u.email, password: NEW } });
    await call('delete', del, `/api/${u.user.id}`, { token: again.json.token, body: { password: NEW } }, 204);
    await call('delete', del, `/api/${u.user.id}`, { token: again.json.token, body: { password: NEW } }, 401);
  });

  test('MCP (POST and DELETE /mcp)', async () => {
    const u = await server.signUp({ prefix: 'oamcp' });
    const h = { Accept: 'application/json, text/event-stream' };
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'oa', version: '0' } } };
    let res = await server.api('POST', '/mcp', { token: u.token, body: init, headers: h });
    assert.equal(res.status, 200, res.text);
    checkResponse('post', '/mcp', res);
    const session = res.headers.get('mcp-session-id');
    const sh = { ...h, 'Mcp-Session-Id': session };
    res = await server.api('POST', '/mcp', { token: u.token, body: { jsonrpc: '2.0', method: 'notifications/initialized' }, headers: sh });
    assert.equal(res.status, 202);
    checkResponse('post', '/mcp', res);
    checkResponse('post', '/mcp', await server.api('POST', '/mcp', { token: u.token, body: { jsonrpc: '2.0', id: 2, method: 'tools/list' }, headers: sh }));
    checkResponse('post', '/mcp', await server.api('POST', '/mcp', { token: u.token, body: { jsonrpc: '2.0', id: 2, method: 'ping' }, headers: h }));
    checkResponse('post', '/mcp', await server.api('POST', '/mcp', { body: init, headers: h }));
    checkResponse('post', '/mcp', await server.api('POST', '/mcp', { token: u.token, body: init, headers: { ...h, Origin: 'http://evil.example' } }));
    res = await server.api('DELETE', '/mcp', { token: u.token, headers: sh });
    assert.equal(res.status, 204);
    checkResponse('delete', '/mcp', res);
    checkResponse('delete', '/mcp', await server.api('DELETE', '/mcp', { token: u.token, headers: sh }));
    checkResponse('post', '/mcp', await server.api('POST', '/mcp', { token: u.token, body: { jsonrpc: '2.0', id: 3, method: 'ping' }, headers: sh }));
  });

  test('personal access token routes, and a token on the REST API', async () => {
    const u = await server.signUp();
    const other = await server.signUp();
    const call = checkedCall;
    const tk = '/api/{user_id}/tokens';
    const path = `/api/${u.user.id}/tokens`;
    const made = await call('post', tk, path, { token: u.token, body: { name: 'reader', scopes: ['tasks:read'], expires_at: '2099-01-01T00:00:00Z' } }, 422);
    assert.equal(made.json.errors[0].field, 'expires_at');
    const created = (await call('post', tk, path, { token: u.token, body: { name: 'reader', scopes: ['tasks:read'] } }, 201)).json;
    await call('post', tk, path, { token: u.token, raw: '{' }, 400);
    await call('post', tk, path, { token: u.token, raw: 'x', headers: { 'Content-Type': 'text/plain' } }, 415);
    await call('post', tk, path, { body: { name: 'x', scopes: ['chat'] } }, 401);
    await call('post', tk, path, { token: created.token, body: { name: 'x', scopes: ['chat'] } }, 403);
    await call('get', tk, path, { token: u.token }, 200);
    await call('get', tk, path, {}, 401);
    await call('get', tk, `/api/${other.user.id}/tokens`, { token: u.token }, 403);
    // The token on a task route: within its scope, and outside it (403 with required_scope).
    await call('get', '/api/{user_id}/tasks', `/api/${u.user.id}/tasks`, { token: created.token }, 200);
    const refused = await call('post', '/api/{user_id}/tasks', `/api/${u.user.id}/tasks`, { token: created.token, body: { title: 'x' } }, 403);
    assert.equal(refused.json.required_scope, 'tasks:write');
    const one = '/api/{user_id}/tokens/{id}';
    await call('delete', one, `${path}/${created.id}`, { token: u.token }, 204);
    await call('delete', one, `${path}/${created.id}`, { token: u.token }, 404);
    await call('delete', one, `${path}/${created.id}`, {}, 401);
    await call('get', '/api/{user_id}/tasks', `/api/${u.user.id}/tasks`, { token: created.token }, 401);
  });

  test('chat and conversation routes', async () => {
    const u = await server.signUp();
    const other = await server.signUp();
    const call = checkedCall;
    const chat = '/api/{user_id}/chat';
    const path = `/api/${u.user.id}/chat`;
    llm.script({ calls: [{ name: 'add_task', arguments: { title: 'From chat' } }, { name: 'no_such_tool', arguments: {} }] }, { text: 'Added.' });
    const reply = (await call('post', chat, path, { token: u.token, body: { message: 'add From chat', timezone: 'Europe/Berlin' } }, 200)).json;
    assert.deepEqual(reply.tool_calls.map((c) => c.is_error), [false, true]);
    llm.script({ calls: [{ name: 'add_task', arguments: { title: 'Applied' } }] }, { status: 500, body: {} });
    const failed = await call('post', chat, path, { token: u.token, body: { conversation_id: reply.conversation_id, message: 'again' } }, 503);
    assert.equal(failed.json.applied_tool_calls.length, 1);
    await call('post', chat, path, { token: u.token, body: { message: ' ' } }, 422);
    await call('post', chat, path, { token: u.token, body: { message: 'x', conversation_id: 999_999_999 } }, 404);
    await call('post', chat, path, { token: u.token, raw: '{' }, 400);
    await call('post', chat, path, { token: u.token, raw: 'x', headers: { 'Content-Type': 'text/plain' } }, 415);
    await call('post', chat, path, { token: u.token, raw: JSON.stringify({ message: 'x'.repeat(70_000) }) }, 413);
    await call('post', chat, path, { body: { message: 'x' } }, 401);
    await call('post', chat, `/api/${other.user.id}/chat`, { token: u.token, body: { message: 'x' } }, 403);
    const list = '/api/{user_id}/conversations';
    await call('get', list, `/api/${u.user.id}/conversations`, { token: u.token }, 200);
    await call('get', list, `/api/${u.user.id}/conversations?limit=500`, { token: u.token }, 400);
    await call('get', list, `/api/${u.user.id}/conversations`, {}, 401);
    await call('get', list, `/api/${other.user.id}/conversations`, { token: u.token }, 403);
    const one = '/api/{user_id}/conversations/{id}';
    const onePath = `/api/${u.user.id}/conversations/${reply.conversation_id}`;
    const got = await call('get', one, onePath, { token: u.token }, 200);
    assert.deepEqual(got.json.items.map((m) => m.role), ['user', 'assistant', 'user', 'assistant']);
    await call('get', one, `${onePath}?cursor=x`, { token: u.token }, 400);
    await call('get', one, `/api/${other.user.id}/conversations/${reply.conversation_id}`, { token: other.token }, 404);
    await call('get', one, onePath, {}, 401);
    await call('delete', one, onePath, { token: u.token }, 204);
    await call('delete', one, onePath, { token: u.token }, 404);
    await call('get', one, onePath, { token: other.token }, 403);
  });

  test('ops routes and unknown routes', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await server.api('GET', path);
      assert.equal(res.status, 200, `${path}: ${res.text.slice(0, 200)}`);
      checkResponse('get', path, res);
    }
    const res = await server.api('GET', '/no/such/route');
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type'), /^application\/problem\+json/);
    assert.equal(validates('Problem', res.json), null);
  });

  test('every described operation was seen answering with a 2xx', () => {
    for (const [m, p] of SERVED) {
      assert.ok([...covered].some((k) => k.startsWith(`${m} ${p} 2`)), `${m.toUpperCase()} ${p} has no validated 2xx response`);
    }
  });
});
