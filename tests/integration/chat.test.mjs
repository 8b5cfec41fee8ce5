// The chat (issue 12 item 4; src/chat): POST /api/{user_id}/chat against a scripted fake
// OpenAI-compatible endpoint (fake_llm.mjs) that records what it receives: multi-round tool
// calls, malformed arguments, an unknown tool, a 500, garbage and a timeout from the LLM (503
// with Retry-After, the message kept, the applied calls listed), the history sent back on the
// next request, another user's task (not found), a forged user_id (refused), access token
// scopes (`chat`, then each tool's own), the conversations (list, get, delete, isolation), the
// limits, and the API key never in the output or an answer. Answers are checked against
// openapi/openapi.json. Runs on both backends (TODO_TEST_BACKEND).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import { REPO_ROOT, problemOf, startServer, waitUntil } from './harness.mjs';
import { auditAll } from './audit_helpers.mjs';
import { FakeLlm } from './fake_llm.mjs';

const API_KEY = 'sk-test-CHATKEYMARKER-4f1d9a7c2b';
const MAX_ROUNDS = 3;

// ---- the answers against the OpenAPI document ----
const DOC = JSON.parse(readFileSync(join(REPO_ROOT, 'openapi', 'openapi.json'), 'utf8'));
const SCHEMAS_ID = 'https://todo.test/schemas';
const rewriteRefs = (schema) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${SCHEMAS_ID}#/$defs/`));
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats(ajv);
ajv.addFormat('int64', { type: 'number', validate: (n) => Number.isSafeInteger(n) });
ajv.addSchema({ $id: SCHEMAS_ID, $defs: rewriteRefs(DOC.components.schemas) });
function conforms(name, value) {
  const v = ajv.getSchema(`${SCHEMAS_ID}#/$defs/${name}`);
  assert.ok(v(value), `${name}: ${ajv.errorsText(v.errors)} in ${JSON.stringify(value).slice(0, 500)}`);
}

let llm;
let server;
before(async () => {
  llm = await new FakeLlm().start();
  server = await startServer({
    env: {
      TODO_LLM_BASE_URL: llm.baseUrl,
      TODO_LLM_API_KEY: API_KEY,
      TODO_LLM_MODEL: 'fake-model',
      TODO_LLM_TIMEOUT: '3s',
      TODO_CHAT_MAX_TOOL_ROUNDS: String(MAX_ROUNDS),
      TODO_CHAT_HISTORY_MESSAGES: '4',
      TODO_LOG_LEVEL: 'debug',  // the key must not appear even there
    },
  });
});
after(async () => {
  await server?.cleanup();
  await llm?.stop();
});

const chatPath = (u) => `/api/${u.user.id}/chat`;
async function chat(u, body, cred = { token: u.token }) {
  llm.requests = [];
  return server.api('POST', chatPath(u), { ...cred, body });
}
async function chatOk(u, body, cred) {
  const res = await chat(u, body, cred);
  assert.equal(res.status, 200, res.text);
  conforms('ChatReply', res.json);
  assert.ok(!res.text.includes(API_KEY));
  return res.json;
}
async function tasksOf(u) {
  const res = await server.api('GET', `/api/${u.user.id}/tasks?status=all`, { token: u.token });
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}
async function conversation(u, id, query = '') {
  const res = await server.api('GET', `/api/${u.user.id}/conversations/${id}${query}`, { token: u.token });
  assert.equal(res.status, 200, res.text);
  conforms('ConversationMessages', res.json);
  return res.json;
}
const toolMessages = (request) => request.body.messages.filter((m) => m.role === 'tool');

