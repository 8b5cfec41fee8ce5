// The web UI end to end, as a person uses it: sign up, add three tasks (one with priority
// high, tags and a due date), complete one, edit one, delete one, filter and search, read
// the audit trail (six events, newest first), sign out (pages and API closed), and a
// second user who sees nothing of the first. Screenshots go to build/test-output/e2e/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PASSWORD, uniqueEmail } from '../integration/harness.mjs';

import { launch, screenshotPath, watchedPage } from './browser.mjs';
import { startUiServer } from './server.mjs';

describe('web UI', () => {
  let server;
  let browser;
  let context;
  let w; // the watched page
  let page;
  let firstUserId;
  const base = () => server.baseUrl;

  before(async () => {
    server = await startUiServer();
    browser = await launch();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    w = await watchedPage(context);
    page = w.page;
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  const rows = () => page.locator('ul.task-list > li.task');
  const waitForApi = (method, re, status) =>
    page.waitForResponse((r) => r.request().method() === method && re.test(new URL(r.url()).pathname) && (!status || r.status() === status));

  test('sign up: a weak password is refused in words, then the account is created', async () => {
    w.allowHttpError(/^\/api\/auth\/session$/, 401); // the signed-out probe
    w.allowHttpError(/^\/api\/auth\/sign-up\/email$/, 422);
    await page.goto(`${base()}/`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(/\/sign-up$/);
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('E-mail').fill(uniqueEmail('ada'));
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByText('This password is too weak: it must be at least 8 characters.').waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(/\/tasks$/);
    await page.getByText('Nothing to do yet.').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const session = await page.evaluate(() => fetch('/api/auth/session').then((r) => r.json()));
    firstUserId = session.user.id;
    assert.match(firstUserId, /.+/);
    // No token in the page's storage: the session is the HttpOnly cookie.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert.doesNotMatch(stored, /eyJ/);
    w.clearAllowed();
    w.assertClean('sign up');
  });

  test('add three tasks: two with Enter, one with priority high, tags and a due date', async () => {
    const quick = page.getByLabel('New task title');
    for (const title of ['Buy milk', 'Call the plumber']) {
      const created = waitForApi('POST', /\/tasks$/, 201);
      await quick.fill(title);
      await quick.press('Enter');
      await created;
    }
    await quick.fill('Pay rent');
    await page.getByRole('button', { name: 'More options…' }).click();
    const dialog = page.getByRole('dialog', { name: 'New task' });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel('Title').inputValue(), 'Pay rent');
    assert.equal(await dialog.getByLabel('Time zone').inputValue(), 'Europe/Berlin');
    await dialog.getByLabel('Priority').selectOption('high');
    await dialog.getByLabel('Tags', { exact: true }).fill('home');
    await dialog.getByLabel('Tags', { exact: true }).press('Enter');
    await dialog.getByLabel('Tags', { exact: true }).fill('money');
    await dialog.getByLabel('Tags', { exact: true }).press('Enter');
    const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
    const day = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;
    await dialog.getByLabel('Due date').fill(day);
    await dialog.getByLabel('Due time').fill('18:30');
    await dialog.getByLabel('Repeat').selectOption('monthly');
    const created = waitForApi('POST', /\/tasks$/, 201);
    await dialog.getByRole('button', { name: 'Add task' }).click();
    const body = (await created).request().postDataJSON();
    assert.deepEqual(body.tags, ['home', 'money']);
    assert.equal(body.priority, 'high');
    assert.equal(body.recurrence, 'FREQ=MONTHLY');
    assert.equal(body.timezone, 'Europe/Berlin');
    await dialog.waitFor({ state: 'detached' });

    await page.waitForFunction(() => document.querySelectorAll('ul.task-list > li.task:not([aria-busy])').length === 3);
    assert.deepEqual(await rows().locator('.task-title').allInnerTexts(), ['Pay rent', 'Call the plumber', 'Buy milk']);
    const rent = rows().first();
    assert.match(await rent.locator('.badge').innerText(), /High$/);
    assert.deepEqual(await rent.locator('.tag').allInnerTexts(), ['#home', '#money']);
    assert.match(await rent.locator('.due').innerText(), /Tomorrow 18:30/);
    assert.match(await rent.locator('.recurrence').innerText(), /Monthly$/);
    w.assertClean('add tasks');
  });

  test('complete one', async () => {
    const done = waitForApi('PATCH', /\/complete$/, 200);
    await page.getByRole('checkbox', { name: 'Mark “Buy milk” as done' }).check();
    await done;
    await page.getByRole('checkbox', { name: 'Mark “Buy milk” as not done' }).waitFor();
    w.assertClean('complete');
  });

  test('edit one', async () => {
    await page.getByRole('button', { name: 'Edit “Call the plumber”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit task' });
    await dialog.getByLabel('Title').fill('Call the plumber about the leak');
    await dialog.getByLabel('Description').fill('Kitchen sink');
    const saved = waitForApi('PATCH', /\/tasks\/\d+$/, 200);
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    const res = await saved;
    assert.deepEqual(res.request().postDataJSON(), { title: 'Call the plumber about the leak', description: 'Kitchen sink' });
    assert.match(res.request().headers()['if-match'], /^"\d+"$/);
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Edit “Call the plumber about the leak”' }).waitFor();
    w.assertClean('edit');
  });

  test('delete one, with an undo window', async () => {
    await page.getByRole('button', { name: 'Delete “Buy milk”' }).click();
    const toast = page.locator('.toast', { hasText: 'Deleted “Buy milk”.' });
    await toast.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('button', { name: 'Edit “Buy milk”' }).waitFor(); // back
    await page.getByRole('button', { name: 'Delete “Buy milk”' }).click();
    const deleted = waitForApi('DELETE', /\/tasks\/\d+$/, 204);
    await page.locator('.toast', { hasText: 'Deleted “Buy milk”.' }).getByRole('button', { name: 'Dismiss message' }).click();
    await deleted;
    assert.equal(await rows().count(), 2);
    w.assertClean('delete');
  });

  test('filter by status and search by a word', async () => {
    await page.getByLabel('Status').selectOption('completed');
    await page.getByText('No tasks match these filters.').waitFor();
    await page.getByLabel('Status').selectOption('pending');
    await page.waitForFunction(() => document.querySelectorAll('ul.task-list > li.task').length === 2);
    const searched = waitForApi('GET', /\/tasks$/, 200);
    await page.getByLabel('Search', { exact: true }).fill('leak');
    const url = new URL((await searched).url());
    assert.equal(url.searchParams.get('q'), 'leak');
    assert.equal(url.searchParams.get('status'), 'pending');
    await page.waitForFunction(() => document.querySelectorAll('ul.task-list > li.task').length === 1);
    assert.deepEqual(await rows().locator('.task-title').allInnerTexts(), ['Call the plumber about the leak']);
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await page.waitForFunction(() => document.querySelectorAll('ul.task-list > li.task').length === 2);
    await page.screenshot({ path: screenshotPath('tasks.png'), fullPage: true });
    w.assertClean('filters');
  });

  test('readable at 375 px: nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than a 375px screen`);
    await page.screenshot({ path: screenshotPath('tasks-375.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('audit trail: six events newest first with the right types', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit trail' }).click();
    await page.waitForURL(/\/audit$/);
    const events = page.locator('ol.audit-list > li.event');
    await page.waitForFunction(() => document.querySelectorAll('ol.audit-list > li.event[data-event-type]').length >= 6);
    assert.deepEqual(await events.locator('.event-type').allInnerTexts(), ['DELETED', 'UPDATED', 'COMPLETED', 'CREATED', 'CREATED', 'CREATED']);
    assert.deepEqual(await events.locator('.event-task').allInnerTexts(), [
      'Buy milk',
      'Call the plumber about the leak',
      'Buy milk',
      'Pay rent',
      'Call the plumber',
      'Buy milk',
    ]);
    const times = await events.locator('time').evaluateAll((ts) => ts.map((t) => Date.parse(t.getAttribute('datetime'))));
    for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] >= times[i], 'newest first');
    // What changed: the update against the creation before it.
    const update = events.nth(1);
    assert.match(await update.innerText(), /Title:\s*“Call the plumber”\s*→.*“Call the plumber about the leak”/s);
    assert.match(await events.nth(2).innerText(), /Status:\s*open\s*→.*done/s);
    assert.match(await events.nth(3).innerText(), /Priority:\s*high/);
    await page.screenshot({ path: screenshotPath('audit.png'), fullPage: true });

    // Filter by type.
    await page.getByRole('checkbox', { name: 'Created' }).check();
    await page.waitForFunction(() => document.querySelectorAll('ol.audit-list > li.event[data-event-type]').length === 3);
    assert.deepEqual([...new Set(await events.locator('.event-type').allInnerTexts())], ['CREATED']);
    w.assertClean('audit');
  });

  test('sign out: task pages send to sign-in and the API answers 401', async () => {
    w.allowHttpError(/^\/api\/auth\/session$/, 401);
    w.allowHttpError(/^\/api\/.*\/tasks$/, 401);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    for (const path of ['/tasks', '/audit']) {
      await page.goto(`${base()}${path}`);
      await page.waitForURL(new RegExp(`/sign-in\\?next=${encodeURIComponent(path).replace('%', '%')}$`));
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    }
    const status = await page.evaluate((id) => fetch(`/api/${id}/tasks`).then((r) => r.status), firstUserId);
    assert.equal(status, 401);
    w.clearAllowed();
    w.assertClean('sign out');
  });

  test('a second user sees none of the first user’s tasks', async () => {
    w.allowHttpError(/^\/api\/auth\/session$/, 401);
    w.allowHttpError(/^\/api\/u_[^/]+\/tasks$/, 403);
    await page.goto(`${base()}/sign-up`);
    await page.getByLabel('Name').fill('Grace Hopper');
    await page.getByLabel('E-mail').fill(uniqueEmail('grace'));
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(/\/tasks$/);
    await page.getByText('Nothing to do yet.').waitFor();
    assert.equal(await rows().count(), 0);
    const status = await page.evaluate((id) => fetch(`/api/${id}/tasks`).then((r) => r.status), firstUserId);
    assert.equal(status, 403);
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page.getByText('No events yet.').waitFor();
    w.clearAllowed();
    w.assertClean('second user');
  });
});
