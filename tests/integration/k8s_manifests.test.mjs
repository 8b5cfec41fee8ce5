// The backend's Dockerfile, checked statically (no Docker engine here): the runtime stage
// installs a package for each library build/todo links, runs as the user the chart's pods
// run as (uid 10001), and copies what CMake builds from. The Kubernetes manifests are the
// Helm chart's now (charts/todo-platform): chart.test.mjs and chart_roles.test.mjs check them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { ROOT } from './yaml_docs.mjs';

// ---- the Dockerfile ----
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
const stages = DOCKERFILE.split(/^FROM /m).slice(1);
const aptPackages = (stage) => {
  const m = /apt-get install ([^&]+)/.exec(stage);
  return m ? m[1].split(/\s+/).filter((w) => w && !w.startsWith('-')) : [];
};

// The Debian package a file belongs to. Debian 12 merged /lib into /usr/lib, but dpkg
// still knows some files by their /lib path.
function packageOwning(file) {
  for (const candidate of [file, file.replace(/^\/usr\//, '/')]) {
    try {
      return execFileSync('dpkg', ['-S', candidate], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[0];
    } catch { /* try the next spelling */ }
  }
  assert.fail(`no Debian package owns ${file}`);
}

test('Dockerfile: the runtime stage installs a package for every library build/todo links', (t) => {
  const binary = join(ROOT, 'build', 'todo');
  if (!existsSync(binary)) {
    assert.fail('build/todo not found: make test builds it first');
  }
  const runtime = stages[stages.length - 1];
  assert.match(runtime, /^debian:12-slim/, 'runs on Debian 12 like the build stage');
  const installed = new Set(aptPackages(runtime));
  const needed = execFileSync('objdump', ['-p', binary], { encoding: 'utf8' })
    .split('\n').map((l) => /NEEDED\s+(\S+)/.exec(l)?.[1]).filter(Boolean);
  assert.ok(needed.length > 5, `NEEDED entries: ${needed}`);
  const ldd = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const inBase = ['libc6', 'libgcc-s1', 'libstdc++6'];  // in every debian:12-slim image
  for (const soname of needed) {
    const path = new RegExp(`^\\s*${soname.replace(/[.+]/g, '\\$&')} => (\\S+)`, 'm').exec(ldd)?.[1];
    assert.ok(path, `ldd resolves ${soname}`);
    const owner = packageOwning(execFileSync('readlink', ['-f', path], { encoding: 'utf8' }).trim());
    assert.ok(installed.has(owner) || inBase.includes(owner), `${soname} comes from ${owner}: the runtime stage must install it (has ${[...installed]})`);
  }
  for (const p of installed) {
    const status = execFileSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    assert.match(status, /installed/, `${p} is a Debian 12 package (installed here)`);
  }
  t.diagnostic(`${needed.length} libraries, runtime packages: ${[...installed].join(' ')}`);
});

test('Dockerfile: builds only the binary from what CMake needs, as the machines do; runs unprivileged', () => {
  const build = stages.find((s) => /cmake --build/.test(s));
  assert.ok(build, 'a build stage');
  assert.match(build, /-DBUILD_TESTING=OFF/, 'no test dependencies in the image');
  assert.match(build, /--target todo/);
  const deps = readFileSync(join(ROOT, 'scripts', 'install-deps.sh'), 'utf8');
  for (const p of aptPackages(build)) assert.ok(deps.includes(p), `${p}: a package scripts/install-deps.sh installs too`);
  const copied = [...build.matchAll(/^COPY (\S+) /gm)].map((m) => m[1]);
  const cmake = readFileSync(join(ROOT, 'CMakeLists.txt'), 'utf8').split(/^if\(BUILD_TESTING\)/m)[0];
  for (const dir of new Set([...cmake.matchAll(/\$\{CMAKE_SOURCE_DIR\}\/([\w-]+)/g)].map((m) => m[1]))) {
    assert.ok(copied.includes(dir), `CMakeLists.txt reads ${dir}/: the build stage copies it (copies ${copied})`);
  }
  const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
  for (const p of [...copied, 'scripts/build-ui.sh', 'frontend']) {
    assert.ok(ignore.split('\n').includes(`!${p}`) || ignore.split('\n').includes(`!${p}/`), `.dockerignore lets ${p} in`);
  }
  const runtime = stages[stages.length - 1];
  assert.match(runtime, /^USER 10001(:10001)?$/m, 'runs as uid 10001 (runAsUser in charts/todo-platform)');
  assert.match(runtime, /^ENTRYPOINT \["\/app\/todo"\]/m);
  assert.match(runtime, /COPY --from=ui \S+ \/app\/ui/, 'the UI next to the binary (<executable dir>/ui)');
});