describe('the LLM agent', () => {
  test('multi-round tool calls: each round runs the calls and sends the results back', async () => {
    const u = await server.signUp();
    llm.script(
      { calls: [{ name: 'add_task', arguments: { title: 'Buy milk', priority: 'high' } }] },
      { calls: [{ name: 'list_tasks', arguments: { status: 'pending' } }] },
      { text: 'Added "Buy milk"; it is your only pending task.' },
    );
    const reply = await chatOk(u, { message: 'Add buy milk, high priority, then show my list', timezone: 'Europe/Paris' });
    assert.equal(reply.response, 'Added "Buy milk"; it is your only pending task.');
    assert.deepEqual(reply.tool_calls.map((c) => [c.name, c.is_error]), [['add_task', false], ['list_tasks', false]]);
    assert.deepEqual(reply.tool_calls[0].arguments, { title: 'Buy milk', priority: 'high' });
    const [task] = await tasksOf(u);
    assert.equal(task.title, 'Buy milk');
    assert.equal(task.priority, 'high');
    assert.equal(reply.tool_calls[0].result.task_id, task.id);
    assert.deepEqual(reply.tool_calls[1].result.tasks.map((t) => t.id), [task.id]);

    // What the endpoint received: three requests, with the key, the model and the tools.
    assert.equal(llm.requests.length, 3);
    for (const r of llm.requests) {
      assert.equal(r.method, 'POST');
      assert.equal(r.path, '/v1/chat/completions');
      assert.equal(r.headers.authorization, `Bearer ${API_KEY}`);
      assert.equal(r.body.model, 'fake-model');
      const names = r.body.tools.map((t) => t.function.name);
      for (const n of ['add_task', 'list_tasks', 'complete_task', 'delete_task', 'update_task']) assert.ok(names.includes(n), n);
      for (const t of r.body.tools) {
        assert.equal(t.type, 'function');
        assert.equal(t.function.parameters.type, 'object');
      }
    }
    const [first, second, third] = llm.requests;
    assert.equal(first.body.messages[0].role, 'system');
    assert.match(first.body.messages[0].content, /Europe\/Paris/);
    assert.match(first.body.messages[0].content, /\d{4}-\d{2}-\d{2}/);
    assert.deepEqual(first.body.messages.slice(1), [{ role: 'user', content: 'Add buy milk, high priority, then show my list' }]);
    // Round 2 carries the assistant's tool call and its result, under the call's id.
    const call = second.body.messages.at(-2);
    assert.equal(call.role, 'assistant');
    assert.equal(call.tool_calls[0].function.name, 'add_task');
    const [result] = toolMessages(second);
    assert.equal(result.tool_call_id, call.tool_calls[0].id);
    assert.equal(JSON.parse(result.content).task_id, task.id);
    assert.equal(toolMessages(third).length, 2);
    assert.equal(JSON.parse(toolMessages(third)[1].content).tasks[0].title, 'Buy milk');

    // Made through the registry with source "chat": the audit has it.
    const events = await waitUntil(async () => {
      const items = await auditAll(server, u);
      return items.length === 1 && items;
    }, 'the created event in the audit');
    assert.equal(events[0].event_type, 'created');
    assert.equal(events[0].task_id, task.id);
    assert.equal(events[0].source, 'chat', JSON.stringify(events[0]));
    const metrics = (await server.api('GET', '/metrics')).text;
    assert.match(metrics, /^todo_tool_calls_total\{tool="add_task",source="chat",outcome="ok"\} [1-9]/m);
    assert.match(metrics, /^todo_chat_messages_total\{outcome="ok"\} [1-9]/m);
  });

  test('malformed arguments and an unknown tool: the model is told, nothing runs, no crash', async () => {
    const u = await server.signUp();
    llm.script(
      { calls: [{ name: 'add_task', arguments: '{"title": "half' }, { name: 'drop_all_tables', arguments: {} }] },
      { calls: [{ name: 'add_task', arguments: { title: 42 } }] },
      { text: 'Sorry, I could not do that.' },
    );
    const reply = await chatOk(u, { message: 'add something' });
    assert.equal(reply.response, 'Sorry, I could not do that.');
    assert.deepEqual(reply.tool_calls.map((c) => [c.name, c.is_error]), [['add_task', true], ['drop_all_tables', true], ['add_task', true]]);
    const [malformed, unknown] = toolMessages(llm.requests[1]);
    assert.match(malformed.content, /^Error: the arguments of add_task are not a JSON object/);
    assert.match(unknown.content, /Unknown tool: drop_all_tables/);
    const invalid = toolMessages(llm.requests[2]).at(-1);
    assert.match(invalid.content, /title/, 'the schema violation names the argument');
    assert.deepEqual(await tasksOf(u), []);
  });

  test('another user\'s task id is not found, and a forged user_id is refused', async () => {
    const u = await server.signUp();
    const other = await server.signUp();
    const theirs = (await server.api('POST', `/api/${other.user.id}/tasks`, { token: other.token, body: { title: 'Theirs' } })).json;
    llm.script(
      { calls: [
        { name: 'complete_task', arguments: { task_id: theirs.id } },
        { name: 'delete_task', arguments: { task_id: theirs.id } },
        { name: 'add_task', arguments: { user_id: other.user.id, title: 'Planted' } },
      ] },
      { text: 'I could not find that task.' },
    );
    const reply = await chatOk(u, { message: 'complete task ' + theirs.id });
    assert.deepEqual(reply.tool_calls.map((c) => c.is_error), [true, true, true]);
    assert.match(reply.tool_calls[0].result.error, /does not exist/);
    assert.match(reply.tool_calls[2].result.error, /user_id/);
    assert.ok(!('user_id' in reply.tool_calls[2].arguments), 'the recorded arguments never carry a user_id');
    const [still] = await tasksOf(other);
    assert.equal(still.id, theirs.id);
    assert.equal(still.completed, false);
    assert.equal((await tasksOf(other)).length, 1);
    assert.deepEqual(await tasksOf(u), []);
  });

  test('the history is sent back on the next request, earlier tool calls summarised', async () => {
    const u = await server.signUp();
    llm.script({ calls: [{ name: 'add_task', arguments: { title: 'Call mum' } }] }, { text: 'Added "Call mum".' });
    const first = await chatOk(u, { message: 'remind me to call mum' });
    const [task] = await tasksOf(u);
    llm.script({ text: 'You asked me to add "Call mum".' });
    const second = await chatOk(u, { conversation_id: first.conversation_id, message: 'what did I ask?' });
    assert.equal(second.conversation_id, first.conversation_id);
    const sent = llm.requests[0].body.messages;
    assert.equal(sent[0].role, 'system');
    assert.deepEqual(sent.slice(1).map((m) => m.role), ['user', 'assistant', 'user']);
    assert.equal(sent[1].content, 'remind me to call mum');
    assert.match(sent[2].content, /^Added "Call mum"\./);
    assert.match(sent[2].content, new RegExp(`add_task \\{"title":"Call mum"\\} -> ok \\(task_id ${task.id}\\)`));
    assert.equal(sent[3].content, 'what did I ask?');

    // Cut to --chat-history-messages (4 here): after two more exchanges the first is gone.
    llm.script({ text: 'one' });
    await chatOk(u, { conversation_id: first.conversation_id, message: 'third' });
    llm.script({ text: 'two' });
    await chatOk(u, { conversation_id: first.conversation_id, message: 'fourth' });
    const cut = llm.requests[0].body.messages;
    assert.deepEqual(cut.slice(1).map((m) => m.content), ['what did I ask?', 'You asked me to add "Call mum".', 'third', 'one', 'fourth']);
  });

  test('the round limit: after it, one last request with tool_choice "none"', async () => {
    const u = await server.signUp();
    const looping = { calls: [{ name: 'list_tasks', arguments: {} }] };
    llm.script(...Array.from({ length: MAX_ROUNDS + 1 }, () => looping));
    const reply = await chatOk(u, { message: 'loop' });
    assert.equal(llm.requests.length, MAX_ROUNDS + 1);
    assert.deepEqual(llm.requests.map((r) => r.body.tool_choice), [...Array(MAX_ROUNDS).fill('auto'), 'none']);
    assert.equal(reply.tool_calls.length, MAX_ROUNDS, 'the calls of the last answer are not run');
    assert.match(reply.response, /stopped after 3 rounds/);
  });
});

