// Browser side of the e2e tests: Debian's Chromium driven by playwright-core (no browser
// download), plus a guard that fails a test on any console error or page error.
//
// Chromium logs every 4xx/5xx answer to fetch() as a console error ("Failed to load
// resource"). Some are the point of a test (a 401 from /api/auth/session once signed out,
// the 422 of a weak password): a test names those with allowHttpError(); anything else in
// the console, or any uncaught exception, fails it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

import { REPO_ROOT } from '../integration/harness.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const OUTPUT_DIR = join(REPO_ROOT, 'build', 'test-output', 'e2e');
mkdirSync(OUTPUT_DIR, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

// A page that records console errors, page errors and failed HTTP answers.
export async function watchedPage(context) {
  const page = await context.newPage();
  const problems = [];
  const failedResponses = []; // {method, path, status}
  const allowed = []; // {method, path: RegExp, status}
  page.on('response', (res) => {
    if (res.status() >= 400) {
      const url = new URL(res.url());
      failedResponses.push({ method: res.request().method(), path: url.pathname, status: res.status() });
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    const m = /Failed to load resource: the server responded with a status of (\d+)/.exec(text);
    if (m) {
      const url = msg.location()?.url ? new URL(msg.location().url) : null;
      const ok = url && allowed.some((a) => a.status === Number(m[1]) && a.path.test(url.pathname));
      if (ok) return;
    }
    problems.push(`console error: ${text} (${msg.location()?.url ?? '?'})`);
  });
  return {
    page,
    failedResponses,
    allowHttpError(path, status) {
      allowed.push({ path, status });
    },
    clearAllowed() {
      allowed.length = 0;
    },
    // Throws when anything went to the console since the last call.
    assertClean(where) {
      if (problems.length) {
        const list = problems.splice(0);
        throw new Error(`${where}: ${list.length} console problem(s):\n${list.join('\n')}`);
      }
    },
  };
}

export function screenshotPath(name) {
  return join(OUTPUT_DIR, name);
}
