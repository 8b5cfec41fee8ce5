// The chat in the web UI (issue 12 item 4), in headless Chromium against build/todo with the
// LLM agent talking to a scripted fake OpenAI-compatible endpoint (tests/integration/
// fake_llm.mjs), and again with the built-in English command assistant (no LLM: the default
// of `make run`). A task added by chat shows in
// a tasks page open in another tab — live, without a reload — and as a chip linking to it;
// completed by chat, it is ticked there and its audit entry is on the audit page. An
// unavailable assistant shows its words and what it had applied. Every wait is for a
// condition; the console must stay clean.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { FakeLlm } from '../integration/fake_llm.mjs';

import { browserSuite, watchedPage } from './browser.mjs';

describe('web UI: chat', () => {
  let llm;
  before(async () => { llm = await new FakeLlm().start(); });
  after(async () => { await llm?.stop(); });
  const suite = browserSuite({ env: () => ({ TODO_LLM_BASE_URL: llm.baseUrl, TODO_LLM_MODEL: 'fake' }) });
  const base = () => suite.base();
  const rows = (page, title) => page.locator('ul.task-list > li.task', { hasText: title });

  async function tasksPage(context, user) {
    const w = await watchedPage(context);
    const streaming = w.page.waitForResponse((r) => new URL(r.url()).pathname === `/api/${user.user.id}/stream`);
    await w.page.goto(`${base()}/tasks`);
    await w.page.locator('.empty-state, ul.task-list:not([aria-hidden])').first().waitFor();
    await streaming;
    await w.page.evaluate(() => (window.__sameDocument = true)); // a reload would lose it
    return w;
  }

  async function say(page, text) {
    await page.getByLabel('Message to the assistant').fill(text);
    await page.keyboard.press('Enter');
  }

  test('add a task by chat, see it in the list; complete it by chat, see the audit entry', async () => {
    const user = await suite.server.signUp();
    const context = await suite.context(user);
    const tasks = await tasksPage(context, user);
    const chat = await watchedPage(context);
    await chat.page.goto(`${base()}/chat`);
    await chat.page.getByText('No conversations yet.').waitFor();

    llm.script({ calls: [{ name: 'add_task', arguments: { title: 'Buy milk', priority: 'high' } }] }, { text: 'Added “Buy milk” with high priority.' });
    await say(chat.page, 'Add buy milk, high priority');
    const messages = chat.page.getByRole('list', { name: 'Messages' });
    await messages.getByText('Added “Buy milk” with high priority.').waitFor();
    const chip = messages.getByRole('link', { name: 'Added “Buy milk”' });
    const [milk] = (await suite.server.api('GET', `/api/${user.user.id}/tasks`, { token: user.token })).json.items;
    assert.equal(milk.title, 'Buy milk');
    assert.equal(await chip.getAttribute('href'), `/tasks?task=${milk.id}`);
    // The conversation is in the list, titled from the first message.
    await chat.page.getByRole('list', { name: 'Your conversations' }).getByRole('button', { name: 'Add buy milk, high priority', exact: true }).waitFor();

    // The other tab's list has it, without a reload.
    await rows(tasks.page, 'Buy milk').waitFor();
    assert.equal(await rows(tasks.page, 'Buy milk').count(), 1);
    assert.equal(await tasks.page.evaluate(() => window.__sameDocument === true), true);

    llm.script({ calls: [{ name: 'complete_task', arguments: { task_id: milk.id } }] }, { text: 'Marked “Buy milk” as done.' });
    await say(chat.page, 'I bought the milk');
    await messages.getByText('Marked “Buy milk” as done.').waitFor();
    await messages.getByRole('link', { name: 'Completed “Buy milk”' }).waitFor();
    await tasks.page.getByRole('checkbox', { name: 'Mark “Buy milk” as not done' }).waitFor();
    assert.equal(await tasks.page.evaluate(() => window.__sameDocument === true), true);
    // The second request carried the first exchange as history.
    const sent = llm.requests.at(-2).body.messages.map((m) => m.role);
    assert.deepEqual(sent.slice(0, 4), ['system', 'user', 'assistant', 'user']);

    // The audit page shows the completion.
    await chat.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit trail' }).click();
    const completed = chat.page.locator('ol.audit-list > li.event[data-event-type="completed"]', { hasText: 'Buy milk' });
    await completed.waitFor();
    assert.equal(await completed.count(), 1);

    // The chip opens the task.
    await chat.page.goto(`${base()}/chat`);
    await chat.page.getByRole('button', { name: 'Add buy milk, high priority', exact: true }).click();
    await chat.page.getByRole('link', { name: 'Added “Buy milk”' }).click();
    await chat.page.waitForURL(`${base()}/tasks`);
    await chat.page.getByRole('dialog').getByLabel('Title').waitFor();
    assert.equal(await chat.page.getByRole('dialog').getByLabel('Title').inputValue(), 'Buy milk');
    tasks.assertClean('tasks page');
    chat.assertClean('chat page');
  });

  test('an unavailable assistant: its words, what it had applied, the message kept; delete the conversation', async () => {
    const user = await suite.server.signUp();
    const context = await suite.context(user);
    const chat = await watchedPage(context);
    await chat.page.goto(`${base()}/chat`);
    await chat.page.getByText('No conversations yet.').waitFor();
    llm.script({ calls: [{ name: 'add_task', arguments: { title: 'Water plants' } }] }, { status: 500, body: { error: 'boom' } });
    chat.expectHttpError(new RegExp(`^/api/${user.user.id}/chat$`), 503);
    await say(chat.page, 'water the plants');
    const alert = chat.page.getByRole('alert', { name: 'Chat error' });
    await alert.getByText(/The assistant could not answer: the language model answered HTTP 500/).waitFor();
    await alert.getByRole('link', { name: 'Added “Water plants”' }).waitFor();
    await chat.page.getByRole('list', { name: 'Messages' }).getByText('water the plants').waitFor();
    const list = chat.page.getByRole('list', { name: 'Your conversations' });
    await list.getByRole('button', { name: 'water the plants', exact: true }).waitFor();

    await list.getByRole('button', { name: 'Delete conversation “water the plants”' }).click();
    await chat.page.getByRole('group', { name: 'Delete water the plants?' }).getByRole('button', { name: 'Yes, delete' }).click();
    await chat.page.getByText('No conversations yet.').waitFor();
    const left = await suite.server.api('GET', `/api/${user.user.id}/conversations`, { token: user.token });
    assert.deepEqual(left.json.items, []);
    chat.assertClean('chat page');
  });
});