describe('the LLM failing', () => {
  async function expectUnavailable(u, body, applied) {
    const res = await chat(u, body);
    const p = problemOf(res, 503);
    conforms('ChatUnavailable', p);
    assert.equal(p.type, '/problems/assistant-unavailable');
    assert.ok(Number(res.headers.get('retry-after')) >= 1, `Retry-After: ${res.headers.get('retry-after')}`);
    assert.deepEqual(p.applied_tool_calls.map((c) => c.name), applied);
    assert.ok(!res.text.includes(API_KEY));
    return p;
  }

  test('a 500 after a tool call: 503, the message kept, the applied call listed', async () => {
    const u = await server.signUp();
    llm.script(
      { calls: [{ name: 'add_task', arguments: { title: 'Water plants' } }] },
      { status: 500, body: { error: { message: `internal error; your key ${API_KEY}` } } },
    );
    const p = await expectUnavailable(u, { message: 'add water plants' }, ['add_task']);
    assert.match(p.detail, /HTTP 500/);
    assert.ok(!p.detail.includes('internal error'), 'never the LLM\'s body');
    const [task] = await tasksOf(u);
    assert.equal(p.applied_tool_calls[0].result.task_id, task.id);
    const view = await conversation(u, p.conversation_id);
    assert.deepEqual(view.items.map((m) => m.role), ['user', 'assistant']);
    assert.equal(view.items[0].content, 'add water plants');
    assert.deepEqual(view.items[1].tool_calls.map((c) => c.name), ['add_task'], 'the history says what was done');
  });

  test('Retry-After of the endpoint is passed on; garbage and empty answers are 503 too', async () => {
    const u = await server.signUp();
    llm.script({ status: 429, headers: { 'Retry-After': '7' }, body: { error: { message: 'rate limited' } } });
    let res = await chat(u, { message: 'hello' });
    problemOf(res, 503);
    assert.equal(res.headers.get('retry-after'), '7');
    llm.script({ status: 200, body: 'this is not JSON' });
    await expectUnavailable(u, { message: 'hello' }, []);
    llm.script({ status: 200, body: { choices: [] } });
    await expectUnavailable(u, { message: 'hello' }, []);
    llm.script({ text: '' });
    await expectUnavailable(u, { message: 'hello' }, []);
  });

  test('a timeout: 503 with Retry-After, the message kept', async () => {
    const u = await server.signUp();
    llm.script({ hang: true });
    const p = await expectUnavailable(u, { message: 'are you there?' }, []);
    const view = await conversation(u, p.conversation_id);
    assert.deepEqual(view.items.map((m) => [m.role, m.content]), [['user', 'are you there?']]);
  });

  test('unreachable: 503', async () => {
    const down = await startServer({ env: { TODO_LLM_BASE_URL: 'http://127.0.0.1:9/v1', TODO_LLM_API_KEY: API_KEY } });
    try {
      const u = await down.signUp();
      const res = await down.api('POST', chatPath(u), { token: u.token, body: { message: 'hi' } });
      const p = problemOf(res, 503);
      assert.equal(p.type, '/problems/assistant-unavailable');
      assert.ok(res.headers.get('retry-after'));
      assert.ok(!res.text.includes(API_KEY));
      assert.ok(!down.output.includes(API_KEY));
    } finally {
      await down.cleanup();
    }
  });

});

