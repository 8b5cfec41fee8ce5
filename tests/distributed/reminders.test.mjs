// Reminders in the distributed shape (issue 10): the notification role consumes task events
// from its sidecar, schedules each reminder through the sidecar's Jobs API and fires it when
// the sidecar triggers POST /job/reminder-{task_id} on it — the double calls only the app
// that scheduled the job. The fired reminder is a notification and an event on `reminders`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { readTopic } from '../dapr-double/lib/log.mjs';
import { clusterOutput, signUpUsers, skipUnlessDapr, startCluster, startConsumerRole, waitUntil } from './harness.mjs';

let cluster;
let notification;
before(async () => {
  cluster = await startCluster();
  notification = await startConsumerRole(cluster, { role: 'notification' });
});
after(async () => { await cluster?.stop(); });

const seconds = (ms) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000).toISOString().replace('.000Z', 'Z');

test('a reminder is scheduled on the sidecar, triggered on the notification role, notified once', { timeout: 300_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const [u] = await signUpUsers(cluster.api, 1);
  const remindAt = seconds(3000);
  const res = await cluster.api.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: 'Stand-up', remind_at: remindAt } });
  assert.equal(res.status, 201, res.text);
  const name = `reminder-${res.json.id}`;

  // Scheduled with its name and body.
  const job = await waitUntil(async () => (await notification.sidecar.jobs()).jobs.find((j) => j.name === name),
    `job ${name} on the sidecar\n${clusterOutput(cluster)}`);
  assert.deepEqual(job.data, { task_id: res.json.id, user_id: u.user.id, remind_at: remindAt, fire_at: remindAt });
  assert.equal(job.dueTime, remindAt);

  // Triggered on the notification role: one notification, one reminders event.
  const items = await waitUntil(async () => {
    const r = await notification.server.api('GET', `/api/${u.user.id}/notifications`, { token: u.token });
    return r.json?.items?.length ? r.json.items : null;
  }, 'the notification');
  assert.equal(items.length, 1);
  assert.equal(items[0].task_id, res.json.id);
  const { attempts } = await notification.sidecar.jobAttempts(name);
  assert.deepEqual(attempts.map((a) => a.result), ['success'], 'triggered once, answered 2xx by the notification role');
  await waitUntil(() => readTopic(cluster.logDir, 'reminders').some((m) => m.event?.data?.task_id === res.json.id),
    'the reminders event in the log');
  const events = readTopic(cluster.logDir, 'reminders').filter((m) => m.event?.data?.task_id === res.json.id);
  assert.equal(events[0].event.type, 'todo.reminder.fired');
  assert.equal(events[0].event.data.remind_at, remindAt);
});

test('completing the task deletes its job', { timeout: 300_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const [u] = await signUpUsers(cluster.api, 1);
  const res = await cluster.api.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: 'Later', remind_at: seconds(3_600_000) } });
  const name = `reminder-${res.json.id}`;
  const listed = async () => (await notification.sidecar.jobs()).jobs.some((x) => x.name === name);
  await waitUntil(listed, `job ${name} scheduled`);
  const done = await cluster.api.api('PATCH', `/api/${u.user.id}/tasks/${res.json.id}/complete`, { token: u.token, body: { completed: true } });
  assert.equal(done.status, 200);
  await waitUntil(async () => !(await listed()), `job ${name} deleted\n${clusterOutput(cluster)}`);
});
