// The quick add end to end, in headless Chromium against build/todo: typing a line shows
// what the server's assistant parser recognised as chips before Enter; a chip removed keeps
// its words in the title; Enter creates the task with the other fields, and the list and the
// server show them. The server's clock is the real one: "tomorrow" is computed here in the
// browser's zone (Europe/Berlin) from the time of the request.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { browserSuite, watchedPage } from './browser.mjs';

const ZONE = 'Europe/Berlin';

// YYYY-MM-DD and HH:MM of an instant in ZONE.
function local(ms) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

describe('quick add', () => {
  const suite = browserSuite();

  test('chips before Enter, one removed, the task created with the others', async () => {
    const user = await suite.server.signUp({ name: 'Quinn' });
    const context = await suite.context(user);
    const w = await watchedPage(context);
    const { page } = w;
    await page.goto(`${suite.base()}/tasks`);
    await page.getByText('Nothing to do yet.').waitFor();

    const before = Date.now();
    const quick = page.getByLabel('New task title');
    await quick.pressSequentially('Pay rent tomorrow 9am !high #home every month');
    const chips = page.getByRole('list', { name: 'Recognised in the text' });
    await chips.getByRole('listitem').nth(3).waitFor();
    assert.deepEqual(await chips.getByRole('listitem').evaluateAll((els) => els.map((e) => e.dataset.kind)),
      ['due', 'priority', 'tag', 'recurrence']);
    assert.match(await chips.innerText(), /Tomorrow 09:00/);
    assert.match(await chips.innerText(), /Priority high/);
    assert.match(await chips.innerText(), /#home/);
    assert.match(await chips.innerText(), /Monthly/);
    // Nothing is created before Enter.
    assert.deepEqual(await suite.server.listAll(user), []);

    await chips.getByRole('button', { name: /^Remove #home/ }).click();
    await chips.getByText('#home').waitFor({ state: 'detached' });
    const created = page.waitForResponse((r) => r.request().method() === 'POST' && /\/tasks$/.test(new URL(r.url()).pathname) && r.status() === 201);
    await quick.press('Enter');
    const body = (await created).request().postDataJSON();
    const after = Date.now();

    assert.equal(body.title, 'Pay rent #home', 'the removed chip’s words stay in the title');
    assert.equal(body.priority, 'high');
    assert.equal(body.recurrence, 'FREQ=MONTHLY');
    assert.equal(body.timezone, ZONE);
    assert.equal(body.tags, undefined);
    const due = local(Date.parse(body.due_at));
    assert.equal(due.time, '09:00');
    const tomorrows = [before, after].map((t) => local(t + 86_400_000).date);
    assert.ok(tomorrows.includes(due.date), `due ${due.date} is tomorrow in ${ZONE} (${tomorrows})`);

    // The list shows the task with its fields, and so does the server.
    const row = page.locator('ul.task-list > li.task:not([aria-busy])').first();
    await row.waitFor();
    assert.equal(await row.locator('.task-title').innerText(), 'Pay rent #home');
    assert.match(await row.locator('.badge').innerText(), /High$/);
    assert.match(await row.locator('.due').innerText(), /Tomorrow 09:00/);
    assert.match(await row.locator('.recurrence').innerText(), /Monthly$/);
    assert.equal(await row.locator('.tag').count(), 0);
    const [stored] = await suite.server.listAll(user);
    assert.equal(stored.title, 'Pay rent #home');
    assert.equal(stored.priority, 'high');
    assert.equal(stored.due_at, body.due_at);
    assert.equal(stored.recurrence, 'FREQ=MONTHLY');
    assert.deepEqual(stored.tags, []);
    assert.equal(await quick.inputValue(), '');
    w.assertClean('quick add');
  });
});
