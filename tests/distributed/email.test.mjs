// E-mail in the distributed shape (issue 11): the notification role, with TODO_SMTP_URL, takes
// its events from its sidecar — the reminders event its own relay published (after the Jobs
// API triggered the reminder) and the api role's completed events — and sends one e-mail per
// event to a real SMTP server (npm smtp-server, tests/integration/smtp_mailbox.mjs).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Mailbox } from '../integration/smtp_mailbox.mjs';
import { clusterOutput, signUpUsers, skipUnlessDapr, startCluster, startConsumerRole, waitUntil } from './harness.mjs';

const PUBLIC_URL = 'https://todo.example.com';
let cluster;
let notification;
const mailbox = new Mailbox();

before(async () => {
  await mailbox.start();
  cluster = await startCluster();
  notification = await startConsumerRole(cluster, {
    role: 'notification',
    env: { TODO_SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`, TODO_SMTP_FROM: 'todo@todo.example.com', TODO_PUBLIC_URL: PUBLIC_URL },
  });
});
after(async () => {
  await cluster?.stop();
  await mailbox.stop();
});

const seconds = (ms) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const pending = async () => (await notification.server.api('GET', '/readyz')).json?.checks?.emails_pending;

test('a reminder triggered through the Jobs API is one e-mail; an API completion one notice', { timeout: 300_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const [u] = await signUpUsers(cluster.api, 1);
  // The preferences are served by the notification role (the ingress sends them there).
  const prefs = await notification.server.api('PUT', `/api/${u.user.id}/preferences`, {
    token: u.token, body: { email_reminders: true, completion_notices: true, timezone: 'Europe/Berlin' },
  });
  assert.equal(prefs.status, 200, prefs.text);

  const res = await cluster.api.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: 'Stand-up', remind_at: seconds(2000) } });
  assert.equal(res.status, 201, res.text);
  const [m] = await waitUntil(() => (mailbox.to(u.email).length ? mailbox.to(u.email) : null),
    `the reminder e-mail\n${clusterOutput(cluster)}`);
  assert.equal(m.subject, 'Reminder: Stand-up');
  assert.ok(m.text.includes(`${PUBLIC_URL}/tasks?task=${res.json.id}`), m.text);

  const done = await cluster.api.api('PATCH', `/api/${u.user.id}/tasks/${res.json.id}/complete`, { token: u.token, body: { completed: true } });
  assert.equal(done.status, 200, done.text);
  await waitUntil(() => mailbox.to(u.email).length >= 2, `the completion notice\n${clusterOutput(cluster)}`);
  await waitUntil(async () => (await pending()) === 0, 'no e-mail pending');
  assert.deepEqual(mailbox.to(u.email).map((x) => x.subject), ['Reminder: Stand-up', 'Completed: Stand-up']);
});