describe('without an LLM: the built-in assistant', () => {
  // The default of `make run`: no TODO_LLM_BASE_URL, so the chat answers with the built-in
  // English command assistant (src/assistant), through the same routes, storage and tools.
  let bare;
  before(async () => { bare = await startServer(); });
  after(async () => { await bare?.cleanup(); });
  const say = async (u, body) => {
    const res = await bare.api('POST', chatPath(u), { token: u.token, body: { timezone: 'Europe/Paris', ...body } });
    assert.equal(res.status, 200, res.text);
    conforms('ChatReply', res.json);
    return res.json;
  };

  test('adds with fields, lists, completes by number from the stored history, says what it did not understand', async () => {
    const u = await bare.signUp();
    const added = await say(u, { message: 'add Pay rent tomorrow 9am !high #home' });
    assert.deepEqual(added.tool_calls.map((c) => c.name), ['add_task']);
    const args = added.tool_calls[0].arguments;
    assert.equal(args.title, 'Pay rent');
    assert.equal(args.priority, 'high');
    assert.deepEqual(args.tags, ['home']);
    assert.ok(args.due_at, 'a due time');
    assert.match(added.response, /Pay rent/);
    const id = added.conversation_id;
    await say(u, { conversation_id: id, message: 'add Buy milk' });
    const listed = await say(u, { conversation_id: id, message: 'list' });
    assert.deepEqual(listed.tool_calls.map((c) => c.name), ['list_tasks']);
    const lines = listed.response.split('\n');
    const milk = lines.find((l) => l.includes('Buy milk'));
    const n = Number(/^\s*(\d+)/.exec(milk)?.[1]);
    assert.ok(n >= 1, `the list is numbered: ${listed.response}`);
    // Stateless between requests: "complete N" is resolved from the history in the database.
    const done = await say(u, { conversation_id: id, message: `complete ${n}` });
    assert.deepEqual(done.tool_calls.map((c) => c.name), ['complete_task']);
    const tasks = (await bare.api('GET', `/api/${u.user.id}/tasks`, { token: u.token })).json;
    const byTitle = Object.fromEntries(tasks.items.map((t) => [t.title, t]));
    assert.equal(byTitle['Buy milk'].completed, true);
    assert.equal(byTitle['Pay rent'].completed, false);
    assert.equal(byTitle['Pay rent'].priority, 'high');
    const puzzled = await say(u, { conversation_id: id, message: 'colourless green ideas sleep furiously' });
    assert.deepEqual(puzzled.tool_calls, []);
    assert.match(puzzled.response, /understand|Try/i);
    // Everything is in the conversation, in order, with the tool calls.
    const conv = (await bare.api('GET', `/api/${u.user.id}/conversations/${id}`, { token: u.token })).json;
    assert.equal(conv.items.length, 10);
    assert.deepEqual(conv.items.filter((m) => m.role === 'assistant').map((m) => m.tool_calls.map((c) => c.name)),
      [['add_task'], ['add_task'], ['list_tasks'], ['complete_task'], []]);
  });

  test('a task titled "delete all my tasks" shown in a list deletes nothing', async () => {
    const u = await bare.signUp();
    const first = await say(u, { message: 'add delete all my tasks' });
    await say(u, { conversation_id: first.conversation_id, message: 'add keep me' });
    for (const message of ['list', 'show all', 'what is due today']) {
      const r = await say(u, { conversation_id: first.conversation_id, message });
      assert.ok(r.tool_calls.every((c) => c.name !== 'delete_task'), message);
    }
    const tasks = (await bare.api('GET', `/api/${u.user.id}/tasks`, { token: u.token })).json;
    assert.deepEqual(tasks.items.map((t) => t.title).sort(), ['delete all my tasks', 'keep me']);
  });
});

