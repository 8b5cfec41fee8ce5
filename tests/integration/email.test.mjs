// E-mail (issue 11, item 3; src/email): reminder e-mails and completion notices sent over SMTP
// to a real SMTP server library started here on 127.0.0.1 (npm smtp-server; messages parsed
// with mailparser), the one-click unsubscribe (RFC 8058), retries of transient failures,
// permanent failures shown in the notifications list, exactly one e-mail per reminder across
// restarts, and the preferences API. Both backends (TODO_TEST_BACKEND).
// Every wait is for a condition; "no further e-mail" is checked once the e-mail outbox and
// the event outbox are both empty (nothing left that could still send one).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { waitOutboxDrained } from './audit_helpers.mjs';
import { Mailbox } from './smtp_mailbox.mjs';
import { BINARY, JWT_SECRET, freePort, metricValue, problemOf, startServer, waitUntil } from './harness.mjs';

const PUBLIC_URL = 'http://todo.test:8080';
const SMTP_USER = 'todo-mailer';
const SMTP_PASSWORD = `smtp-password-${randomUUID()}`;

const mailbox = new Mailbox({}, { user: SMTP_USER, password: SMTP_PASSWORD });
let server;

before(async () => {
  await mailbox.start();
  server = await startServer({
    env: {
      TODO_SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`,
      TODO_SMTP_FROM: 'Todo Reminders <todo@todo.test>',
      TODO_PUBLIC_URL: PUBLIC_URL,
      TODO_SMTP_RETRY_BASE: '1s',
      TODO_SMTP_RETRY_MAX: '2s',
      TODO_SMTP_MAX_ATTEMPTS: '3',
      TODO_SMTP_USER: SMTP_USER,
      TODO_SMTP_PASSWORD: SMTP_PASSWORD,
      TODO_LOG_LEVEL: 'info',  // the start-up log too, to check that it holds no password
    },
  });
});
after(async () => {
  await server?.cleanup();
  await mailbox.stop();
});

const inMs = (ms) => new Date(Date.now() + ms).toISOString();
const header = (m, name) => m.headerLines.find((h) => h.key === name.toLowerCase())?.line
  .replace(/^[^:]+:\s*/, '');

async function putPreferences(u, prefs) {
  const res = await server.api('PUT', `/api/${u.user.id}/preferences`, { token: u.token, body: prefs });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

async function create(u, body) {
  const res = await server.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

async function notifications(u) {
  const res = await server.api('GET', `/api/${u.user.id}/notifications?limit=200`, { token: u.token });
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}

async function emailsPending() {
  return (await server.api('GET', '/readyz')).json?.checks?.emails_pending;
}

// Nothing more can be sent: every event delivered, no e-mail waiting for its (re)try.
async function settled() {
  await waitOutboxDrained(server);
  await waitUntil(async () => (await emailsPending()) === 0, 'no e-mail pending');
}

async function waitForMail(address, count = 1) {
  await waitUntil(() => mailbox.to(address).length >= count, `${count} e-mail(s) to ${address}`);
  return mailbox.to(address);
}

// A reminder that fires in a moment; returns the task once its notification exists.
async function remind(u, body) {
  const t = await create(u, { remind_at: inMs(800), ...body });
  await waitUntil(async () => (await notifications(u)).some((n) => n.kind === 'reminder' && n.task_id === t.id),
    `the reminder of task ${t.id}`);
  return t;
}

describe('reminder e-mails', () => {
  test('a fired reminder is one well-formed e-mail: headers, both parts, local due time, link', async () => {
    const u = await server.signUp({ name: 'Ada Lovelace' });
    await putPreferences(u, { email_reminders: true, completion_notices: false, timezone: 'Europe/Berlin' });
    const title = 'Pay <b>rent</b> & bills';
    const t = await remind(u, { title, due_at: '2030-01-15T08:00:00Z' });
    const [m] = await waitForMail(u.email);

    assert.equal(m.from.value[0].address, 'todo@todo.test');
    assert.equal(m.to.value[0].address, u.email);
    assert.equal(m.to.value[0].name, 'Ada Lovelace');
    assert.equal(m.subject, `Reminder: ${title}`);
    assert.ok(m.date instanceof Date && Math.abs(m.date - Date.now()) < 120_000, `Date ${header(m, 'Date')}`);
    assert.match(m.messageId, /^<reminder\.[0-9a-f-]{36}@todo\.test>$/);
    assert.equal(m.headers.get('content-type').value, 'multipart/alternative');
    // Both parts, the title, the due time in the user's zone (09:00 CET is 08:00 UTC), the link.
    for (const body of [m.text, m.html]) {
      assert.ok(body.includes('Tue 15 Jan 2030, 09:00 CET'), body);
      assert.ok(body.includes(`${PUBLIC_URL}/tasks?task=${t.id}`), body);
    }
    assert.ok(m.text.includes(title), m.text);
    assert.ok(m.html.includes('Pay &lt;b&gt;rent&lt;/b&gt; &amp; bills'), m.html);
    assert.ok(!m.html.includes('<b>rent'), 'the title is escaped in the HTML part');
    // Sent with the configured login; the password is in no log line.
    assert.equal(m.authUser, SMTP_USER);
    assert.ok(server.output.includes('e-mail is on'), 'the start-up log says e-mail is on');
    assert.ok(!server.output.includes(SMTP_PASSWORD), 'the SMTP password is never logged');
    // RFC 8058 one-click unsubscribe.
    assert.match(header(m, 'List-Unsubscribe'), new RegExp(`^<${PUBLIC_URL}/api/email/unsubscribe\\?token=[A-Za-z0-9_.-]+>$`));
    assert.equal(header(m, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
  });

  test('one-click unsubscribe: a GET changes nothing, the POST stops further reminder e-mails', async () => {
    const u = await server.signUp();
    await remind(u, { title: 'first' });
    const [m] = await waitForMail(u.email);
    const link = header(m, 'List-Unsubscribe').slice(1, -1).replace(PUBLIC_URL, '');

    // Mail scanners follow links: the GET is a page with a button, nothing more.
    const page = await server.api('GET', link);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.match(page.text, /<form method="post"/);
    let prefs = await server.api('GET', `/api/${u.user.id}/preferences`, { token: u.token });
    assert.equal(prefs.json.email_reminders, true, 'a GET does not unsubscribe');

    // No login: the token is the credential. Bad, missing and tampered tokens are refused.
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const tampered = link.slice(0, -2) + (link.endsWith('AA') ? 'BB' : 'AA');
    problemOf(await server.api('POST', tampered, { raw: 'List-Unsubscribe=One-Click', headers: form }), 403);
    problemOf(await server.api('POST', '/api/email/unsubscribe', { raw: 'List-Unsubscribe=One-Click', headers: form }), 400, 'token');
    problemOf(await server.api('POST', link, { raw: 'nothing', headers: form }), 400, 'body');
    problemOf(await server.api('POST', `${link}&${link.split('?')[1]}`, { raw: 'List-Unsubscribe=One-Click', headers: form }), 400, 'token');
    problemOf(await server.api('GET', `${link}&${link.split('?')[1]}`), 400, 'token');

    const res = await server.api('POST', link, { raw: 'List-Unsubscribe=One-Click', headers: form });
    assert.equal(res.status, 200, res.text);
    prefs = await server.api('GET', `/api/${u.user.id}/preferences`, { token: u.token });
    assert.equal(prefs.json.email_reminders, false);

    // The next reminder fires in the app, but sends nothing.
    await remind(u, { title: 'second' });
    await settled();
    assert.deepEqual(mailbox.to(u.email).map((x) => x.subject), ['Reminder: first']);
  });

  test('a server answering 451 then 250: the e-mail is retried and arrives exactly once', async () => {
    const u = await server.signUp();
    mailbox.plan(u.email, [451]);
    const retriesBefore = await metricValue(server, 'todo_email_retries_total');
    await remind(u, { title: 'retry me' });
    await waitForMail(u.email);
    await settled();
    assert.equal(mailbox.to(u.email).length, 1);
    assert.equal(mailbox.attempts.get(u.email.toLowerCase()), 2, 'one refused try, one accepted');
    assert.ok((await metricValue(server, 'todo_email_retries_total')) > retriesBefore);
    assert.equal((await notifications(u)).filter((n) => n.kind === 'email_failed').length, 0);
  });

  test('a 550 is given up at once and shown in the notifications list', async () => {
    const u = await server.signUp();
    mailbox.plan(u.email, [550]);
    const t = await remind(u, { title: 'bounce' });
    const failed = await waitUntil(async () => (await notifications(u)).find((n) => n.kind === 'email_failed'),
      'the failure notification');
    assert.equal(failed.task_id, t.id);
    assert.ok(failed.title.includes(u.email) && failed.title.includes('550'), failed.title);
    await settled();
    assert.equal(mailbox.to(u.email).length, 0);
    const metrics = (await server.api('GET', '/metrics')).text;
    assert.match(metrics, /^todo_emails_failed_total\{reason="permanent"\} [1-9]/m);
  });

  test('a server that keeps answering 451 is given up after the last try, and that is shown', async () => {
    const u = await server.signUp();
    mailbox.plan(u.email, [451, 451, 451, 451]);
    const t = await remind(u, { title: 'never accepted' });
    const failed = await waitUntil(async () => (await notifications(u)).find((n) => n.kind === 'email_failed'),
      'the failure notification');
    assert.equal(failed.task_id, t.id);
    assert.ok(failed.title.includes('451'), failed.title);
    await settled();
    assert.equal(mailbox.attempts.get(u.email.toLowerCase()), 3, 'TODO_SMTP_MAX_ATTEMPTS tries');
    assert.equal(mailbox.to(u.email).length, 0);
    const metrics = (await server.api('GET', '/metrics')).text;
    assert.match(metrics, /^todo_emails_failed_total\{reason="expired"\} [1-9]/m);
  });

  test('a restart right after the reminder fired still sends exactly one e-mail', async () => {
    const u = await server.signUp();
    await remind(u, { title: 'once' });
    await server.restart();  // the event may be waiting in the outbox, or the e-mail in its own
    await waitForMail(u.email);
    await settled();
    const got = mailbox.to(u.email);
    assert.equal(got.length, 1);
    // Another reminder after the restart: one more e-mail, with a Message-ID of its own.
    await remind(u, { title: 'twice' });
    await waitForMail(u.email, 2);
    await settled();
    const all = mailbox.to(u.email);
    assert.equal(all.length, 2);
    assert.notEqual(all[0].messageId, all[1].messageId);
  });
  test('a reminders event delivered twice over Dapr is one e-mail', async () => {
    // The distributed shape: the sidecar delivers the reminders topic to /dapr/reminders, at
    // least once. Nothing listens on the sidecar port: this server only takes deliveries.
    const appToken = `app-${randomUUID()}`;
    const dapr = await startServer({
      env: {
        TODO_BUS: 'dapr', DAPR_HTTP_PORT: String(await freePort()), APP_API_TOKEN: appToken,
        TODO_SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`, TODO_SMTP_FROM: 'todo@todo.test', TODO_PUBLIC_URL: PUBLIC_URL,
      },
    });
    try {
      const u = await dapr.signUp();
      const at = new Date().toISOString();
      const event = { event_id: randomUUID(), task_id: 4242, user_id: u.user.id, title: 'delivered twice', due_at: null, remind_at: at, timestamp: at };
      const cloudEvent = { specversion: '1.0', id: event.event_id, source: 'todo-notification', type: 'todo.reminder', topic: 'reminders', pubsubname: 'kafka-pubsub', datacontenttype: 'application/json', data: event };
      for (const round of ['first', 'redelivery']) {
        const res = await dapr.api('POST', '/dapr/reminders', {
          raw: JSON.stringify(cloudEvent), headers: { 'Content-Type': 'application/cloudevents+json', 'dapr-api-token': appToken },
        });
        assert.equal(res.status, 200, `${round}: ${res.text}`);
        assert.deepEqual(JSON.parse(res.text), { status: 'SUCCESS' }, round);
      }
      const [m] = await waitForMail(u.email);
      assert.equal(m.subject, 'Reminder: delivered twice');
      assert.ok(m.text.includes(`${PUBLIC_URL}/tasks?task=4242`));
      await waitUntil(async () => (await dapr.api('GET', '/readyz')).json?.checks?.emails_pending === 0, 'no e-mail pending');
      assert.equal(mailbox.to(u.email).length, 1);
    } finally {
      await dapr.cleanup();
    }
  });
});

