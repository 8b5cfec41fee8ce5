// The double's Jobs API against the fake app: a job fires at its dueTime to POST
// /job/<name> on the app that scheduled it (data as the body, the app token), once; GET and
// DELETE; overwrite and the 409 without it; retries of a failed trigger and their bound;
// jobs kept across a SIGKILL of the double; dapr-api-token; bad bodies refused as daprd does.
//
// Timing: due times a few hundred ms ahead at most, and conditions waited for. Where a job
// must not fire before the test has done something (overwrite, delete), the app is started
// only afterwards: the double fires jobs only once its app answered GET /dapr/subscribe.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { freePort, startSidecar, until } from './client.mjs';
import { startFakeApp, SUCCESS } from './fake_app.mjs';

// Quick retries; a long per-call timeout, so that a busy machine never causes a retry the
// test did not ask for.
const FAST = ['--job-retry-interval-ms', '20', '--job-max-retries', '3', '--delivery-timeout-ms', '60000'];
const LONG = { timeout: 300_000 }; // a safety net per test, not a speed bound

const cleanups = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

function logDir() {
  const d = mkdtempSync(join(tmpdir(), 'dapr-double-jobs-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function fakeApp(options) {
  const app = await startFakeApp(options);
  cleanups.push(() => app.close());
  return app;
}

// A double for app id todo-notification; `app` running (waits until subscribed) or a
// port where the app will come later.
async function sidecar({ app, appPort = app?.port, dir = logDir(), appId = 'todo-notification', args = [], ...options } = {}) {
  const s = await startSidecar({ appId, logDir: dir, appPort, args: FAST.concat(args), ...options }, { waitSubscribed: Boolean(app) });
  cleanups.push(() => s.stop());
  return s;
}

// A double whose app is not up yet: jobs wait. startApp() brings the app up on its port.
async function sidecarBeforeApp(options = {}) {
  const port = await freePort();
  const s = await sidecar({ appPort: port, ...options });
  return { s, startApp: async (appOptions = {}) => { const app = await fakeApp({ port, ...appOptions }); await s.waitSubscribed(); return app; } };
}

async function call(s, method, name, { body, token } = {}) {
  const res = await fetch(`${s.daprUrl}/v1.0-alpha1/jobs/${name}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { 'dapr-api-token': token } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, text, json };
}

async function schedule(s, name, body, options) {
  const res = await call(s, 'POST', name, { body, ...options });
  assert.equal(res.status, 204, `schedule ${name}: ${res.text}`);
  assert.equal(res.text, '');
}

const inMs = (ms) => new Date(Date.now() + ms).toISOString();
const calls = (app, name) => app.deliveries.filter((d) => d.path === `/job/${name}`);
// Every job done (fired and deleted) and no trigger in flight: nothing more can arrive.
const allDone = (s) => until(async () => {
  const st = await s.stats();
  return st.jobs.pending === 0 && st.jobs.in_flight === 0;
}, 'every job done');

test('a job fires at its dueTime: POST /job/<name> on the app, data as the JSON body, the app token; once, then it is gone', async () => {
  const app = await fakeApp();
  const s = await sidecar({ app, appApiToken: 'app-secret' });
  const t0 = Date.now();
  const due = inMs(300);
  await schedule(s, 'reminder-42', { dueTime: due, data: { task_id: 42, user_id: 'u_1' }, overwrite: true });
  await schedule(s, 'go-duration', { dueTime: '250ms', data: 'just text' });
  await schedule(s, 'no-data', { dueTime: '0s' });
  await until(() => app.deliveries.length >= 3, 'three triggers');
  await allDone(s);
  assert.equal(app.deliveries.length, 3, 'each job once');

  const [r] = calls(app, 'reminder-42');
  assert.equal(r.method, 'POST');
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.headers['dapr-api-token'], 'app-secret');
  assert.deepEqual(r.body, { task_id: 42, user_id: 'u_1' }, 'the body is the data, not an envelope');
  assert.ok(r.at >= Date.parse(due), `not before its dueTime (${new Date(r.at).toISOString()} < ${due})`);
  const [g] = calls(app, 'go-duration');
  assert.equal(g.raw, '"just text"', 'string data is sent as a JSON string');
  assert.ok(g.at >= t0 + 250, 'a Go duration counts from the schedule call');
  const [n] = calls(app, 'no-data');
  assert.equal(n.raw, '', 'no data: an empty body');

  // a fired one-shot job is deleted: GET answers as Dapr does for an unknown job
  const get = await call(s, 'GET', 'reminder-42');
  assert.equal(get.status, 500);
  assert.equal(get.json.errorCode, 'DAPR_SCHEDULER_GET_JOB');
  const attempts = (await s.jobAttempts('reminder-42')).attempts;
  assert.deepEqual(attempts.map((a) => [a.attempt, a.result, a.status]), [[1, 'success', 200]]);
  assert.equal((await s.stats()).jobs.succeeded, 3);
});

test('dueTime forms: RFC 3339 with an offset, Go durations and ISO 8601 durations, as the Scheduler reads them', async () => {
  const s = await sidecar({ app: await fakeApp() });
  await schedule(s, 'rfc3339', { dueTime: '2100-01-01T10:00:00.250+02:00' });
  await schedule(s, 'go', { dueTime: '1h30m' });
  await schedule(s, 'iso', { dueTime: 'P1DT2H' });
  await schedule(s, 'snake', { due_time: '2h' });  // protojson takes the proto field name too
  const jobs = Object.fromEntries((await s.jobs()).jobs.map((j) => [j.name, j]));
  const offset = (j) => Date.parse(j.due_at) - Date.parse(j.created_at);
  assert.equal(jobs.rfc3339.due_at, '2100-01-01T08:00:00.250Z');
  assert.equal(offset(jobs.go), 90 * 60_000);
  assert.equal(offset(jobs.iso), 26 * 3_600_000);
  assert.equal(offset(jobs.snake), 2 * 3_600_000);
  assert.equal((await s.jobs()).count, 4);
});

test('GET returns the job as daprd does; DELETE removes it, and answers 204 for an unknown name too', async () => {
  const app = await fakeApp();
  const s = await sidecar({ app });
  const due = inMs(3_600_000);
  await schedule(s, 'reminder-7', { dueTime: due, data: { task_id: 7 }, overwrite: true });
  let res = await call(s, 'GET', 'reminder-7');
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, {
    name: 'reminder-7', dueTime: due,
    data: { '@type': 'type.googleapis.com/google.protobuf.Value', value: { task_id: 7 } },
    failurePolicy: { constant: { interval: '0.020s', maxRetries: 3 } },
  });
  res = await call(s, 'DELETE', 'reminder-7');
  assert.equal(res.status, 204);
  assert.equal(res.text, '');
  res = await call(s, 'GET', 'reminder-7');
  assert.equal(res.status, 500, 'Dapr answers an unknown job with 500');
  assert.equal(res.json.errorCode, 'DAPR_SCHEDULER_GET_JOB');
  assert.match(res.json.message, /job not found: reminder-7/);
  assert.equal((await call(s, 'DELETE', 'reminder-7')).status, 204, 'deleting an unknown job is no error');
  assert.equal((await call(s, 'DELETE', 'never-was')).status, 204);
  assert.equal((await s.jobs()).count, 0);
});

test('overwrite: true replaces the job (only the new one fires); without it a second schedule is 409 and changes nothing', async () => {
  const { s, startApp } = await sidecarBeforeApp();
  await schedule(s, 'reminder-1', { dueTime: inMs(100), data: { v: 1 } });
  for (const body of [{ dueTime: inMs(100), data: { v: 'x' } }, { dueTime: inMs(100), data: { v: 'x' }, overwrite: false }]) {
    const res = await call(s, 'POST', 'reminder-1', { body });
    assert.equal(res.status, 409, res.text);
    assert.equal(res.json.errorCode, 'DAPR_SCHEDULER_SCHEDULE_JOB');
    assert.match(res.json.message, /AlreadyExists/);
  }
  assert.deepEqual((await call(s, 'GET', 'reminder-1')).json.data.value, { v: 1 }, 'the refused schedules changed nothing');
  await schedule(s, 'reminder-1', { dueTime: inMs(200), data: { v: 2 }, overwrite: true });
  assert.deepEqual((await call(s, 'GET', 'reminder-1')).json.data.value, { v: 2 });
  assert.equal((await s.jobs()).count, 1);
  const app = await startApp();
  await until(() => calls(app, 'reminder-1').length >= 1, 'the trigger');
  await allDone(s);
  assert.deepEqual(calls(app, 'reminder-1').map((d) => d.body), [{ v: 2 }], 'only the new job fired, once');
  const st = (await s.stats()).jobs;
  assert.equal(st.overwritten, 1);
  assert.equal(st.conflicts, 2);
});

test('a job deleted before it is due never fires', async () => {
  const { s, startApp } = await sidecarBeforeApp();
  await schedule(s, 'doomed', { dueTime: inMs(100), data: { doomed: true } });
  await schedule(s, 'marker', { dueTime: inMs(100), data: { marker: true } });
  assert.equal((await call(s, 'DELETE', 'doomed')).status, 204);
  const app = await startApp();
  await until(() => calls(app, 'marker').length >= 1, 'the marker job');
  await allDone(s);
  assert.equal(calls(app, 'doomed').length, 0);
  assert.equal((await s.jobAttempts('doomed')).count, 0);
});

test('a failing trigger (connection reset, 500) is retried after the constant interval, then succeeds exactly once', async () => {
  let n = 0;
  const app = await fakeApp({ handler: () => { n++; return n === 1 ? 'reset' : n === 2 ? { status: 500 } : SUCCESS; } });
  const s = await sidecar({ app });
  await schedule(s, 'flaky', { dueTime: '0s', data: { x: 1 } });
  await until(() => n >= 3, 'three attempts');
  await allDone(s);
  assert.equal(calls(app, 'flaky').length, 3);
  assert.ok(calls(app, 'flaky').every((d) => d.raw === '{"x":1}'), 'every attempt carries the data');
  const attempts = (await s.jobAttempts('flaky')).attempts;
  assert.deepEqual(attempts.map((a) => a.result), ['retry', 'retry', 'success']);
  assert.match(attempts[0].reason, /connection error/);
  assert.equal(attempts[1].status, 500);
  for (let i = 1; i < attempts.length; i++) {
    assert.ok(Date.parse(attempts[i].started) >= Date.parse(attempts[i - 1].ended) + 20, 'the retry interval is kept');
  }
  assert.equal((await s.stats()).jobs.retried, 2);
});

test('retries are bounded (then the job is dropped with a log line); 404 is not retried; a job\'s failurePolicy wins', async () => {
  const app = await fakeApp({ handler: (d) => (d.path === '/job/gone' ? { status: 404 } : { status: 503 }) });
  const s = await sidecar({ app, args: ['--job-max-retries', '2'] });
  await schedule(s, 'always-503', { dueTime: '0s' });
  await schedule(s, 'gone', { dueTime: '0s' });
  await schedule(s, 'drop-policy', { dueTime: '0s', failurePolicy: { drop: {} } });
  await schedule(s, 'one-retry', { dueTime: '0s', failure_policy: { constant: { interval: '0.010s', max_retries: 1 } } });
  await until(() => app.deliveries.length >= 7, 'every attempt');
  await allDone(s);
  const results = async (name) => (await s.jobAttempts(name)).attempts.map((a) => a.result);
  assert.deepEqual(await results('always-503'), ['retry', 'retry', 'drop'], '--job-max-retries 2: three attempts');
  assert.deepEqual(await results('gone'), ['drop'], '404: Dapr does not retry');
  assert.deepEqual(await results('drop-policy'), ['drop']);
  assert.deepEqual(await results('one-retry'), ['retry', 'drop']);
  assert.equal(app.deliveries.length, 7);
  assert.match((await s.jobAttempts('always-503')).attempts[2].reason, /retries exhausted \(3 attempts\); last: app answered 503/);
  assert.match(s.output, /job always-503 dropped after attempt 3/);
  assert.equal((await s.stats()).jobs.dropped, 4);
});

test('"@every" schedules fire `repeats` times, never early', async () => {
  const app = await fakeApp();
  const s = await sidecar({ app });
  const t0 = Date.now();
  await schedule(s, 'tick', { schedule: '@every 100ms', repeats: 3, data: 'tick' });
  await until(() => calls(app, 'tick').length >= 3, 'three ticks');
  await allDone(s);
  const at = calls(app, 'tick').map((d) => d.at);
  assert.equal(at.length, 3, 'repeats: 3, then the job is gone');
  // tick k is due 100 ms * k after the schedule call (a late tick may be followed at once)
  at.forEach((t, i) => assert.ok(t >= t0 + 100 * (i + 1), `tick ${i + 1} came ${t - t0} ms after the schedule call`));
});

test('jobs survive a SIGKILL of the double: overdue ones fire after the restart, later ones at their time, each once', LONG, async () => {
  const port = await freePort();
  const s = await sidecar({ appPort: port });  // the app comes after the restart
  const overdue = inMs(200);
  const later = inMs(1500);
  await schedule(s, 'overdue', { dueTime: overdue, data: { n: 1 } });
  await schedule(s, 'later', { dueTime: later, data: { n: 2 } });
  await s.kill();  // the 204s came after the jobs were on disk
  await until(() => Date.now() > Date.parse(overdue) + 50, 'the first job to come due while the double is down');
  const app = await fakeApp({ port });
  await s.start({ waitSubscribed: true });
  await until(() => app.deliveries.length >= 2, 'both jobs after the restart');
  await allDone(s);
  assert.deepEqual(calls(app, 'overdue').map((d) => d.body), [{ n: 1 }]);
  assert.deepEqual(calls(app, 'later').map((d) => d.body), [{ n: 2 }]);
  assert.ok(calls(app, 'later')[0].at >= Date.parse(later), 'the later job not before its time');
});

test('the trigger reaches the scheduling app only: jobs belong to the app id', async () => {
  const dir = logDir();
  const appA = await fakeApp();
  const appB = await fakeApp();
  const a = await sidecar({ app: appA, dir, appId: 'todo-notification' });
  const b = await sidecar({ app: appB, dir, appId: 'todo-audit' });
  await schedule(a, 'reminder-5', { dueTime: inMs(300), data: 'for A' });
  await b.restart({ waitSubscribed: true });  // B reads the kept jobs of its own app id only
  assert.equal((await call(b, 'GET', 'reminder-5')).status, 500, 'the other app id does not see it');
  await schedule(b, 'reminder-5', { dueTime: inMs(200), data: 'for B' });  // its own job of that name: no 409
  await until(() => appA.deliveries.length >= 1 && appB.deliveries.length >= 1, 'both triggers');
  await allDone(a);
  await allDone(b);
  assert.deepEqual(appA.deliveries.map((d) => d.body), ['for A']);
  assert.deepEqual(appB.deliveries.map((d) => d.body), ['for B']);
});

test('dapr-api-token: missing or wrong -> 401 on POST, GET and DELETE, nothing scheduled or deleted; the app never sees it', async () => {
  const app = await fakeApp();
  const s = await sidecar({ app, daprApiToken: 'sidecar-secret' });
  for (const token of [undefined, 'wrong']) {
    const res = await call(s, 'POST', 'guarded', { body: { dueTime: '0s' }, token });
    assert.equal(res.status, 401, `token ${token}`);
    assert.equal(res.json.errorCode, 'ERR_API_UNAUTHORIZED');
  }
  assert.equal((await s.jobs()).count, 0, 'nothing scheduled');
  await schedule(s, 'guarded', { dueTime: inMs(3_600_000) }, { token: 'sidecar-secret' });
  assert.equal((await call(s, 'DELETE', 'guarded')).status, 401);
  assert.equal((await call(s, 'GET', 'guarded')).status, 401);
  assert.equal((await s.jobs()).count, 1, 'nothing deleted');
  assert.equal((await call(s, 'GET', 'guarded', { token: 'sidecar-secret' })).status, 200);
  await schedule(s, 'now', { dueTime: '0s' }, { token: 'sidecar-secret' });
  await until(() => calls(app, 'now').length >= 1, 'the trigger');
  assert.equal(calls(app, 'now')[0].headers['dapr-api-token'], undefined, 'no --app-api-token: no header (never the sidecar\'s token)');
});

test('bad bodies are refused as daprd refuses them, and nothing is scheduled', async () => {
  const app = await fakeApp();
  const s = await sidecar({ app });
  const cases = [
    // daprd's own checks: 400
    ['', 400, 'DAPR_SCHEDULER_SCHEDULE_EMPTY'],
    ['{"data": {"x": 1}}', 400, 'DAPR_SCHEDULER_SCHEDULE_EMPTY'],
    ['not json', 400, 'ERR_MALFORMED_REQUEST'],
    ['[{}]', 400, 'ERR_MALFORMED_REQUEST'],
    ['{"dueTime": 5}', 400, 'ERR_MALFORMED_REQUEST'],
    ['{"dueTime": "1s", "overwrite": "yes"}', 400, 'ERR_MALFORMED_REQUEST'],
    ['{"dueTime": "1s", "repeats": -1}', 400, 'ERR_MALFORMED_REQUEST'],
    ['{"dueTime": "1s", "due_time": "2s"}', 400, 'ERR_MALFORMED_REQUEST'],
    ['{"dueTime": "1s", "name": "other"}', 400, 'DAPR_SCHEDULER_JOB_NAME'],
    // the Scheduler's checks: Dapr answers them 500
    ['{"dueTime": "tomorrow"}', 500, 'DAPR_SCHEDULER_SCHEDULE_JOB', /due time format not recognized/],
    ['{"dueTime": "2026-13-01T00:00:00Z"}', 500, 'DAPR_SCHEDULER_SCHEDULE_JOB', /due time format not recognized/],
    ['{"dueTime": "R2/PT1S"}', 500, 'DAPR_SCHEDULER_SCHEDULE_JOB', /repeats not supported/],
    ['{"dueTime": "1s", "ttl": "2s"}', 500, 'DAPR_SCHEDULER_SCHEDULE_JOB', /schedule to have a ttl/],
    ['{"dueTime": "1s", "repeats": 2}', 500, 'DAPR_SCHEDULER_SCHEDULE_JOB', /schedule to repeat/],
    // not implemented by the double: said so
    ['{"schedule": "0 0 9 * * *"}', 501, 'ERR_DOUBLE_UNSUPPORTED'],
  ];
  for (const [body, status, code, message] of cases) {
    const res = await call(s, 'POST', 'bad', { body });
    assert.equal(res.status, status, `${body}: ${res.text}`);
    assert.equal(res.json?.errorCode, code, body);
    if (message) assert.match(res.json.message, message, body);
  }
  let res = await call(s, 'POST', 'bad%23name', { body: { dueTime: '1s' } });
  assert.equal(res.status, 500, 'go-etcd-cron refuses names that are no DNS-1123 subdomain');
  assert.match(res.json.message, /job name is invalid/);
  res = await call(s, 'POST', '%20', { body: { dueTime: '1s' } });
  assert.equal(res.status, 400);
  assert.equal(res.json.errorCode, 'DAPR_SCHEDULER_JOB_NAME_EMPTY');
  assert.equal((await s.jobs()).count, 0, 'nothing scheduled');
  assert.equal((await s.stats()).jobs.scheduled, 0);
  await schedule(s, 'good', { dueTime: '0s' });  // and the double still works
  await until(() => calls(app, 'good').length === 1, 'the good job');
  assert.equal(app.deliveries.length, 1, 'only the good job fired');
});
