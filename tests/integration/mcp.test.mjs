// The MCP server (issue 12, items 2 and 3) against the official TypeScript SDK client, over
// streamable HTTP (POST/DELETE /mcp) and over stdio (`todo mcp --stdio`, bridged to the
// server): tools listed with valid JSON Schemas, every tool called and its result checked
// against its outputSchema, the user from the credential (a forged user_id refused),
// business failures as isError results, malformed calls as JSON-RPC errors, sessions,
// Origin, auth, and the events and audit entries of MCP-made changes (source "mcp").
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import { waitForAudit } from './audit_helpers.mjs';
import { BINARY, metricValue, REPO_ROOT, startServer } from './harness.mjs';
import { readFileSync } from 'node:fs';

const TOOLS = ['add_task', 'list_tasks', 'complete_task', 'delete_task', 'update_task', 'get_task',
  'search_tasks', 'list_audit'];

let server;
let alice;
let bob;
let client;
let transport;
let tools;  // name -> definition from tools/list
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats(ajv);

async function connect(user, { version } = {}) {
  const t = new StreamableHTTPClientTransport(new URL(`${server.baseUrl}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${user.token}` } },
  });
  const c = new Client({ name: 'todo-mcp-test', version: '1.0.0' });
  await c.connect(t);
  return { client: c, transport: t, version };
}