describe('web UI: chat with the built-in assistant (no LLM)', () => {
  const suite = browserSuite();
  const base = () => suite.base();

  test('add a task by chat in plain English, see it in the list; complete it by title, see the audit entry', async () => {
    const user = await suite.server.signUp();
    const context = await suite.context(user);
    const tasks = await watchedPage(context);
    const streaming = tasks.page.waitForResponse((r) => new URL(r.url()).pathname === `/api/${user.user.id}/stream`);
    await tasks.page.goto(`${base()}/tasks`);
    await tasks.page.locator('.empty-state, ul.task-list:not([aria-hidden])').first().waitFor();
    await streaming;
    const chat = await watchedPage(context);
    await chat.page.goto(`${base()}/chat`);
    await chat.page.getByText('No conversations yet.').waitFor();
    const say = async (text) => {
      await chat.page.getByLabel('Message to the assistant').fill(text);
      await chat.page.keyboard.press('Enter');
    };
    const messages = chat.page.getByRole('list', { name: 'Messages' });

    await say('add Buy milk tomorrow 9am !high #shop');
    await messages.getByRole('link', { name: 'Added “Buy milk”' }).waitFor();
    const [milk] = (await suite.server.api('GET', `/api/${user.user.id}/tasks`, { token: user.token })).json.items;
    assert.equal(milk.title, 'Buy milk');
    assert.equal(milk.priority, 'high');
    assert.deepEqual(milk.tags, ['shop']);
    await tasks.page.locator('ul.task-list > li.task', { hasText: 'Buy milk' }).waitFor();

    await say('complete Buy milk');
    await messages.getByRole('link', { name: 'Completed “Buy milk”' }).waitFor();
    await tasks.page.getByRole('checkbox', { name: 'Mark “Buy milk” as not done' }).waitFor();
    await chat.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit trail' }).click();
    await chat.page.locator('ol.audit-list > li.event[data-event-type="completed"]', { hasText: 'Buy milk' }).waitFor();
    tasks.assertClean('tasks page');
    chat.assertClean('chat page');
  });
});