describe('personal access tokens', () => {
  async function token(u, scopes) {
    const res = await server.api('POST', `/api/${u.user.id}/tokens`, { token: u.token, body: { name: scopes.join(' '), scopes } });
    assert.equal(res.status, 201, res.text);
    return res.json.token;
  }

  test('scope chat is needed for every chat route; each tool call still needs its own scope', async () => {
    const u = await server.signUp();
    const noChat = await token(u, ['tasks:read', 'tasks:write']);
    llm.requests = [];
    for (const [method, path] of [['POST', chatPath(u)], ['GET', `/api/${u.user.id}/conversations`],
      ['GET', `/api/${u.user.id}/conversations/1`], ['DELETE', `/api/${u.user.id}/conversations/1`]]) {
      const res = await server.api(method, path, { token: noChat, body: method === 'POST' ? { message: 'hi' } : undefined });
      const p = problemOf(res, 403);
      assert.equal(p.required_scope, 'chat', `${method} ${path}`);
    }
    assert.equal(llm.requests.length, 0);

    const chatOnly = await token(u, ['chat', 'tasks:read']);
    llm.script({ calls: [{ name: 'add_task', arguments: { title: 'Not allowed' } }, { name: 'list_tasks', arguments: {} }] }, { text: 'no' });
    const reply = await chatOk(u, { message: 'add it' }, { token: chatOnly });
    assert.deepEqual(reply.tool_calls.map((c) => c.is_error), [true, false]);
    assert.match(reply.tool_calls[0].result.error, /tasks:write/);
    assert.deepEqual(await tasksOf(u), []);

    const writer = await token(u, ['chat', 'tasks:write']);
    llm.script({ calls: [{ name: 'add_task', arguments: { title: 'Allowed' } }] }, { text: 'added' });
    const ok = await chatOk(u, { message: 'add it' }, { token: writer });
    assert.equal(ok.tool_calls[0].is_error, false);
    assert.deepEqual((await tasksOf(u)).map((t) => t.title), ['Allowed']);
  });

  test('cookie writes follow the CSRF rules of the other cookie routes', async () => {
    const u = await server.signUp();
    const res = await server.api('POST', chatPath(u), { cookie: u.cookie, body: { message: 'hi' }, headers: { Origin: 'https://evil.example' } });
    problemOf(res, 403);
    llm.script({ text: 'hello' });
    const own = await server.api('POST', chatPath(u), { cookie: u.cookie, body: { message: 'hi' }, headers: { Origin: server.baseUrl } });
    assert.equal(own.status, 200, own.text);
  });
});