// Raw JSON-RPC over HTTP, for what the SDK would never send.
async function rpc(body, { token = alice.token, session, headers = {}, accept = 'application/json, text/event-stream' } = {}) {
  const h = { 'Content-Type': 'application/json', Accept: accept, ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (session) h['Mcp-Session-Id'] = session;
  const res = await fetch(`${server.baseUrl}/mcp`, {
    method: 'POST', headers: h, body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

const initMessage = (protocolVersion = '2025-06-18', id = 1) => ({
  jsonrpc: '2.0', id, method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});

async function rawSession(token = alice.token, version = '2025-06-18') {
  const res = await rpc(initMessage(version), { token });
  assert.equal(res.status, 200, res.text);
  const session = res.headers.get('mcp-session-id');
  assert.ok(session, 'initialize answers with Mcp-Session-Id');
  return session;
}

function checkOutput(name, result) {
  assert.notEqual(result.isError, true, `${name}: ${JSON.stringify(result.content)}`);
  const validate = ajv.compile(tools[name].outputSchema);
  assert.ok(validate(result.structuredContent), `${name} output: ${ajv.errorsText(validate.errors)}`);
  // The text content mirrors the structured result.
  assert.deepEqual(JSON.parse(result.content[0].text), result.structuredContent);
  return result.structuredContent;
}

before(async () => {
  server = await startServer();
  alice = await server.signUp({ name: 'Alice' });
  bob = await server.signUp({ name: 'Bob' });
  ({ client, transport } = await connect(alice));
  const listed = await client.listTools();
  tools = Object.fromEntries(listed.tools.map((t) => [t.name, t]));
});
after(async () => {
  await client?.close();
  await server?.cleanup();
});

describe('over streamable HTTP with the SDK client', () => {
  test('initialize negotiates the SDK protocol version and opens a session', () => {
    assert.equal(transport.protocolVersion, '2025-11-25');
    assert.match(transport.sessionId, /^[0-9a-f]{64}$/);
    assert.equal(client.getServerVersion().name, 'todo');
    assert.deepEqual(client.getServerCapabilities().tools, { listChanged: false });
  });

  test('tools/list: every tool, with titles, annotations and schemas that compile', () => {
    assert.deepEqual(Object.keys(tools).sort(), [...TOOLS].sort());
    for (const t of Object.values(tools)) {
      assert.ok(t.title && t.description, t.name);
      assert.equal(t.inputSchema.type, 'object', t.name);
      assert.equal(t.outputSchema.type, 'object', t.name);
      ajv.compile(t.inputSchema);
      ajv.compile(t.outputSchema);
      assert.equal(t.annotations.openWorldHint, false, t.name);
    }
    assert.equal(tools.delete_task.annotations.destructiveHint, true);
    for (const name of ['list_tasks', 'get_task', 'search_tasks', 'list_audit'])
      assert.equal(tools[name].annotations.readOnlyHint, true, name);
    assert.equal(tools.add_task.annotations.readOnlyHint, false);
    // The REST limits, stated once (tools/tool_schemas.cpp; the unit test checks the agreement).
    assert.equal(tools.add_task.inputSchema.properties.title.maxLength, 500);
    assert.deepEqual(tools.add_task.inputSchema.properties.priority.enum, ['low', 'medium', 'high']);
  });

  test('the task fields of add_task and update_task agree with the OpenAPI TaskInput and TaskPatch', () => {
    const doc = JSON.parse(readFileSync(join(REPO_ROOT, 'openapi', 'openapi.json'), 'utf8'));
    const deref = (schema) => {
      let out = schema;
      while (out?.$ref) out = doc.components.schemas[out.$ref.split('/').pop()];
      if (out?.items) out = { ...out, items: deref(out.items) };
      return out;
    };
    const KEYWORDS = ['type', 'minLength', 'maxLength', 'maxItems', 'enum', 'items'];
    const constraints = (schema) => {
      const s = deref(schema);
      const out = {};
      for (const k of KEYWORDS) if (s[k] !== undefined) out[k] = k === 'items' ? constraints(s[k]) : s[k];
      return out;
    };
    for (const [tool, rest] of [['add_task', 'TaskInput'], ['update_task', 'TaskPatch']]) {
      const restProps = doc.components.schemas[rest].properties;
      const toolProps = tools[tool].inputSchema.properties;
      const shared = Object.keys(restProps).filter((k) => !restProps[k].readOnly);
      for (const field of shared) {
        assert.ok(toolProps[field], `${tool} lacks ${field}`);
        const mine = constraints(toolProps[field]);
        // The tool may say more (timezone's maxLength), never less or otherwise.
        for (const [k, v] of Object.entries(constraints(restProps[field])))
          assert.deepEqual(mine[k], v, `${tool}.${field}.${k} vs ${rest}`);
      }
    }
  });

  test('every tool runs, and its result conforms to its outputSchema', async () => {
    // A REST list answered (and cached) before: MCP writes must end the cached answer.
    const restList = () => server.api('GET', `/api/${alice.user.id}/tasks`, { token: alice.token });
    assert.deepEqual((await restList()).json.items, []);
    const added = checkOutput('add_task', await client.callTool({ name: 'add_task', arguments: {
      title: 'Buy milk', priority: 'high', tags: ['home'], due_at: '2026-12-01T09:00:00Z' } }));
    assert.equal(added.status, 'created');
    assert.equal(added.title, 'Buy milk');
    assert.equal(added.task.user_id, alice.user.id);
    const id = added.task_id;
    assert.deepEqual((await restList()).json.items.map((t) => t.id), [id]);
    // The same task through REST.
    const rest = await server.api('GET', `/api/${alice.user.id}/tasks/${id}`, { token: alice.token });
    assert.equal(rest.status, 200);
    assert.equal(rest.json.priority, 'high');

    const listed = checkOutput('list_tasks', await client.callTool({ name: 'list_tasks', arguments: {} }));
    assert.deepEqual(listed.tasks.map((t) => [t.id, t.title, t.completed]), [[id, 'Buy milk', false]]);

    const got = checkOutput('get_task', await client.callTool({ name: 'get_task', arguments: { task_id: id } }));
    assert.deepEqual(got.task.tags, ['home']);

    const updated = checkOutput('update_task', await client.callTool({ name: 'update_task',
      arguments: { task_id: id, title: 'Buy oat milk', due_at: null } }));
    assert.deepEqual([updated.status, updated.title, updated.task.due_at], ['updated', 'Buy oat milk', null]);

    const nothing = await client.callTool({ name: 'update_task', arguments: { task_id: id } });
    assert.equal(nothing.isError, true);
    assert.match(nothing.content[0].text, /Nothing to change/);

    const done = checkOutput('complete_task', await client.callTool({ name: 'complete_task', arguments: { task_id: id } }));
    assert.deepEqual([done.status, done.task.completed], ['completed', true]);
    const pending = checkOutput('list_tasks', await client.callTool({ name: 'list_tasks', arguments: { status: 'pending' } }));
    assert.equal(pending.tasks.length, 0);

    const found = checkOutput('search_tasks', await client.callTool({ name: 'search_tasks',
      arguments: { q: 'oat', status: 'completed', sort: 'title', limit: 5 } }));
    assert.deepEqual(found.tasks.map((t) => t.id), [id]);
    assert.equal(found.next_cursor, null);

    const deleted = checkOutput('delete_task', await client.callTool({ name: 'delete_task', arguments: { task_id: id } }));
    assert.deepEqual(deleted, { task_id: id, status: 'deleted', title: 'Buy oat milk' });
    assert.equal((await server.api('GET', `/api/${alice.user.id}/tasks/${id}`, { token: alice.token })).status, 404);

    // Events and audit entries of the MCP-made changes, with source "mcp".
    const log = await waitForAudit(server, alice, 4);
    const mine = log.filter((e) => e.task_id === id);
    assert.deepEqual(mine.map((e) => e.event_type).reverse(), ['created', 'updated', 'completed', 'deleted']);
    for (const e of mine) assert.equal(e.source, 'mcp', JSON.stringify(e));

    const audit = checkOutput('list_audit', await client.callTool({ name: 'list_audit', arguments: { task_id: id } }));
    assert.deepEqual(audit.items.map((e) => e.event_type), ['deleted', 'completed', 'updated', 'created']);
  });

  test('business failures are isError results a model can act on', async () => {
    const missing = await client.callTool({ name: 'get_task', arguments: { task_id: 999999 } });
    assert.equal(missing.isError, true);
    assert.match(missing.content[0].text, /999999 does not exist/);
    const badRule = await client.callTool({ name: 'add_task', arguments: { title: 'x', recurrence: 'FREQ=SOMETIMES' } });
    assert.equal(badRule.isError, true);
    assert.match(badRule.content[0].text, /recurrence/);
    // Another user's task is simply not found.
    const bobs = await server.api('POST', `/api/${bob.user.id}/tasks`, { token: bob.token, body: { title: 'bob' } });
    const other = await client.callTool({ name: 'delete_task', arguments: { task_id: bobs.json.id } });
    assert.equal(other.isError, true);
    assert.equal((await server.api('GET', `/api/${bob.user.id}/tasks/${bobs.json.id}`, { token: bob.token })).status, 200);
  });

  test('the user comes from the credential: a forged user_id is refused, the own one accepted', async () => {
    const forged = await client.callTool({ name: 'add_task', arguments: { user_id: bob.user.id, title: 'forged' } });
    assert.equal(forged.isError, true);
    assert.match(forged.content[0].text, /user_id/);
    const bobsTasks = await server.api('GET', `/api/${bob.user.id}/tasks`, { token: bob.token });
    assert.ok(!bobsTasks.json.items.some((t) => t.title === 'forged'));
    const own = await client.callTool({ name: 'add_task', arguments: { user_id: alice.user.id, title: 'own' } });
    assert.equal(checkOutput('add_task', own).task.user_id, alice.user.id);
  });

  test('personal access tokens: each tool needs its scope; a token without a tool scope is refused', async () => {
    const pat = async (scopes) => {
      const res = await server.api('POST', `/api/${alice.user.id}/tokens`, { token: alice.token, body: { name: `mcp ${scopes.join(' ')}`, scopes } });
      assert.equal(res.status, 201, res.text);
      return { ...alice, token: res.json.token };
    };
    const reader = await connect(await pat(['tasks:read']));
    try {
      const mine = await server.api('POST', `/api/${alice.user.id}/tasks`, { token: alice.token, body: { title: 'keep me' } });
      const listed = await reader.client.callTool({ name: 'list_tasks', arguments: {} });
      assert.ok(checkOutput('list_tasks', listed).tasks.some((t) => t.id === mine.json.id));
      const refused = await reader.client.callTool({ name: 'delete_task', arguments: { task_id: mine.json.id } });
      assert.equal(refused.isError, true);
      assert.match(refused.content[0].text, /tasks:write/);
      assert.equal((await server.api('GET', `/api/${alice.user.id}/tasks/${mine.json.id}`, { token: alice.token })).status, 200);
      const audit = await reader.client.callTool({ name: 'list_audit', arguments: {} });
      assert.equal(audit.isError, true);
      assert.match(audit.content[0].text, /audit:read/);
    } finally {
      await reader.client.close();
    }
    // Only a scope no tool uses: not even a session.
    const bell = await pat(['notifications:read']);
    const res = await rpc(initMessage(), { token: bell.token });
    assert.equal(res.status, 403, res.text);
    assert.equal(JSON.parse(res.text).required_scope, 'tasks:read');
  });

  test('arguments against the inputSchema and unknown tools are JSON-RPC errors (-32602)', async () => {
    await assert.rejects(client.callTool({ name: 'add_task', arguments: { title: 'x'.repeat(501) } }),
      (e) => e.code === -32602 && /title/.test(e.message));
    await assert.rejects(client.callTool({ name: 'add_task', arguments: { title: 'x', priority: 'urgent' } }),
      (e) => e.code === -32602 && /priority/.test(e.message));
    await assert.rejects(client.callTool({ name: 'add_task', arguments: { title: 'x', colour: 'red' } }),
      (e) => e.code === -32602 && /colour/.test(e.message));
    await assert.rejects(client.callTool({ name: 'get_task', arguments: {} }),
      (e) => e.code === -32602 && /task_id/.test(e.message));
    await assert.rejects(client.callTool({ name: 'drop_database', arguments: {} }),
      (e) => e.code === -32602 && /Unknown tool/.test(e.message));
    // Nothing was created by the refused calls.
    const titles = (await server.listAll(alice)).map((t) => t.title);
    assert.ok(!titles.includes('x'));
  });

  test('ping answers', async () => {
    assert.deepEqual(await client.ping(), {});
  });

  test('DELETE ends the session; the ended session is then 404', async () => {
    const s = await connect(alice);
    const id = s.transport.sessionId;
    await s.transport.terminateSession();
    const res = await rpc({ jsonrpc: '2.0', id: 2, method: 'ping' }, { session: id });
    assert.equal(res.status, 404);
    await s.client.close();
  });
});

describe('streamable HTTP rules (raw requests)', () => {
  test('no token: 401 with WWW-Authenticate: Bearer; a bad token too', async () => {
    const none = await rpc(initMessage(), { token: null });
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate'), /^Bearer/);
    const bad = await rpc(initMessage(), { token: 'not-a-token' });
    assert.equal(bad.status, 401);
  });

  test('Origin: another site 403, our own origin accepted', async () => {
    const evil = await rpc(initMessage(), { headers: { Origin: 'http://evil.example' } });
    assert.equal(evil.status, 403);
    const own = await rpc(initMessage(), { headers: { Origin: server.baseUrl } });
    assert.equal(own.status, 200, own.text);
  });

  test('--mcp-allowed-origins admits the origins it lists, and only those', async () => {
    const listed = await startServer({ env: { TODO_MCP_ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:3000' } });
    try {
      const u = await listed.signUp();
      const init = (origin) => listed.api('POST', '/mcp', { token: u.token, body: initMessage(), headers: { Origin: origin, Accept: 'application/json' } });
      assert.equal((await init('https://app.example.com')).status, 200);
      assert.equal((await init('http://localhost:3000')).status, 200);
      assert.equal((await init('https://app.example.com.evil.test')).status, 403);
      assert.equal((await init('null')).status, 403);
    } finally {
      await listed.cleanup();
    }
  });

  test('a request without Mcp-Session-Id is 400; an unknown or another user\'s session 404', async () => {
    const missing = await rpc({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    assert.equal(missing.status, 400);
    const unknown = await rpc({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { session: 'f'.repeat(64) });
    assert.equal(unknown.status, 404);
    const alices = await rawSession(alice.token);
    const stolen = await rpc({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { token: bob.token, session: alices });
    assert.equal(stolen.status, 404);
    const del = await fetch(`${server.baseUrl}/mcp`, { method: 'DELETE', headers: { Authorization: `Bearer ${bob.token}`, 'Mcp-Session-Id': alices } });
    assert.equal(del.status, 404);
    const ok = await rpc({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { session: alices });
    assert.equal(ok.status, 200);
  });

  test('version negotiation: a supported version is echoed, an unknown one gets the latest', async () => {
    for (const v of ['2025-06-18', '2025-03-26', '2025-11-25']) {
      const res = await rpc(initMessage(v));
      assert.equal(res.json.result.protocolVersion, v);
    }
    const old = await rpc(initMessage('1999-01-01'));
    assert.equal(old.json.result.protocolVersion, '2025-11-25');
  });

  test('MCP-Protocol-Version: an unsupported one is 400', async () => {
    const session = await rawSession();
    const res = await rpc({ jsonrpc: '2.0', id: 3, method: 'ping' }, { session, headers: { 'MCP-Protocol-Version': '2024-01-01' } });
    assert.equal(res.status, 400);
    const good = await rpc({ jsonrpc: '2.0', id: 3, method: 'ping' }, { session, headers: { 'MCP-Protocol-Version': '2025-06-18' } });
    assert.equal(good.status, 200);
  });

  test('notifications are 202; unknown methods -32601; parse errors -32700', async () => {
    const session = await rawSession();
    const note = await rpc({ jsonrpc: '2.0', method: 'notifications/initialized' }, { session });
    assert.equal(note.status, 202);
    assert.equal(note.text, '');
    const unknown = await rpc({ jsonrpc: '2.0', id: 4, method: 'resources/list' }, { session });
    assert.equal(unknown.json.error.code, -32601);
    const notRpc = await rpc({ jsonrpc: '1.0', id: 5, method: 'ping' }, { session });
    assert.equal(notRpc.status, 400);
    assert.equal(notRpc.json.error.code, -32600);
    const garbage = await rpc('{"jsonrpc":', { session });
    assert.equal(garbage.status, 400);
    assert.equal(garbage.json.error.code, -32700);
  });

  test('batches are refused for 2025-06-18 and answered for 2025-03-26', async () => {
    const batch = [{ jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', id: 2, method: 'tools/list' }];
    const s18 = await rawSession(alice.token, '2025-06-18');
    const refused = await rpc(batch, { session: s18, headers: { 'MCP-Protocol-Version': '2025-06-18' } });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.code, -32600);
    const s03 = await rawSession(alice.token, '2025-03-26');
    const answered = await rpc(batch, { session: s03, headers: { 'MCP-Protocol-Version': '2025-03-26' } });
    assert.equal(answered.status, 200);
    assert.deepEqual(answered.json.map((r) => r.id), [1, 2]);
    // JSON-RPC 2.0: an empty batch is an invalid request; and a batch holds at most 50.
    const empty = await rpc([], { session: s03, headers: { 'MCP-Protocol-Version': '2025-03-26' } });
    assert.equal(empty.status, 400);
    assert.equal(empty.json.error.code, -32600);
    assert.match(empty.json.error.message, /empty batch/);
    const pings = (n) => Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'ping' }));
    const fifty = await rpc(pings(50), { session: s03, headers: { 'MCP-Protocol-Version': '2025-03-26' } });
    assert.equal(fifty.status, 200);
    assert.equal(fifty.json.length, 50);
    const tooMany = await rpc(pings(51), { session: s03, headers: { 'MCP-Protocol-Version': '2025-03-26' } });
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.json.error.code, -32600);
    assert.match(tooMany.json.error.message, /at most 50 messages, not 51/);
  });

  test('a client that accepts only an event stream gets the answer as an SSE event', async () => {
    const session = await rawSession();
    const res = await rpc({ jsonrpc: '2.0', id: 7, method: 'ping' }, { session, accept: 'text/event-stream' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    const data = res.text.split('\n').find((l) => l.startsWith('data: '));
    assert.deepEqual(JSON.parse(data.slice(6)), { jsonrpc: '2.0', id: 7, result: {} });
  });

  test('integers written as 5.0 or 1e300 are read as numbers, never a crash', async () => {
    const session = await rawSession();
    const call = (args) => rpc(`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"search_tasks","arguments":${args}}}`, { session });
    const five = await call('{"limit":5.0}');
    assert.equal(five.json.result.isError, false, five.text);
    // Past int64 a task id is a bad argument (as REST's 400 id), not a task that is missing.
    const huge = await rpc('{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"get_task","arguments":{"task_id":1e300}}}', { session });
    assert.equal(huge.json.error.code, -32602, huge.text);
    const largest = await rpc('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_task","arguments":{"task_id":9223372036854775807}}}', { session });
    assert.equal(largest.json.result.isError, true, largest.text);
    assert.equal((await call('{"limit":1e300}')).json.error.code, -32602);
  });

  test('a message over --mcp-max-body-bytes is 413, before anything runs', async () => {
    const session = await rawSession();
    const title = 'x'.repeat(300 * 1024);
    const res = await rpc({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'add_task', arguments: { title } } }, { session });
    assert.equal(res.status, 413);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
  });

  test('sessions per user are capped: a new one ends the least recently used', async () => {
    const capped = await startServer({ env: { TODO_MCP_MAX_SESSIONS_PER_USER: '3' } });
    try {
      const [carol, dave] = [await capped.signUp({ name: 'Carol' }), await capped.signUp({ name: 'Dave' })];
      const post = async (user, body, session) => {
        const h = { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${user.token}` };
        if (session) h['Mcp-Session-Id'] = session;
        const res = await fetch(`${capped.baseUrl}/mcp`, { method: 'POST', headers: h, body: JSON.stringify(body) });
        await res.arrayBuffer();
        return res;
      };
      const open = async (user) => (await post(user, initMessage())).headers.get('mcp-session-id');
      const ping = async (user, session) => (await post(user, { jsonrpc: '2.0', id: 9, method: 'ping' }, session)).status;
      const d1 = await open(dave);
      const [s1, s2, s3] = [await open(carol), await open(carol), await open(carol)];
      assert.equal(await ping(carol, s1), 200);  // s2 is now Carol's least recently used
      const s4 = await open(carol);
      assert.equal(await ping(carol, s2), 404);
      for (const s of [s1, s3, s4]) assert.equal(await ping(carol, s), 200);
      assert.equal(await ping(dave, d1), 200);  // another user's sessions are not counted
    } finally {
      await capped.cleanup();
    }
  });

  test('GET /mcp is 405 (no server-initiated stream)', async () => {
    const res = await fetch(`${server.baseUrl}/mcp`, { headers: { Authorization: `Bearer ${alice.token}`, Accept: 'text/event-stream' } });
    assert.equal(res.status, 405);
    assert.match(res.headers.get('allow'), /POST/);
  });
});

describe('over stdio (todo mcp --stdio)', () => {
  test('the SDK client lists and calls tools through the stdio bridge', async () => {
    const t = new StdioClientTransport({
      command: BINARY, args: ['mcp', '--stdio'],
      env: { PATH: process.env.PATH, TODO_TOKEN: alice.token, TODO_URL: server.baseUrl },
      stderr: 'pipe',
    });
    const c = new Client({ name: 'todo-stdio-test', version: '1.0.0' });
    await c.connect(t);
    try {
      const listed = await c.listTools();
      assert.deepEqual(listed.tools.map((x) => x.name).sort(), [...TOOLS].sort());
      const added = checkOutput('add_task', await c.callTool({ name: 'add_task', arguments: { title: 'from stdio' } }));
      const rest = await server.api('GET', `/api/${alice.user.id}/tasks/${added.task_id}`, { token: alice.token });
      assert.equal(rest.json.title, 'from stdio');
      const forged = await c.callTool({ name: 'list_tasks', arguments: { user_id: bob.user.id } });
      assert.equal(forged.isError, true);
    } finally {
      await c.close();
    }
  });

  test('a bad token: the initialize request gets a JSON-RPC error, not a hang', async () => {
    const t = new StdioClientTransport({
      command: BINARY, args: ['mcp', '--stdio'],
      env: { PATH: process.env.PATH, TODO_TOKEN: 'bogus', TODO_URL: server.baseUrl }, stderr: 'pipe',
    });
    const c = new Client({ name: 'todo-stdio-test', version: '1.0.0' });
    await assert.rejects(c.connect(t), (e) => e.code === -32001 && /401/.test(e.message));
    await c.close();
  });
});

describe('the MCP Inspector CLI (@modelcontextprotocol/inspector --cli)', () => {
  const bin = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', '.bin', 'mcp-inspector');
  const inspect = async (...args) => {
    // Its catalog file in a temporary directory, not in the home directory.
    const dir = mkdtempSync(join(tmpdir(), 'mcp-inspector-'));
    try {
      const { stdout } = await promisify(execFile)(bin, ['--cli', `${server.baseUrl}/mcp`, '--transport', 'http',
        '--header', `Authorization: Bearer ${alice.token}`, ...args],
      { env: { ...process.env, MCP_CATALOG_PATH: join(dir, 'catalog.json') }, timeout: 60_000 });
      return JSON.parse(stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  test('lists the tools and calls add_task', async () => {
    const listed = await inspect('--method', 'tools/list');
    assert.deepEqual(listed.tools.map((t) => t.name).sort(), [...TOOLS].sort());
    const called = await inspect('--method', 'tools/call', '--tool-name', 'add_task', '--tool-arg', 'title=From the Inspector', 'priority=low');
    assert.notEqual(called.isError, true, JSON.stringify(called));
    assert.equal(called.structuredContent.status, 'created');
    const rest = await server.api('GET', `/api/${alice.user.id}/tasks/${called.structuredContent.task_id}`, { token: alice.token });
    assert.deepEqual([rest.json.title, rest.json.priority], ['From the Inspector', 'low']);
  });
});

describe('metrics', () => {
  test('tool calls are counted by tool, source and outcome', async () => {
    const ok = await metricValue(server, 'todo_tool_calls_total\\{tool="add_task",source="mcp",outcome="ok"\\}');
    assert.ok(ok >= 3, `add_task ok: ${ok}`);
    const refused = await metricValue(server, 'todo_tool_calls_total\\{tool="unknown",source="mcp",outcome="refused"\\}');
    assert.ok(refused >= 1, `unknown refused: ${refused}`);
    const sessions = await metricValue(server, 'todo_mcp_sessions');
    assert.ok(sessions >= 1, `sessions: ${sessions}`);
  });
});