describe('completion notices', () => {
  test('sent for a completion through the API, not for the browser\'s own, only when opted in', async () => {
    const u = await server.signUp();
    await putPreferences(u, { email_reminders: true, completion_notices: true, timezone: 'America/New_York' });
    const byApi = await create(u, { title: 'done by a script' });
    const byWeb = await create(u, { title: 'done in the browser' });
    let res = await server.api('PATCH', `/api/${u.user.id}/tasks/${byApi.id}/complete`, { token: u.token, body: { completed: true } });
    assert.equal(res.status, 200, res.text);
    res = await server.api('PATCH', `/api/${u.user.id}/tasks/${byWeb.id}/complete`, { cookie: u.cookie, body: { completed: true } });
    assert.equal(res.status, 200, res.text);
    const [m] = await waitForMail(u.email);
    await settled();
    assert.deepEqual(mailbox.to(u.email).map((x) => x.subject), ['Completed: done by a script']);
    assert.ok(m.text.includes('completed through the API'), m.text);
    assert.match(m.text, /(EST|EDT)\./);
    assert.ok(m.text.includes(`${PUBLIC_URL}/tasks?task=${byApi.id}`));
    assert.match(m.messageId, /^<notice\./);

    // The events say who made each change.
    const audit = await server.api('GET', `/api/${u.user.id}/audit?event_type=completed`, { token: u.token });
    const sources = Object.fromEntries(audit.json.items.map((e) => [e.task_id, e.source]));
    assert.deepEqual(sources, { [byApi.id]: 'api', [byWeb.id]: 'web' });

    // Not opted in (the default): no notice.
    const v = await server.signUp();
    const t = await create(v, { title: 'quiet' });
    res = await server.api('PATCH', `/api/${v.user.id}/tasks/${t.id}/complete`, { token: v.token });
    assert.equal(res.status, 200);
    await settled();
    assert.equal(mailbox.to(v.email).length, 0);
  });
});