describe('conversations', () => {
  test('list newest first with paging, messages oldest first with paging, delete', async () => {
    const u = await server.signUp();
    const ids = [];
    for (const m of ['first  topic\n here', 'second', 'third']) {
      llm.script({ text: `re: ${m}` });
      ids.push((await chatOk(u, { message: m })).conversation_id);
    }
    let res = await server.api('GET', `/api/${u.user.id}/conversations?limit=2`, { token: u.token });
    assert.equal(res.status, 200, res.text);
    conforms('ConversationPage', res.json);
    assert.deepEqual(res.json.items.map((c) => c.id), [ids[2], ids[1]]);
    assert.equal(typeof res.json.next_cursor, 'string');
    res = await server.api('GET', `/api/${u.user.id}/conversations?limit=2&cursor=${res.json.next_cursor}`, { token: u.token });
    assert.deepEqual(res.json.items.map((c) => [c.id, c.title]), [[ids[0], 'first topic here']]);
    assert.equal(res.json.next_cursor, null);

    for (let i = 0; i < 2; i++) {
      llm.script({ text: `answer ${i}` });
      await chatOk(u, { conversation_id: ids[0], message: `more ${i}` });
    }
    const page1 = await conversation(u, ids[0], '?limit=3');
    assert.equal(page1.conversation.id, ids[0]);
    assert.deepEqual(page1.items.map((m) => m.content), ['first  topic\n here', 're: first  topic\n here', 'more 0']);
    const page2 = await conversation(u, ids[0], `?limit=3&cursor=${page1.next_cursor}`);
    assert.deepEqual(page2.items.map((m) => m.content), ['answer 0', 'more 1', 'answer 1']);
    assert.equal(page2.next_cursor, null);
    problemOf(await server.api('GET', `/api/${u.user.id}/conversations?limit=0`, { token: u.token }), 400, 'limit');
    problemOf(await server.api('GET', `/api/${u.user.id}/conversations?cursor=x`, { token: u.token }), 400, 'cursor');

    res = await server.api('DELETE', `/api/${u.user.id}/conversations/${ids[0]}`, { token: u.token });
    assert.equal(res.status, 204, res.text);
    problemOf(await server.api('GET', `/api/${u.user.id}/conversations/${ids[0]}`, { token: u.token }), 404);
    problemOf(await server.api('DELETE', `/api/${u.user.id}/conversations/${ids[0]}`, { token: u.token }), 404);
    problemOf(await chat(u, { conversation_id: ids[0], message: 'again' }), 404);
    res = await server.api('GET', `/api/${u.user.id}/conversations`, { token: u.token });
    assert.deepEqual(res.json.items.map((c) => c.id), [ids[2], ids[1]]);
  });

  test('isolation: another user\'s conversation is 404 on one\'s own path and 403 on theirs', async () => {
    const u = await server.signUp();
    const other = await server.signUp();
    llm.script({ text: 'private' });
    const { conversation_id: id } = await chatOk(other, { message: 'my secret plans' });
    problemOf(await server.api('GET', `/api/${u.user.id}/conversations/${id}`, { token: u.token }), 404);
    problemOf(await server.api('DELETE', `/api/${u.user.id}/conversations/${id}`, { token: u.token }), 404);
    problemOf(await chat(u, { conversation_id: id, message: 'continue' }), 404);
    assert.equal(llm.requests.length, 0);
    problemOf(await server.api('GET', `/api/${other.user.id}/conversations/${id}`, { token: u.token }), 403);
    problemOf(await server.api('GET', `/api/${other.user.id}/conversations`, { token: u.token }), 403);
    problemOf(await server.api('POST', chatPath(other), { token: u.token, body: { message: 'x' } }), 403);
    assert.deepEqual((await server.api('GET', `/api/${u.user.id}/conversations`, { token: u.token })).json.items, []);
    const theirs = await conversation(other, id);
    assert.deepEqual(theirs.items.map((m) => m.content), ['my secret plans', 'private']);
  });

  test('account deletion removes the conversations and messages', async () => {
    const u = await server.signUp();
    llm.script({ text: 'ok' });
    await chatOk(u, { message: 'soon gone' });
    const res = await server.api('DELETE', `/api/${u.user.id}`, { token: u.token, body: { password: u.password } });
    assert.equal(res.status, 204, res.text);
    problemOf(await server.api('GET', `/api/${u.user.id}/conversations`, { token: u.token }), 401);
  });
});

