// Reminders in the Dapr shape (issue 10, src/reminders/dapr_jobs.hpp): the single binary
// with --bus=dapr schedules each reminder through the Dapr Jobs API of its sidecar — here a
// recording stand-in for the sidecar (tests/dapr-double has the full double) — and fires it
// when the sidecar triggers POST /job/reminder-{task_id}, once however often it is triggered.
// Task events are delivered by hand to /dapr/task-events, as the sidecar would.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';

import { startServer, waitUntil } from './harness.mjs';

const APP_TOKEN = `app-${randomUUID()}`;
const DAPR_TOKEN = `dapr-${randomUUID()}`;
let sidecar;
let calls = [];  // {method, path, token, body}
let jobsAnswer = 204;  // what the Jobs API answers (500: the sidecar is failing)
let server;

before(async () => {
  sidecar = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      calls.push({ method: req.method, path: req.url, token: req.headers['dapr-api-token'], body });
      if (req.url.startsWith('/v1.0-alpha1/jobs/')) res.writeHead(jobsAnswer).end();
      else res.writeHead(204).end();  // publishes and health checks
    });
  });
  await new Promise((r) => sidecar.listen(0, '127.0.0.1', r));
  server = await startServer({ env: { TODO_BUS: 'dapr', DAPR_HTTP_PORT: String(sidecar.address().port),
    APP_API_TOKEN: APP_TOKEN, DAPR_API_TOKEN: DAPR_TOKEN } });
});
after(async () => {
  await server?.cleanup();
  await new Promise((r) => sidecar.close(r));
});

const jobCalls = (id) => calls.filter((c) => c.path === `/v1.0-alpha1/jobs/reminder-${id}`);

async function deliver(type, task) {
  const event = { event_id: randomUUID(), event_type: type, timestamp: new Date().toISOString(),
    user_id: task.user_id, task_id: task.id, task_data: task, schema_version: 1, task_version: task.version };
  const res = await server.api('POST', '/dapr/task-events', { raw: JSON.stringify({ specversion: '1.0', id: event.event_id,
    source: 'todo-api', type: `todo.task.${type}`, datacontenttype: 'application/json', data: event }),
  headers: { 'Content-Type': 'application/cloudevents+json', 'dapr-api-token': APP_TOKEN } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.status, 'SUCCESS');
}

const trigger = (id, token = APP_TOKEN, body = {}) => server.api('POST', `/job/reminder-${id}`,
  { body, headers: token ? { 'dapr-api-token': token } : {} });

async function notifications(u) {
  return (await server.api('GET', `/api/${u.user.id}/notifications`, { token: u.token })).json;
}

test('a reminder becomes a Dapr job; its trigger fires it once; completion deletes the job', async () => {
  const u = await server.signUp();
  const remindAt = new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const res = await server.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: 'Ring', remind_at: remindAt } });
  assert.equal(res.status, 201);
  const task = res.json;
  await deliver('created', task);
  await waitUntil(() => jobCalls(task.id).length >= 1, 'the job to be scheduled on the sidecar');
  const [post] = jobCalls(task.id);
  assert.equal(post.method, 'POST');
  assert.equal(post.token, DAPR_TOKEN, 'the sidecar token is sent');
  const body = JSON.parse(post.body);
  assert.deepEqual(body, { dueTime: remindAt, overwrite: true, failurePolicy: { constant: { interval: '5s' } },
    data: { task_id: task.id, user_id: u.user.id, remind_at: remindAt, fire_at: remindAt } });

  // A trigger before its time (a stale schedule) does nothing.
  assert.equal((await trigger(task.id)).status, 200);
  assert.deepEqual((await notifications(u)).items, []);

  // Triggers without the app token are refused and change nothing; unknown jobs are 404.
  assert.equal((await trigger(task.id, null)).status, 401);
  assert.equal((await trigger(task.id, 'wrong')).status, 401);
  assert.equal((await server.api('POST', '/job/backup-7', { body: {}, headers: { 'dapr-api-token': APP_TOKEN } })).status, 404);
  assert.equal((await server.api('POST', '/job/reminder-x', { body: {}, headers: { 'dapr-api-token': APP_TOKEN } })).status, 404);

  // Due now: move remind_at into the past (an update), then trigger twice.
  const due = new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const moved = await server.api('PATCH', `/api/${u.user.id}/tasks/${task.id}`, { token: u.token, body: { remind_at: due } });
  assert.equal(moved.status, 200);
  await deliver('updated', moved.json);
  await waitUntil(() => jobCalls(task.id).length >= 2, 'the job to be rescheduled');
  assert.equal(JSON.parse(jobCalls(task.id)[1].body).dueTime, due);
  for (let i = 0; i < 2; i++) assert.equal((await trigger(task.id)).status, 200);
  const n = await notifications(u);
  assert.equal(n.items.length, 1, 'a repeated trigger fires once');
  assert.equal(n.items[0].task_id, task.id);
  // The reminders event went to the sidecar's reminders topic.
  await waitUntil(() => calls.some((c) => c.path.startsWith('/v1.0/publish/kafka-pubsub/reminders')), 'the reminders event to be published');

  // Completing the task deletes its job (fired already: the sidecar may answer 404).
  const done = await server.api('PATCH', `/api/${u.user.id}/tasks/${task.id}/complete`, { token: u.token, body: { completed: true } });
  await deliver('completed', done.json);
  await waitUntil(() => jobCalls(task.id).some((c) => c.method === 'DELETE'), 'the job to be deleted');
});

test('a sidecar that fails is told again until it takes the job', async () => {
  const u = await server.signUp();
  jobsAnswer = 500;
  try {
    const res = await server.api('POST', `/api/${u.user.id}/tasks`, { token: u.token,
      body: { title: 'Later', remind_at: new Date(Date.now() + 3_600_000).toISOString() } });
    await deliver('created', res.json);
    await waitUntil(() => jobCalls(res.json.id).length >= 2, 'a retry after the failure');
    jobsAnswer = 204;
    const before = jobCalls(res.json.id).length;
    await waitUntil(() => jobCalls(res.json.id).length > before, 'the retry that succeeds');
    const m = await server.api('GET', '/metrics');
    assert.match(m.text, /^todo_dapr_jobs_total\{outcome="failed"\} [1-9]/m);
    assert.equal(jobCalls(res.json.id).at(-1).method, 'POST');
  } finally {
    jobsAnswer = 204;
  }
});
