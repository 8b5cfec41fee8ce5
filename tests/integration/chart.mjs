// Renders charts/todo-platform the way `helm template` does, with tests/chart/render (Helm's
// engine, text/template + Sprig, built here from Debian's Go packages: Helm itself is not
// installable on our machines; the CI workflow also runs the real helm). Used by
// chart.test.mjs, chart_roles.test.mjs and manifests.test.mjs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { parseAllDocuments } from 'yaml';

import { ROOT } from './yaml_docs.mjs';

export const CHART = join(ROOT, 'charts', 'todo-platform');
// every environment's values file: a new one is checked without touching the tests
export const VALUES_FILES = readdirSync(CHART).filter((f) => /^values-.+\.yaml$/.test(f)).sort();
const RENDERER = join(ROOT, 'build', 'helm-render');

let built = false;
// go build is incremental (its cache under build/), so this costs about a second after the first time.
export function buildRenderer() {
  if (built) return RENDERER;
  mkdirSync(join(ROOT, 'build'), { recursive: true });
  execFileSync('go', ['build', '-o', RENDERER, './tests/chart/render'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    // GOPATH mode over Debian's packaged sources (/usr/share/gocode): no module download
    env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOFLAGS: '', GOCACHE: join(ROOT, 'build', 'go-cache') },
  });
  built = true;
  return RENDERER;
}

// -> {status, stdout, stderr} of the renderer with these arguments.
export function renderRaw(args) {
  const r = spawnSync(buildRenderer(), [...args, CHART], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Renders with values files (names under the chart, or absolute) and --set pairs;
// -> [{file: 'todo-platform/templates/x.yaml', doc}]. Throws with the renderer's error.
// Strict like `helm lint --strict`: a template reading a value that is not there fails.
export function render({ values = [], set = {}, tag = '4f2c9e1d0b7a' } = {}) {
  const args = ['--strict'];
  for (const v of values) args.push('-f', v.startsWith('/') ? v : join(CHART, v));
  const sets = tag === undefined ? set : { 'image.tag': tag, ...set };
  for (const [k, v] of Object.entries(sets)) args.push('--set', `${k}=${v}`);
  const r = renderRaw(args);
  if (r.status !== 0) throw new Error(`render ${args.join(' ')}: ${r.stderr}`);
  const docs = [];
  let source = '';
  for (const d of parseAllDocuments(r.stdout, { uniqueKeys: true })) {
    if (d.errors.length) throw new Error(`rendered YAML: ${d.errors.map((e) => e.message).join('; ')}`);
    source = /Source: (\S+)/.exec(`${d.commentBefore || ''} ${d.contents?.commentBefore || ''}`)?.[1] || source;
    const doc = d.toJS();
    if (doc) docs.push({ file: source, doc });
  }
  return docs;
}

// The renders every test checks: each environment's values file, plus the shapes and
// toggles they leave off (single binary, declarative subscriptions, monitoring, topics).
export const CASES = {
  ...Object.fromEntries(VALUES_FILES.map((f) => [/^values-(.+)\.yaml$/.exec(f)[1], { values: [f] }])),
  'doks, declarative subscriptions, e-mail, ServiceMonitor': { values: ['values-doks.yaml'], set: { 'dapr.declarativeSubscriptions': 'true', 'secrets.smtp.name': 'todo-smtp', 'monitoring.serviceMonitor': 'true' } },
  'minikube, single binary': { values: ['values-minikube.yaml'], set: { shape: 'single' } },
};
