// The web UI end to end, as a person uses it, in headless Chromium against build/todo:
// first visit, sign-up, sign-in and sign-out on every page; adding, completing, editing,
// deleting (with undo), filtering and searching tasks; the audit trail; a second user who
// sees nothing of the first. Every test starts from a fresh browser context and a user of
// its own (signed up through the API where the sign-up form is not the point), so that no
// test depends on another's state or order, and every test ends with an empty console:
// no errors, no warnings, no failed resources, without any allow-list.
// Screenshots go to build/test-output/e2e/.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import { expectAudit } from '../integration/audit_helpers.mjs';
import { PASSWORD, uniqueEmail } from '../integration/harness.mjs';

import { addSessionCookie, browserSuite, cookieHeader, newContext, screenshotPath, watchedPage } from './browser.mjs';

// A late evening in summer: 22:30 UTC is already the next day (00:30) in Berlin, the
// browser's zone. "Tomorrow" is 2030-07-12 there (2030-07-11 in UTC), whatever the time
// of day and zone of the machine running the test.
const FIXED_NOW = new Date('2030-07-10T22:30:00Z');
const TOMORROW_IN_BERLIN = '2030-07-12';

describe('web UI', () => {
  const suite = browserSuite();
  const base = () => suite.base();

  // A fresh context and watched page; signed in as `user` (through its cookie) if given.
  async function open(user) {
    const context = await newContext(suite.browser);
    suite.contexts.push(context);
    if (user) await addSessionCookie(context, user, base());
    const w = await watchedPage(context);
    const requests = []; // every API request the page sent: "METHOD /path"
    w.page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/api/')) requests.push(`${r.method()} ${url.pathname}`);
    });
    return { context, w, page: w.page, requests };
  }

  const waitForApi = (page, method, re, status) =>
    page.waitForResponse((r) => r.request().method() === method && re.test(new URL(r.url()).pathname) && (!status || r.status() === status));
  const rows = (page) => page.locator('ul.task-list > li.task');
  const settledRows = (page, n) =>
    page.waitForFunction((count) => document.querySelectorAll('ul.task-list > li.task:not([aria-busy])').length === count, n);

  async function seed(user, tasks) {
    const out = [];
    for (const body of tasks) {
      const res = await suite.server.api('POST', `/api/${user.user.id}/tasks`, { token: user.token, body });
      assert.equal(res.status, 201, res.text);
      out.push(res.json);
    }
    return out;
  }
  const getTask = (user, id) => suite.server.api('GET', `/api/${user.user.id}/tasks/${id}`, { token: user.token });

  test('first visit: every page sends an anonymous visitor to sign-in, and nothing is logged', async () => {
    const { page, w } = await open();
    const probe = waitForApi(page, 'GET', /^\/api\/auth\/session$/);
    await page.goto(`${base()}/`);
    const res = await probe;
    assert.equal(res.status(), 200, 'the session probe of an anonymous visitor is not a failed resource');
    assert.deepEqual(await res.json(), { user: null, session: null });
    await page.waitForURL(/\/sign-in$/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    for (const path of ['/tasks', '/audit']) {
      await page.goto(`${base()}${path}`);
      await page.waitForURL(`${base()}/sign-in?next=${encodeURIComponent(path)}`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    }
    await page.goto(`${base()}/sign-up`);
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    w.assertClean('first visit');
  });

  test('sign up: a short password is refused in words before anything is sent, then the account is created', async () => {
    const { page, w, context, requests } = await open();
    await page.goto(`${base()}/sign-in`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(/\/sign-up$/);
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('E-mail').fill(uniqueEmail('ada'));
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByText('This password is too weak: it must be at least 8 characters.').waitFor();
    assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(requests.filter((r) => r.includes('sign-up')), [], 'nothing was sent for the short password');
    await page.getByLabel('Password').fill(PASSWORD);
    const created = waitForApi(page, 'POST', /^\/api\/auth\/sign-up\/email$/);
    await page.getByRole('button', { name: 'Sign up' }).click();
    assert.equal((await created).status(), 201);
    await page.waitForURL(/\/tasks$/);
    await page.getByText('Nothing to do yet.').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // The session is an HttpOnly cookie; no token anywhere the page's scripts can read.
    const [cookie] = (await context.cookies(base())).filter((c) => c.name === 'todo_session');
    assert.ok(cookie?.httpOnly, 'an HttpOnly session cookie');
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert.doesNotMatch(stored, /eyJ/);
    w.assertClean('sign up');
  });

  test('sign up: a common password is refused by the server, said in words', async () => {
    const { page, w } = await open();
    await page.goto(`${base()}/sign-in`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(/\/sign-up$/);
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('E-mail').fill(uniqueEmail('ada'));
    await page.getByLabel('Password').fill('password1');
    const refused = waitForApi(page, 'POST', /^\/api\/auth\/sign-up\/email$/);
    await page.getByRole('button', { name: 'Sign up' }).click();
    assert.equal((await refused).status(), 422);
    await page.getByText('This password is too weak: it is a common password or based on a dictionary word.').waitFor();
    // Chromium logs the refusal as a failed resource: that, and nothing else.
    const logged = w.problems.splice(0);
    assert.ok(logged.length > 0 && logged.every((p) => /422/.test(p)), logged.join('\n'));
    w.assertClean('common password');
  });

  test('sign in, visit every page, sign out: the pages send to sign-in and the browser holds no session', async () => {
    const user = await suite.server.signUp({ name: 'Grace Hopper' });
    await seed(user, [{ title: 'Write the compiler' }]);
    await expectAudit(suite.server, user, 1);
    const { page, w, context } = await open();
    await page.goto(`${base()}/tasks`);
    await page.waitForURL(`${base()}/sign-in?next=%2Ftasks`);
    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/tasks$/); // where the person was going
    await page.getByRole('button', { name: 'Edit “Write the compiler”' }).waitFor();
    assert.equal(await page.locator('.user-name').innerText(), 'Grace Hopper');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit trail' }).click();
    await page.waitForURL(/\/audit$/);
    await page.locator('ol.audit-list > li.event[data-event-type="created"]').waitFor();
    await page.goto(`${base()}/`); // the home page sends a signed-in person on to the tasks
    await page.waitForURL(/\/tasks$/);
    await page.goto(`${base()}/sign-in`); // and so does the sign-in page
    await page.waitForURL(/\/tasks$/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base()}/sign-in?next=%2Ftasks`); // one navigation, by the page
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await cookieHeader(context, base()), '', 'the session cookie is gone');
    for (const path of ['/tasks', '/audit']) {
      await page.goto(`${base()}${path}`);
      await page.waitForURL(`${base()}/sign-in?next=${encodeURIComponent(path)}`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    }
    // What the browser still holds opens nothing (asked from Node, not the page).
    const res = await suite.server.api('GET', `/api/${user.user.id}/tasks`, { headers: { Cookie: await cookieHeader(context, base()) } });
    assert.equal(res.status, 401);
    w.assertClean('sign in and out');
  });

  test('add three tasks: two with Enter, one with priority, tags and a due date tomorrow in the browser’s zone', async () => {
    const user = await suite.server.signUp({ name: 'Ada' });
    const { page, w } = await open(user);
    await page.clock.setFixedTime(FIXED_NOW); // Date only; timers run as usual
    await page.goto(`${base()}/tasks`);
    await page.getByText('Nothing to do yet.').waitFor();
    const quick = page.getByLabel('New task title');
    for (const title of ['Buy milk', 'Call the plumber']) {
      const created = waitForApi(page, 'POST', /\/tasks$/, 201);
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
    for (const tag of ['home', 'money']) {
      await dialog.getByLabel('Tags', { exact: true }).fill(tag);
      await dialog.getByLabel('Tags', { exact: true }).press('Enter');
    }
    await dialog.getByLabel('Due date').fill(TOMORROW_IN_BERLIN);
    await dialog.getByLabel('Due time').fill('18:30');
    await dialog.getByLabel('Repeat').selectOption('monthly');
    const created = waitForApi(page, 'POST', /\/tasks$/, 201);
    await dialog.getByRole('button', { name: 'Add task' }).click();
    const body = (await created).request().postDataJSON();
    assert.deepEqual(body.tags, ['home', 'money']);
    assert.equal(body.priority, 'high');
    assert.equal(body.recurrence, 'FREQ=MONTHLY');
    assert.equal(body.timezone, 'Europe/Berlin');
    assert.equal(body.due_at, '2030-07-12T16:30:00Z', '18:30 in Berlin (UTC+2 in July)');
    await dialog.waitFor({ state: 'detached' });

    await settledRows(page, 3);
    assert.deepEqual(await rows(page).locator('.task-title').allInnerTexts(), ['Pay rent', 'Call the plumber', 'Buy milk']);
    const rent = rows(page).first();
    assert.match(await rent.locator('.badge').innerText(), /High$/);
    assert.deepEqual(await rent.locator('.tag').allInnerTexts(), ['#home', '#money']);
    assert.match(await rent.locator('.due').innerText(), /Tomorrow 18:30/);
    assert.match(await rent.locator('.recurrence').innerText(), /Monthly$/);
    // What the server holds, not only what the page shows.
    const listed = (await suite.server.listAll(user)).map((t) => t.title).sort();
    assert.deepEqual(listed, ['Buy milk', 'Call the plumber', 'Pay rent']);
    w.assertClean('add tasks');
  });

  test('complete one: the box stays ticked and the server has it done', async () => {
    const user = await suite.server.signUp();
    const [milk] = await seed(user, [{ title: 'Buy milk' }]);
    const { page, w } = await open(user);
    await page.goto(`${base()}/tasks`);
    const done = waitForApi(page, 'PATCH', /\/complete$/, 200);
    await page.getByRole('checkbox', { name: 'Mark “Buy milk” as done' }).check();
    assert.match((await done).request().headers()['if-match'], /^"1"$/);
    await page.getByRole('checkbox', { name: 'Mark “Buy milk” as not done' }).waitFor();
    assert.equal((await getTask(user, milk.id)).json.completed, true);
    w.assertClean('complete');
  });

  test('edit one: only what changed is sent, with If-Match, and the list shows the new title', async () => {
    const user = await suite.server.signUp();
    const [plumber] = await seed(user, [{ title: 'Call the plumber' }]);
    const { page, w } = await open(user);
    await page.goto(`${base()}/tasks`);
    await page.getByRole('button', { name: 'Edit “Call the plumber”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit task' });
    await dialog.getByLabel('Title').fill('Call the plumber about the leak');
    await dialog.getByLabel('Description').fill('Kitchen sink');
    const saved = waitForApi(page, 'PATCH', /\/tasks\/\d+$/, 200);
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    const res = await saved;
    assert.deepEqual(res.request().postDataJSON(), { title: 'Call the plumber about the leak', description: 'Kitchen sink' });
    assert.equal(res.request().headers()['if-match'], '"1"');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Edit “Call the plumber about the leak”' }).waitFor();
    assert.equal((await getTask(user, plumber.id)).json.description, 'Kitchen sink');
    w.assertClean('edit');
  });

  test('delete with an undo window: Undo keeps the task (no request even after the window), Dismiss deletes it', async () => {
    const user = await suite.server.signUp();
    const [milk] = await seed(user, [{ title: 'Buy milk' }]);
    const { page, w, requests } = await open(user);
    // The page's timers under the test's control: the undo window passes only when told.
    await page.clock.install();
    await page.goto(`${base()}/tasks`);
    await page.getByRole('button', { name: 'Delete “Buy milk”' }).click();
    await page.getByRole('button', { name: 'Edit “Buy milk”' }).waitFor({ state: 'detached' });
    const toast = page.locator('.toast', { hasText: 'Deleted “Buy milk”.' });
    await toast.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('button', { name: 'Edit “Buy milk”' }).waitFor(); // back
    await page.clock.runFor(60_000); // far past the undo window and its safety net
    assert.deepEqual(requests.filter((r) => r.startsWith('DELETE')), [], 'Undo cancelled the delete');
    assert.equal((await getTask(user, milk.id)).status, 200, 'the task is still on the server');

    await page.getByRole('button', { name: 'Delete “Buy milk”' }).click();
    const deleted = waitForApi(page, 'DELETE', /\/tasks\/\d+$/, 204);
    await page.locator('.toast', { hasText: 'Deleted “Buy milk”.' }).getByRole('button', { name: 'Dismiss message' }).click();
    await deleted;
    assert.equal(await rows(page).count(), 0);
    assert.equal((await getTask(user, milk.id)).status, 404, 'gone from the server');
    w.assertClean('delete');
  });

  test('filter by status and search by a word', async () => {
    const user = await suite.server.signUp();
    const [milk] = await seed(user, [{ title: 'Buy milk' }, { title: 'Call the plumber about the leak' }, { title: 'Pay rent' }]);
    await suite.server.api('PATCH', `/api/${user.user.id}/tasks/${milk.id}/complete`, { token: user.token });
    const { page, w } = await open(user);
    await page.goto(`${base()}/tasks`);
    await settledRows(page, 3);
    await page.getByLabel('Status').selectOption('completed');
    await page.waitForFunction(() => document.querySelectorAll('ul.task-list > li.task').length === 1);
    assert.deepEqual(await rows(page).locator('.task-title').allInnerTexts(), ['Buy milk']);
    await page.getByLabel('Status').selectOption('pending');
    await page.waitForFunction(() => document.querySelectorAll('ul.task-list > li.task').length === 2);
    // The search's own request (a live-update refetch of the list may come meanwhile).
    const searched = page.waitForResponse((r) => r.request().method() === 'GET' && /\/tasks$/.test(new URL(r.url()).pathname) &&
      new URL(r.url()).searchParams.has('q') && r.status() === 200);
    await page.getByLabel('Search', { exact: true }).fill('leak');
    const url = new URL((await searched).url());
    assert.equal(url.searchParams.get('q'), 'leak');
    assert.equal(url.searchParams.get('status'), 'pending');
    await page.waitForFunction(() => document.querySelectorAll('ul.task-list > li.task').length === 1);
    assert.deepEqual(await rows(page).locator('.task-title').allInnerTexts(), ['Call the plumber about the leak']);
    await page.getByLabel('Search', { exact: true }).fill('nothing-matches-this');
    await page.getByText('No tasks match these filters.').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await page.waitForFunction(() => document.querySelectorAll('ul.task-list > li.task').length === 3);
    await page.screenshot({ path: screenshotPath('tasks.png'), fullPage: true });
    w.assertClean('filters');
  });

  test('readable at 375 px: nothing wider than the screen', async () => {
    const user = await suite.server.signUp();
    await seed(user, [
      { title: 'Pay rent with a rather long title that has to wrap on a small screen', priority: 'high', tags: ['home', 'money'], due_at: '2030-01-01T08:00:00Z', recurrence: 'FREQ=MONTHLY' },
      { title: 'Buy milk' },
    ]);
    const { page, w } = await open(user);
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(`${base()}/tasks`);
    await settledRows(page, 2);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than a 375px screen`);
    await page.screenshot({ path: screenshotPath('tasks-375.png'), fullPage: true });
    w.assertClean('375 px');
  });

  test('audit trail: six events newest first, with what changed, filtered by type', async () => {
    const user = await suite.server.signUp();
    const path = `/api/${user.user.id}/tasks`;
    const [milk, plumber] = await seed(user, [{ title: 'Buy milk' }, { title: 'Call the plumber' }, { title: 'Pay rent', priority: 'high' }]);
    await suite.server.api('PATCH', `${path}/${milk.id}/complete`, { token: user.token });
    await suite.server.api('PATCH', `${path}/${plumber.id}`, { token: user.token, body: { title: 'Call the plumber about the leak' } });
    assert.equal((await suite.server.api('DELETE', `${path}/${milk.id}`, { token: user.token })).status, 204);
    await expectAudit(suite.server, user, 6);
    const { page, w } = await open(user);
    await page.goto(`${base()}/audit`);
    const events = page.locator('ol.audit-list > li.event');
    await page.waitForFunction(() => document.querySelectorAll('ol.audit-list > li.event[data-event-type]').length === 6);
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
    assert.match(await events.nth(1).innerText(), /Title:\s*“Call the plumber”\s*→.*“Call the plumber about the leak”/s);
    assert.match(await events.nth(2).innerText(), /Status:\s*open\s*→.*done/s);
    assert.match(await events.nth(3).innerText(), /Priority:\s*high/);
    await page.screenshot({ path: screenshotPath('audit.png'), fullPage: true });

    await page.getByRole('checkbox', { name: 'Created' }).check();
    await page.waitForFunction(() => document.querySelectorAll('ol.audit-list > li.event[data-event-type]').length === 3);
    assert.deepEqual([...new Set(await events.locator('.event-type').allInnerTexts())], ['CREATED']);
    w.assertClean('audit');
  });

  test('a second user sees none of the first user’s tasks or events', async () => {
    const first = await suite.server.signUp({ name: 'Ada' });
    await seed(first, [{ title: 'Ada’s secret plan' }]);
    await expectAudit(suite.server, first, 1);
    const second = await suite.server.signUp({ name: 'Grace' });
    const { page, w, context } = await open(second);
    await page.goto(`${base()}/tasks`);
    await page.getByText('Nothing to do yet.').waitFor();
    assert.equal(await rows(page).count(), 0);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit trail' }).click();
    await page.getByText('No events yet.').waitFor();
    // The second user's own session cannot open the first user's tasks (asked from Node).
    const res = await suite.server.api('GET', `/api/${first.user.id}/tasks`, { headers: { Cookie: await cookieHeader(context, base()) } });
    assert.equal(res.status, 403);
    w.assertClean('second user');
  });
});