describe('limits and bad input', () => {
  test('each bad request is a 4xx problem naming the field, and the LLM is not asked', async () => {
    const u = await server.signUp();
    const cases = [
      [{ message: 'x'.repeat(4001) }, 422, 'message'],
      [{ message: '   \n\t ' }, 422, 'message'],
      [{ message: '\u00a0\u2003' }, 422, 'message'],
      [{ message: '' }, 422, 'message'],
      [{}, 422, 'message'],
      [{ message: 42 }, 422, 'message'],
      [{ message: 'hi', conversation_id: 'abc' }, 422, 'conversation_id'],
      [{ message: 'hi', conversation_id: 0 }, 422, 'conversation_id'],
      [{ message: 'hi', conversation_id: 1.5 }, 422, 'conversation_id'],
      [{ message: 'hi', timezone: 'Mars/Olympus' }, 422, 'timezone'],
      [{ message: 'hi', extra: true }, 422, 'extra'],
      [[], 422, 'body'],
    ];
    for (const [body, status, field] of cases) problemOf(await chat(u, body), status, field);
    problemOf(await server.api('POST', chatPath(u), { token: u.token, raw: '{"message":' }), 400);
    problemOf(await server.api('POST', chatPath(u), { token: u.token, raw: 'hi', headers: { 'Content-Type': 'text/plain' } }), 415);
    problemOf(await server.api('POST', chatPath(u), { token: u.token, raw: JSON.stringify({ message: 'y'.repeat(70_000) }) }), 413);
    problemOf(await chat(u, { message: 'hi', conversation_id: 999_999_999 }), 404);
    problemOf(await server.api('POST', chatPath(u), { body: { message: 'hi' } }), 401);
    assert.equal(llm.requests.length, 0);

    // Exactly the limit is fine (characters, not bytes).
    llm.script({ text: 'long' });
    await chatOk(u, { message: 'é'.repeat(4000) });
  });

  test('the API key is in no output of the server and no answer', async () => {
    assert.ok(server.output.length > 0);
    assert.ok(!server.output.includes(API_KEY), 'the key appears in the server output');
    assert.ok(!server.output.includes('CHATKEYMARKER'));
  });
});
