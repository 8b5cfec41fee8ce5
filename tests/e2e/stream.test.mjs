// Live updates in the web UI (issue 11 item 1), in headless Chromium against build/todo: two
// pages of one user, and a change made in one — or through the API, as the chat or another
// device would — appears in the other within moments, without a reload (a mark set in the
// page's document must survive) and without duplicate rows; the tab that made the change
// shows it once too (its own answer and the stream's event are one row). A reminder that
// fires shows a toast and, once turned on in the settings, a system notification (the
// Notification API, recorded by a wrapper the test installs) whose click opens the task.
// Every wait is for a condition.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import { addSessionCookie, launch, newContext, watchedPage } from './browser.mjs';
import { startUiServer } from './server.mjs';

describe('web UI: live updates', () => {
  let server;
  let browser;
  const contexts = [];
  const base = () => server.baseUrl;

  before(async () => {
    server = await startUiServer();
    browser = await launch();
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });
  after(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  // A page of the user's tasks, in a context of its own (as another window or device).
  async function tasksPage(user) {
    const context = await newContext(browser);
    contexts.push(context);
    await addSessionCookie(context, user, base());
    const w = await watchedPage(context);
    const streaming = w.page.waitForResponse((r) => new URL(r.url()).pathname === `/api/${user.user.id}/stream`);
    await w.page.goto(`${base()}/tasks`);
    await w.page.locator('.empty-state, ul.task-list:not([aria-hidden])').first().waitFor();
    await streaming;
    await w.page.evaluate(() => (window.__sameDocument = true)); // a reload would lose it
    return w;
  }
  const rows = (page, title) => page.locator('ul.task-list > li.task', { hasText: title });
  const sameDocument = (page) => page.evaluate(() => window.__sameDocument === true);

  test('a change in one page appears in the other without reload, once', async () => {
    const user = await server.signUp();
    const a = await tasksPage(user);
    const b = await tasksPage(user);

    // Added in A: shown in B, and exactly once in each.
    await a.page.getByLabel('New task title').fill('Buy milk');
    await a.page.keyboard.press('Enter');
    await rows(b.page, 'Buy milk').waitFor();
    await rows(a.page, 'Buy milk').waitFor();
    assert.equal(await rows(a.page, 'Buy milk').count(), 1);
    assert.equal(await rows(b.page, 'Buy milk').count(), 1);

    // Completed in B: ticked in A.
    await b.page.getByRole('checkbox', { name: 'Mark “Buy milk” as done' }).check();
    await a.page.getByRole('checkbox', { name: 'Mark “Buy milk” as not done' }).waitFor();

    // Through the API (the chat, another device): a new task and a renamed one, in both.
    const [milk] = (await server.api('GET', `/api/${user.user.id}/tasks`, { token: user.token })).json.items;
    const created = await server.api('POST', `/api/${user.user.id}/tasks`, { token: user.token, body: { title: 'Call Ada' } });
    assert.equal(created.status, 201);
    const renamed = await server.api('PATCH', `/api/${user.user.id}/tasks/${milk.id}`, { token: user.token, body: { title: 'Buy oat milk' } });
    assert.equal(renamed.status, 200);
    for (const w of [a, b]) {
      await rows(w.page, 'Call Ada').waitFor();
      await rows(w.page, 'Buy oat milk').waitFor();
      assert.equal(await rows(w.page, 'Call Ada').count(), 1);
      assert.equal(await rows(w.page, 'milk').count(), 1);
    }

    // Deleted through the API: gone from both.
    const gone = await server.api('DELETE', `/api/${user.user.id}/tasks/${created.json.id}`, { token: user.token });
    assert.equal(gone.status, 204);
    for (const w of [a, b]) await rows(w.page, 'Call Ada').waitFor({ state: 'detached' });

    for (const w of [a, b]) {
      assert.ok(await sameDocument(w.page), 'no reload');
      w.assertClean('live updates');
    }
  });

  test('with browser notifications on, a reminder is a system notification whose click opens the task', async () => {
    const user = await server.signUp();
    const context = await newContext(browser, { permissions: ['notifications'] });
    contexts.push(context);
    await addSessionCookie(context, user, base());
    // Every system notification the page makes, kept for the test (headless Chromium shows
    // none on screen).
    await context.addInitScript(() => {
      const Real = window.Notification;
      window.__notes = [];
      window.Notification = class extends Real {
        constructor(title, options) {
          super(title, options);
          window.__notes.push({ title, body: options?.body, note: this });
        }
      };
    });
    const w = await watchedPage(context);
    const { page } = w;
    // The stream opens with the first page (the layout holds it) and starts live: the
    // reminder must fire after it is open.
    const streaming = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/${user.user.id}/stream`);
    await page.goto(`${base()}/settings`);
    await streaming;
    const toggle = page.getByRole('checkbox', { name: 'Show reminders as system notifications' });
    await toggle.click();
    await page.waitForFunction(() => localStorage.getItem('todo.browserNotifications') === 'on');
    assert.ok(await toggle.isChecked());
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.locator('.empty-state, ul.task-list:not([aria-hidden])').first().waitFor();
    const res = await server.api('POST', `/api/${user.user.id}/tasks`, { token: user.token,
      body: { title: 'Water the plants', remind_at: new Date(Date.now() + 1500).toISOString() } });
    assert.equal(res.status, 201);
    await page.locator('.toast', { hasText: 'Reminder: “Water the plants”' }).waitFor();
    await page.waitForFunction(() => window.__notes.length === 1);
    assert.equal(await page.evaluate(() => window.__notes[0].title), 'Reminder: Water the plants');
    await page.evaluate(() => window.__notes[0].note.onclick());
    const dialog = page.getByRole('dialog', { name: 'Edit task' });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel('Title').inputValue(), 'Water the plants');
    w.assertClean('system notification');
  });

  test("another user's changes never show", async () => {
    const user = await server.signUp();
    const other = await server.signUp();
    const a = await tasksPage(user);
    await server.api('POST', `/api/${other.user.id}/tasks`, { token: other.token, body: { title: 'Not yours' } });
    await server.api('POST', `/api/${user.user.id}/tasks`, { token: user.token, body: { title: 'Yours' } });
    await rows(a.page, 'Yours').waitFor();
    // "Not yours" was committed before "Yours": had it come, it would be here by now.
    assert.equal(await rows(a.page, 'Not yours').count(), 0);
    a.assertClean('isolation');
  });
});