describe('preferences API', () => {
  test('defaults, replace, validation naming each field, isolation', async () => {
    const u = await server.signUp();
    const path = `/api/${u.user.id}/preferences`;
    let res = await server.api('GET', path, { token: u.token });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { email_reminders: true, completion_notices: false, timezone: 'UTC', updated_at: null });

    const saved = await putPreferences(u, { email_reminders: false, completion_notices: true, timezone: 'Asia/Tokyo' });
    assert.equal(saved.timezone, 'Asia/Tokyo');
    assert.ok(Date.parse(saved.updated_at) > 0);
    res = await server.api('GET', path, { token: u.token });
    assert.deepEqual(res.json, saved);

    const ok = { email_reminders: true, completion_notices: false, timezone: 'UTC' };
    problemOf(await server.api('PUT', path, { token: u.token, body: { ...ok, emial_reminders: true } }), 400, 'emial_reminders');
    problemOf(await server.api('PUT', path, { token: u.token, body: { ...ok, timezone: 'Mars/Olympus' } }), 422, 'timezone');
    problemOf(await server.api('PUT', path, { token: u.token, body: { ...ok, email_reminders: 'yes' } }), 422, 'email_reminders');
    problemOf(await server.api('PUT', path, { token: u.token, body: { email_reminders: true } }), 422, 'completion_notices');
    problemOf(await server.api('PUT', path, { token: u.token, raw: '{"email_reminders":' }), 400);
    res = await server.api('GET', path, { token: u.token });
    assert.deepEqual(res.json, saved, 'a refused PUT changes nothing');

    const other = await server.signUp();
    problemOf(await server.api('GET', path, { token: other.token }), 403);
    problemOf(await server.api('PUT', path, { token: other.token, body: ok }), 403);
    problemOf(await server.api('GET', path), 401);
  });
});

