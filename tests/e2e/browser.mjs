// Browser side of the e2e tests: Debian's Chromium driven by playwright-core (no browser
// download), plus a guard that fails a test on anything the page logs.
//
// No allow-list: normal use of the UI (first visit, sign-up, sign-in, sign-out, every
// page) must leave the console empty of errors and warnings. Chromium logs every 4xx/5xx
// answer as "Failed to load resource", so the UI must not cause one in normal use (the
// session probe answers 200 with a null user when nobody is signed in); a test that wants
// to see a refusal asks the server from Node (apiStatus below), not from the page. The one
// exception is a refusal the test provokes on purpose through the UI (a wrong password typed
// into a form): it names that one answer with expectHttpError(path, status), which must then
// happen exactly once; nothing else is excused.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { after, afterEach, before } from 'node:test';

import { chromium } from 'playwright-core';

import { REPO_ROOT } from '../integration/harness.mjs';

import { startUiServer } from './server.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const OUTPUT_DIR = join(REPO_ROOT, 'build', 'test-output', 'e2e');
mkdirSync(OUTPUT_DIR, { recursive: true });

// Generous: a safety net on a loaded machine, never a speed bound.
export const STEP_TIMEOUT_MS = 30_000;

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

// A page that records console errors and warnings, uncaught exceptions and every HTTP
// answer >= 400 to the page (the console message of a failed resource, checked twice).
export async function watchedPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  const problems = [];
  const expected = [];  // {path: RegExp, status, seen}
  const isExpected = (path, status) => {
    const e = expected.find((x) => !x.seen && x.status === status && x.path.test(path));
    if (e) e.seen = path;
    return Boolean(e);
  };
  // The console line Chromium writes for a provoked refusal names its status and URL.
  const excusedConsole = (msg) => {
    const m = /^Failed to load resource: the server responded with a status of (\d+)/.exec(msg.text());
    const url = msg.location()?.url;
    if (!m || !url) return false;
    const path = new URL(url).pathname;
    return expected.some((x) => x.seen === path && x.status === Number(m[1]) && !x.consoleSeen && (x.consoleSeen = true));
  };
  page.on('response', (res) => {
    const path = new URL(res.url()).pathname;
    if (res.status() >= 400 && !isExpected(path, res.status())) problems.push(`HTTP ${res.status()} for ${res.request().method()} ${path}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if ((msg.type() === 'error' || msg.type() === 'warning') && !excusedConsole(msg)) {
      problems.push(`console ${msg.type()}: ${msg.text()} (${msg.location()?.url ?? '?'})`);
    }
  });
  return {
    page,
    problems,
    // The test is about to provoke this refusal through the UI (e.g. a wrong password): it
    // must happen, once, before the next assertClean.
    expectHttpError(path, status) {
      expected.push({ path, status, seen: null, consoleSeen: false });
    },
    // Throws when anything was logged since the last call, or an expected refusal did not
    // happen.
    assertClean(where) {
      for (const e of expected.splice(0)) if (!e.seen) problems.push(`expected HTTP ${e.status} for ${e.path} did not happen`);
      if (problems.length) {
        const list = problems.splice(0);
        throw new Error(`${where}: ${list.length} console problem(s):\n${list.join('\n')}`);
      }
    },
  };
}

// A fresh context (empty cache and cookies) in the zone and language the tests assume.
export function newContext(browser, options = {}) {
  return browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/Berlin', ...options });
}

// The session cookie of a user signed up through the API (harness signUp: "todo_session=v").
export async function addSessionCookie(context, user, baseUrl) {
  const eq = user.cookie.indexOf('=');
  await context.addCookies([{ name: user.cookie.slice(0, eq), value: user.cookie.slice(eq + 1), url: baseUrl, httpOnly: true, sameSite: 'Lax' }]);
}

// The browser's session cookie, as a Cookie header value for a request from Node ('' if none).
export async function cookieHeader(context, baseUrl) {
  return (await context.cookies(baseUrl)).map((c) => `${c.name}=${c.value}`).join('; ');
}

export function screenshotPath(name) {
  return join(OUTPUT_DIR, name);
}

// What every browser suite shares, registered on the describe() it is called in: one UI
// server and one Chromium for the suite; contexts made with suite.context() are closed after
// each test. suite.server and suite.browser are set once the suite's before() ran.
// `env` (a function, called in before()): more environment for the server.
export function browserSuite({ env = () => ({}) } = {}) {
  const suite = {
    server: undefined,
    browser: undefined,
    contexts: [],
    base: () => suite.server.baseUrl,
    // A fresh context (as another window or device), signed in as `user` when given.
    async context(user, options = {}) {
      const c = await newContext(suite.browser, options);
      suite.contexts.push(c);
      if (user) await addSessionCookie(c, user, suite.base());
      return c;
    },
  };
  before(async () => {
    suite.server = await startUiServer(env());
    suite.browser = await launch();
  });
  afterEach(async () => {
    for (const c of suite.contexts.splice(0)) await c.close();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.cleanup();
  });
  return suite;
}
