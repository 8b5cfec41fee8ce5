// The settings page end to end (issue 14): change the password (a wrong one refused in
// words; afterwards another device's session has ended and this one goes on), download the
// data (a real file with the task and its audit trail), sign out everywhere, and delete the
// account with its password (a wrong one refused; afterwards sign-in fails and the API
// answers 401). Two browser contexts stand for two devices.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import { PASSWORD, uniqueEmail } from '../integration/harness.mjs';

import { launch, screenshotPath, watchedPage } from './browser.mjs';
import { startUiServer } from './server.mjs';

const NEW_PASSWORD = 'a brand new passphrase';

describe('settings', () => {
  let server;
  let browser;
  let here; // this device
  let there; // another device of the same person
  const email = uniqueEmail('settings');
  const base = () => server.baseUrl;

  async function device() {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/Berlin', acceptDownloads: true });
    const w = await watchedPage(context);
    w.page.setDefaultTimeout(15_000);
    return w;
  }

  async function signIn(w, password) {
    await w.page.goto(`${base()}/sign-in`);
    await w.page.getByLabel('E-mail').fill(email);
    await w.page.getByLabel('Password').fill(password);
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await w.page.waitForURL(/\/tasks$/);
  }

  before(async () => {
    server = await startUiServer();
    browser = await launch();
    here = await device();
    there = await device();
  });

  after(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  test('two devices signed in; a task to export', async () => {
    await here.page.goto(`${base()}/sign-up`);
    await here.page.getByLabel('Name').fill('Settings Person');
    await here.page.getByLabel('E-mail').fill(email);
    await here.page.getByLabel('Password').fill(PASSWORD);
    await here.page.getByRole('button', { name: 'Sign up' }).click();
    await here.page.waitForURL(/\/tasks$/);
    const created = here.page.waitForResponse((r) => r.request().method() === 'POST' && /\/tasks$/.test(r.url()) && r.status() === 201);
    await here.page.getByLabel('New task title').fill('Water the plants');
    await here.page.getByLabel('New task title').press('Enter');
    await created;
    await signIn(there, PASSWORD);
    await there.page.getByText('Water the plants').waitFor();
    here.assertClean('sign up');
    there.assertClean('second device');
  });

  test('change password: a wrong current one is refused; then the other device is signed out', async () => {
    here.expectHttpError(/^\/api\/auth\/change-password$/, 403);
    await here.page.getByRole('link', { name: 'Settings' }).click();
    await here.page.waitForURL(/\/settings$/);
    await here.page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await here.page.getByLabel('Current password').fill('not my password');
    await here.page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await here.page.getByLabel('New password again').fill(NEW_PASSWORD);
    await here.page.getByRole('button', { name: 'Change password' }).click();
    await here.page.getByText('This is not your current password.').waitFor();

    await here.page.getByLabel('Current password').fill(PASSWORD);
    await here.page.getByRole('button', { name: 'Change password' }).click();
    await here.page.getByText('Your password was changed. Other devices have been signed out.').waitFor();

    // The other device: its next request finds the session ended and goes to sign-in.
    await there.page.goto(`${base()}/tasks`);
    await there.page.waitForURL(/\/sign-in/);
    // This device goes on with its new session.
    await here.page.getByRole('link', { name: 'Tasks' }).click();
    await here.page.getByText('Water the plants').waitFor();
    here.assertClean('change password');
    there.assertClean('signed out by the password change');
  });

  test('readable at 375 px: nothing wider than the screen', async () => {
    await here.page.getByRole('link', { name: 'Settings' }).click();
    await here.page.getByRole('button', { name: 'Delete account…' }).click();
    await here.page.setViewportSize({ width: 375, height: 812 });
    await here.page.screenshot({ path: screenshotPath('settings-375.png'), fullPage: true });
    const overflow = await here.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const wide = await here.page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
      .map((e) => `${e.tagName}.${e.className}`).slice(0, 5).join(', '));
    assert.ok(overflow <= 0, `page is ${overflow}px wider than a 375px screen: ${wide}`);
    await here.page.setViewportSize({ width: 1280, height: 900 });
    here.assertClean('settings at 375 px');
  });

  test('download my data: the file holds the task and its audit trail', async () => {
    await here.page.getByRole('link', { name: 'Tasks' }).click();
    await here.page.getByRole('link', { name: 'Settings' }).click();
    const [download] = await Promise.all([
      here.page.waitForEvent('download'),
      here.page.getByRole('link', { name: 'Download my data' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^todo-export-\d{4}-\d{2}-\d{2}\.json$/);
    const doc = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(doc.user.email, email);
    assert.deepEqual(doc.tasks.map((t) => t.title), ['Water the plants']);
    // The audit trail is written asynchronously: the one event may still be on its way.
    assert.ok(doc.audit.length <= 1 && doc.audit.every((e) => e.task_data.title === 'Water the plants'));
    here.assertClean('export');
  });

  test('sign out everywhere: this device too; the new password signs in again', async () => {
    await here.page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await here.page.waitForURL(/\/sign-in/);
    const session = await here.page.evaluate(() => fetch('/api/auth/session').then((r) => r.json()));
    assert.deepEqual(session, { user: null, session: null });
    await signIn(here, NEW_PASSWORD);
    here.assertClean('sign out everywhere');
  });

  test('delete the account: a wrong password is refused; then it is gone', async () => {
    here.expectHttpError(/^\/api\/u_[^/]+$/, 403);
    await here.page.getByRole('link', { name: 'Settings' }).click();
    await here.page.getByRole('button', { name: 'Delete account…' }).click();
    await here.page.getByLabel('Your password, to confirm').fill(PASSWORD); // the old one
    await here.page.getByRole('button', { name: 'Delete my account permanently' }).click();
    await here.page.getByText('This is not your password.').waitFor();

    here.expectHttpError(/^\/api\/auth\/sign-in\/email$/, 401);
    await here.page.getByLabel('Your password, to confirm').fill(NEW_PASSWORD);
    await here.page.getByRole('button', { name: 'Delete my account permanently' }).click();
    await here.page.waitForURL(/\/sign-in/);
    await here.page.getByLabel('E-mail').fill(email);
    await here.page.getByLabel('Password').fill(NEW_PASSWORD);
    await here.page.getByRole('button', { name: 'Sign in' }).click();
    await here.page.getByText('Wrong e-mail or password.').waitFor();
    here.assertClean('delete account');
  });
});
