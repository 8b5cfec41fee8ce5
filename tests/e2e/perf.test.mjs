// First load of the tasks page with 200 tasks, in headless Chromium, with the Performance
// API: navigation timing plus the mark the page sets when the list is on screen
// ("tasks-list-rendered", frontend/src/components/TasksView.tsx), and layout shifts.
// Timings are printed, never asserted (speed belongs to bench/, not to a pass or a fail);
// the size of the JavaScript the page loads is asserted: under 250 KB gzipped.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { launch, screenshotPath, watchedPage } from './browser.mjs';
import { startUiServer } from './server.mjs';

const TASKS = 200;
const RUNS = 3;
const JS_GZIP_LIMIT = 250 * 1024;

let server;
let browser;
let user;

before(async () => {
  server = await startUiServer();
  browser = await launch();
  user = await server.signUp({ name: 'Perf' });
  const tags = ['home', 'work', 'errands', 'health'];
  const priorities = ['low', 'medium', 'high'];
  for (let i = 0; i < TASKS; i += 20) {
    await Promise.all(
      Array.from({ length: 20 }, (_, k) => {
        const n = i + k;
        return server.api('POST', `/api/${user.user.id}/tasks`, {
          token: user.token,
          body: {
            title: `Task number ${n} with a realistic title`,
            description: 'Some words of description',
            priority: priorities[n % 3],
            tags: [tags[n % 4]],
            due_at: new Date(Date.now() + (n - 20) * 3600_000).toISOString(),
            ...(n % 10 === 0 ? { recurrence: 'FREQ=WEEKLY' } : {}),
          },
        });
      }),
    );
  }
  const all = await server.listAll(user);
  assert.equal(all.length, TASKS);
});

after(async () => {
  await browser?.close();
  await server?.cleanup();
});

async function firstLoad() {
  // A new context each time: empty cache, only the session cookie.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const [name, value] = user.cookie.split('=');
  await context.addCookies([{ name, value, url: server.baseUrl, httpOnly: true, sameSite: 'Lax' }]);
  await context.addInitScript(() => {
    window.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const w = await watchedPage(context);
  await w.page.goto(`${server.baseUrl}/tasks`);
  await w.page.waitForFunction(() => performance.getEntriesByName('tasks-list-rendered').length > 0, null, { timeout: 120_000 }); // a safety net
  await w.page.waitForLoadState('load');
  const m = await w.page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const rendered = performance.getEntriesByName('tasks-list-rendered')[0];
    const scripts = performance
      .getEntriesByType('resource')
      .filter((r) => r.initiatorType === 'script' || new URL(r.name).pathname.endsWith('.js'))
      .map((r) => r.name);
    return {
      ttfb: nav.responseStart,
      domContentLoaded: nav.domContentLoadedEventEnd,
      load: nav.loadEventEnd,
      listRendered: rendered.startTime,
      rows: document.querySelectorAll('ul.task-list > li.task').length,
      cls: window.__cls,
      scripts: [...new Set(scripts)],
    };
  });
  w.assertClean('tasks page first load');
  return { ...m, page: w.page, context };
}

test(`first load of /tasks with ${TASKS} tasks: time to an interactive list, JS size`, async () => {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await firstLoad();
    assert.equal(r.rows, 50, 'the first page of the list (50 tasks) is on screen');
    if (i === 0) await r.page.screenshot({ path: screenshotPath('tasks-200.png') });
    await r.context.close();
    delete r.page;
    delete r.context;
    runs.push(r);
  }
  // JavaScript the page loaded, gzipped as served.
  let raw = 0;
  let gz = 0;
  for (const url of runs[0].scripts) {
    const body = Buffer.from(await (await fetch(url)).arrayBuffer());
    raw += body.length;
    gz += gzipSync(body, { level: 9 }).length;
  }
  const median = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(RUNS / 2)];
  const summary = {
    tasks: TASKS,
    runs: runs.map(({ scripts, ...r }) => r),
    median_ms: { ttfb: median('ttfb'), domContentLoaded: median('domContentLoaded'), listRendered: median('listRendered'), load: median('load') },
    cls_max: Math.max(...runs.map((r) => r.cls)),
    js: { files: runs[0].scripts.length, raw_bytes: raw, gzip_bytes: gz },
  };
  writeFileSync(screenshotPath('perf.json'), JSON.stringify(summary, null, 2));
  const fmt = (n) => `${n.toFixed(0)} ms`;
  console.log(
    `tasks page, ${TASKS} tasks, ${RUNS} cold loads (median): TTFB ${fmt(summary.median_ms.ttfb)}, ` +
      `DOMContentLoaded ${fmt(summary.median_ms.domContentLoaded)}, list rendered (interactive) ${fmt(summary.median_ms.listRendered)}, ` +
      `load ${fmt(summary.median_ms.load)}; each run's list: ${runs.map((r) => fmt(r.listRendered)).join(', ')}; ` +
      `CLS max ${summary.cls_max.toFixed(4)}; JS ${summary.js.files} files, ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped`,
  );
  assert.ok(gz < JS_GZIP_LIMIT, `JS of the tasks page is ${(gz / 1024).toFixed(1)} KB gzipped (limit 250 KB)`);
});