describe('configuration', () => {
  test('bad SMTP settings stop the start with a line naming the option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'todo-email-'));
    try {
      const cases = [
        [['--smtp-url', 'http://mail.example.com'], '--smtp-url must look like smtp://'],
        [['--smtp-url', 'smtp://user:secret@mail.example.com'], '--smtp-url must not hold credentials'],
        [['--smtp-url', 'smtp://127.0.0.1:25', '--smtp-from', 'not an address'], '--smtp-from must be an address'],
        [['--smtp-url', 'smtp://127.0.0.1:25', '--smtp-retry-base', 'soon'], '--smtp-retry-base must look like'],
        [['--public-url', 'ftp://x'], '--public-url must be an http(s) URL'],
      ];
      for (const [args, message] of cases) {
        const run = spawnSync(BINARY, ['serve', '--data-dir', dir, '--listen', '127.0.0.1:0', ...args],
          { encoding: 'utf8', timeout: 30_000, env: { ...process.env, TODO_JWT_SECRET: JWT_SECRET } });
        assert.notEqual(run.status, 0, `${args.join(' ')} must not start`);
        assert.ok(run.stderr.includes(message), `${args.join(' ')}: ${run.stderr}`);
        assert.ok(!run.stderr.includes('secret@'), 'the refused URL is not echoed with its credentials');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('TLS', () => {
  // Each test's own server must be the one that sends: on PostgreSQL every running server's
  // relay, reminder scheduler and e-mail sender take any user's rows from the shared tables,
  // and the main server, sending to its own mailbox, could take this e-mail (it did, now and
  // then, on a busy machine: nothing reached the test's server, and the wait timed out).
  before(async () => { await server.stop(); });
  after(async () => { await server.start(); });
  // A certificate for 127.0.0.1 that the server trusts through TODO_SMTP_CA_FILE.
  const dir = mkdtempSync(join(tmpdir(), 'todo-email-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  const tls = { key: readFileSync(keyFile), cert: readFileSync(certFile) };
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function sendThrough(url, box, env = {}) {
    const srv = await startServer({
      env: { TODO_SMTP_URL: url, TODO_SMTP_FROM: 'todo@todo.test', TODO_SMTP_CA_FILE: certFile, TODO_SMTP_MAX_ATTEMPTS: '1', ...env },
    });
    try {
      const u = await srv.signUp();
      const t = await srv.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: 'over TLS', remind_at: inMs(500) } });
      assert.equal(t.status, 201);
      // Sent, or given up (one try): either way the outcome is known.
      await waitUntil(async () => box.to(u.email).length > 0 ||
        (await srv.api('GET', `/api/${u.user.id}/notifications`, { token: u.token })).json.items.some((n) => n.kind === 'email_failed'),
      'the e-mail sent or given up');
      return box.to(u.email);
    } finally {
      await srv.cleanup();
    }
  }

  test('smtp:// upgrades with STARTTLS (required), the certificate verified against TODO_SMTP_CA_FILE', async () => {
    const box = new Mailbox(tls);
    await box.start();
    try {
      const [m] = await sendThrough(`smtp://127.0.0.1:${box.port}`, box, { TODO_SMTP_REQUIRE_TLS: 'true' });
      assert.ok(m, 'delivered');
      assert.equal(m.secure, true, 'the session was upgraded to TLS');
    } finally {
      await box.stop();
    }
  });

  test('smtps:// is TLS from the first byte', async () => {
    const box = new Mailbox({ ...tls, secure: true });
    await box.start();
    try {
      const [m] = await sendThrough(`smtps://127.0.0.1:${box.port}`, box);
      assert.ok(m, 'delivered');
      assert.equal(m.secure, true);
    } finally {
      await box.stop();
    }
  });

  test('with TODO_SMTP_REQUIRE_TLS nothing is sent in the clear to a server without STARTTLS', async () => {
    const box = new Mailbox();  // no STARTTLS
    await box.start();
    try {
      assert.deepEqual(await sendThrough(`smtp://127.0.0.1:${box.port}`, box, { TODO_SMTP_REQUIRE_TLS: 'true' }), []);
    } finally {
      await box.stop();
    }
  });

  test('a certificate the server does not trust: nothing is sent', async () => {
    const box = new Mailbox(tls);
    await box.start();
    try {
      assert.deepEqual(await sendThrough(`smtp://127.0.0.1:${box.port}`, box, { TODO_SMTP_REQUIRE_TLS: 'true', TODO_SMTP_CA_FILE: '' }), []);
    } finally {
      await box.stop();
    }
  });
});
