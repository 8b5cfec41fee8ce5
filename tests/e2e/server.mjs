// The server under test: build/todo on a free 127.0.0.1 port with a fresh data directory
// (tests/integration/harness.mjs), serving the UI from build/ui. SQLite: the UI does not
// care which backend answers, and these tests drive it through the browser only.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT, startServer } from '../integration/harness.mjs';

export const UI_DIR = process.env.TODO_UI_DIR || join(REPO_ROOT, 'build', 'ui');

// `env`: more environment for the server (e.g. the chat's TODO_LLM_BASE_URL).
export async function startUiServer(env = {}) {
  if (!existsSync(join(UI_DIR, 'index.html'))) throw new Error(`${UI_DIR}/index.html missing: run make build`);
  return startServer({ env: { TODO_UI_DIR: UI_DIR, DATABASE_URL: '', ...env } });
}
