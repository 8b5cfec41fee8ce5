// E-mail preferences and the e-mail link in the web UI (issue 11), in headless Chromium
// against build/todo: the settings page shows the saved preferences and saves changes
// (read back from the API), and an e-mail's "Open the task" link (/tasks?task=<id>) opens
// that task's editor and leaves a clean address.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { addSessionCookie, launch, newContext, watchedPage } from './browser.mjs';
import { startUiServer } from './server.mjs';

describe('e-mail preferences and links', () => {
  let server;
  let browser;
  let user;
  let w;

  before(async () => {
    server = await startUiServer();
    browser = await launch();
    user = await server.signUp({ name: 'Mail Reader' });
    const context = await newContext(browser);
    await addSessionCookie(context, user, server.baseUrl);
    w = await watchedPage(context);
    w.page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  test('the settings page shows the preferences and saves them', async () => {
    const { page } = w;
    await page.goto(`${server.baseUrl}/settings`);
    const reminders = page.getByLabel('E-mail me when a reminder fires');
    const notices = page.getByLabel(/E-mail me when a task is completed/);
    await reminders.waitFor();
    assert.equal(await reminders.isChecked(), true, 'the default: reminder e-mails on');
    assert.equal(await notices.isChecked(), false, 'the default: completion e-mails off');
    await notices.check();
    await page.getByLabel('Time zone for times in e-mails').selectOption('Europe/Berlin');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByText('Your preferences were saved.').waitFor();
    const res = await server.api('GET', `/api/${user.user.id}/preferences`, { token: user.token });
    assert.equal(res.json.completion_notices, true);
    assert.equal(res.json.email_reminders, true);
    assert.equal(res.json.timezone, 'Europe/Berlin');
    // A reload shows what was saved.
    await page.reload();
    await page.getByLabel(/E-mail me when a task is completed/).waitFor();
    assert.equal(await page.getByLabel(/E-mail me when a task is completed/).isChecked(), true);
    assert.equal(await page.getByLabel('Time zone for times in e-mails').inputValue(), 'Europe/Berlin');
    w.assertClean('preferences');
  });

  test("an e-mail's link /tasks?task=<id> opens that task", async () => {
    const { page } = w;
    const created = await server.api('POST', `/api/${user.user.id}/tasks`, { token: user.token, body: { title: 'Renew the passport' } });
    assert.equal(created.status, 201);
    await server.api('POST', `/api/${user.user.id}/tasks`, { token: user.token, body: { title: 'Another task' } });
    await page.goto(`${server.baseUrl}/tasks?task=${created.json.id}`);
    const dialog = page.getByRole('dialog', { name: 'Edit task' });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel('Title').inputValue(), 'Renew the passport');
    assert.equal(new URL(page.url()).search, '', 'the parameter is gone from the address');
    w.assertClean('task link');
  });
});
