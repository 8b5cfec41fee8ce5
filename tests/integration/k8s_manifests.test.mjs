// The Kubernetes manifests (deploy/k8s/) and the backend's Dockerfile, checked statically
// (no cluster, no Docker engine here): every object validates against the Kubernetes API
// schemas (kubernetes-models), each role's Deployment runs the right role with
// the Dapr app id the Dapr resources scope, ports, probes and tokens line up, every secret
// comes by secretKeyRef from a Secret the example names, every env var is one the binary
// reads; the Dockerfile's runtime stage installs a package for each library build/todo
// links, runs as the user the manifests expect, and copies what CMake builds from.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { finder, loadYamlDocs, ROOT } from './yaml_docs.mjs';

const K8S = loadYamlDocs(['deploy/k8s']);
const { find, one } = finder(K8S, assert);
const DAPR = finder(loadYamlDocs(['dapr-components']), assert);
const ROLES = { api: 'todo-api', audit: 'todo-audit' };  // role -> Dapr app id = Deployment name
const SECRET_ENV = /SECRET|TOKEN|PASSWORD|DATABASE_URL/;

const sourceText = (() => {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(cpp|hpp)$/.test(name)) out.push(readFileSync(p, 'utf8'));
    }
  };
  walk(join(ROOT, 'src'));
  return out.join('\n');
})();

const container = (deployment) => {
  const cs = deployment.spec.template.spec.containers;
  assert.equal(cs.length, 1, `${deployment.metadata.name}: one container (the sidecar is injected by Dapr)`);
  return cs[0];
};
const envOf = (c) => new Map((c.env || []).map((e) => [e.name, e]));

test('every document is a valid Kubernetes object of its apiVersion and kind (kubernetes-models schemas)', async () => {
  for (const { file, doc } of K8S) {
    const module = await import(`kubernetes-models/${doc.apiVersion}`);  // "v1", "apps/v1", ...
    const Model = module[doc.kind];
    assert.ok(Model, `${file}: ${doc.apiVersion} ${doc.kind} is a known kind`);
    assert.doesNotThrow(() => new Model(doc).validate(), `${file}: ${doc.kind}/${doc.metadata?.name} validates`);
  }
});

test('every document parses and names apiVersion, kind and a DNS-1123 name; no kind/name twice', () => {
  assert.ok(K8S.length >= 6, `deploy/k8s holds the manifests (${K8S.length} documents)`);
  for (const { file, doc } of K8S) {
    assert.match(String(doc.apiVersion), /^([a-z0-9.-]+\/)?v\d+$/, `${file}: apiVersion`);
    assert.match(String(doc.metadata?.name), /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, `${file}: metadata.name`);
  }
  const names = K8S.map((d) => `${d.doc.kind}/${d.doc.metadata.name}`);
  assert.equal(new Set(names).size, names.length, names.join(', '));
});

for (const [role, appId] of Object.entries(ROLES)) {
  test(`${appId}: --role=${role} behind Dapr app id ${appId}, ports, probes, non-root, read-only`, () => {
    const d = one('Deployment', appId);
    const pod = d.spec.template;
    assert.deepEqual(d.spec.selector.matchLabels, Object.fromEntries(Object.entries(pod.metadata.labels).filter(([k]) => k in d.spec.selector.matchLabels)),
      'the selector matches the pod labels');
    const a = pod.metadata.annotations;
    assert.equal(a['dapr.io/enabled'], 'true');
    assert.equal(a['dapr.io/app-id'], appId);
    const c = container(d);
    const args = c.args.join(' ');
    assert.match(args, new RegExp(`^serve .*--role=${role}\\b`), `runs serve --role=${role}: ${args}`);
    const listen = /--listen[ =](\S+):(\d+)/.exec(args);
    assert.ok(listen, `--listen given: ${args}`);
    assert.equal(listen[1], '0.0.0.0', 'listens on every interface of the pod (the sidecar and the Service reach it)');
    const port = Number(listen[2]);
    assert.equal(Number(a['dapr.io/app-port']), port, 'the sidecar calls the port the app listens on');
    const http = c.ports.find((p) => p.name === 'http');
    assert.equal(http?.containerPort, port);
    assert.equal(c.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(c.livenessProbe?.httpGet?.path, '/healthz');
    for (const probe of [c.readinessProbe, c.livenessProbe]) assert.ok([port, 'http'].includes(probe.httpGet.port));
    const sc = pod.spec.securityContext;
    assert.equal(sc.runAsNonRoot, true);
    assert.equal(sc.runAsUser, 10001, 'the uid the Dockerfile creates');
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext.allowPrivilegeEscalation, false);
    assert.ok(c.resources?.requests?.cpu && c.resources?.limits?.memory, 'resource requests and a memory limit');
    // the Service in front of it
    const svc = one('Service', appId);
    for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(pod.metadata.labels[k], v, `Service selector ${k}`);
    assert.ok(svc.spec.ports.some((p) => p.targetPort === 'http' || p.targetPort === port), 'the Service targets the app port');
  });
}

test('env: the bus is dapr, secrets only by secretKeyRef, tokens match the Dapr annotations, every name is read by the binary', () => {
  for (const appId of Object.values(ROLES)) {
    const d = one('Deployment', appId);
    const env = envOf(container(d));
    const a = d.spec.template.metadata.annotations;
    assert.equal(env.get('TODO_BUS')?.value, 'dapr', `${appId}: TODO_BUS=dapr`);
    for (const name of ['DATABASE_URL', 'TODO_JWT_SECRET']) assert.ok(env.get(name)?.valueFrom?.secretKeyRef, `${appId}: ${name} from a Secret`);
    for (const [name, e] of env) {
      assert.ok(sourceText.includes(`"${name}"`), `${appId}: ${name} is an environment variable src/ reads`);
      if (SECRET_ENV.test(name)) assert.ok(e.valueFrom?.secretKeyRef && !('value' in e), `${appId}: ${name} must come from a Secret`);
    }
    // the token the sidecar requires from the app (DAPR_API_TOKEN) is the one the app sends
    if (a['dapr.io/api-token-secret']) {
      assert.equal(env.get('DAPR_API_TOKEN')?.valueFrom?.secretKeyRef?.name, a['dapr.io/api-token-secret'], `${appId}: DAPR_API_TOKEN`);
    }
  }
  // the audit role checks the token its sidecar sends with each delivery
  const audit = one('Deployment', ROLES.audit);
  const secret = audit.spec.template.metadata.annotations['dapr.io/app-token-secret'];
  assert.ok(secret, 'the audit sidecar is given an app token');
  assert.equal(envOf(container(audit)).get('APP_API_TOKEN')?.valueFrom?.secretKeyRef?.name, secret);
});

test('every secretKeyRef and Dapr token secret names a Secret of secrets.example.yaml holding that key, placeholders only', () => {
  const secrets = new Map(find('Secret').map(({ file, doc }) => {
    assert.equal(file, 'deploy/k8s/secrets.example.yaml', 'Secrets only in the example file');
    for (const [k, v] of Object.entries(doc.stringData || {})) assert.equal(v, 'REPLACE-ME', `${doc.metadata.name}.${k} is a placeholder`);
    assert.equal(doc.data, undefined, `${doc.metadata.name}: no encoded values`);
    return [doc.metadata.name, new Set(Object.keys(doc.stringData || {}))];
  }));
  const refs = [];
  for (const { doc } of [...find('Deployment'), ...find('Job')]) {
    for (const c of doc.spec.template.spec.containers) {
      for (const e of c.env || []) if (e.valueFrom?.secretKeyRef) refs.push([doc.metadata.name, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key]);
    }
    for (const k of ['dapr.io/app-token-secret', 'dapr.io/api-token-secret']) {
      const name = doc.spec.template.metadata.annotations?.[k];
      if (name) refs.push([doc.metadata.name, name, 'token']);  // Dapr reads the key "token"
    }
  }
  assert.ok(refs.length >= 6);
  for (const [who, name, key] of refs) assert.ok(secrets.get(name)?.has(key), `${who}: Secret ${name} with key ${key}`);
});

// The roles build/todo accepts, from its own `serve --help` (no grep of the sources).
function binaryRoles() {
  const binary = join(ROOT, 'build', 'todo');
  if (!existsSync(binary)) assert.fail('build/todo not found: make test builds it first');
  const help = execFileSync(binary, ['serve', '--help'], { encoding: 'utf8' });
  const m = /--role TEXT:\{([^}]*)\}/.exec(help);
  assert.ok(m, `serve --help lists the roles:\n${help}`);
  return m[1].split(',').map((r) => r.trim());
}

test('the Dapr resources scope exactly these app ids', () => {
  const sub = DAPR.one('Subscription');
  assert.deepEqual(sub.scopes, [ROLES.audit], 'the subscription is the audit role\'s');
  const pubsub = DAPR.one('Component', 'kafka-pubsub');
  for (const appId of Object.values(ROLES)) assert.ok(pubsub.scopes.includes(appId), `kafka-pubsub scoped to ${appId}`);
  // Every app id the pub/sub serves is todo-<role> of a role the binary runs; the notification
  // role (it consumes task-events, publishes reminders and receives its Dapr jobs) among them.
  const roles = binaryRoles();
  for (const appId of pubsub.scopes) {
    const role = /^todo-(.+)$/.exec(appId)?.[1];
    assert.ok(role && role !== 'all' && roles.includes(role), `${appId} is todo-<role> of a role of build/todo (${roles})`);
  }
  assert.ok(roles.includes('notification') && pubsub.scopes.includes('todo-notification'), 'kafka-pubsub scoped to todo-notification');
});

test('ingress: /api/{user_id}/audit goes to the audit role, everything else to the api role, over TLS', () => {
  const ing = one('Ingress');
  assert.ok(ing.spec.tls?.length, 'TLS');
  const paths = ing.spec.rules.flatMap((r) => r.http.paths);
  const services = new Set(find('Service').map(({ doc }) => doc.metadata.name));
  for (const p of paths) assert.ok(services.has(p.backend.service.name), `backend ${p.backend.service.name} is a Service here`);
  // ingress-nginx: regex paths match a prefix, the first listed match wins
  const route = (url) => paths.find((p) => (p.pathType === 'Prefix' ? url.startsWith(p.path) : new RegExp(`^${p.path}`).test(url)))?.backend.service.name;
  assert.equal(ing.metadata.annotations['nginx.ingress.kubernetes.io/use-regex'], 'true');
  assert.equal(route('/api/u_0190abc/audit'), ROLES.audit);
  assert.equal(route('/api/u_0190abc/audit?event_type=created'), ROLES.audit);
  for (const url of ['/', '/tasks', '/api/u_0190abc/tasks', '/api/auth/signin', '/api/u_0190abc/tasks/7', '/_next/static/x.js']) {
    assert.equal(route(url), ROLES.api, url);
  }
});

test('migrate Job: `todo migrate` with the database from the Secret', () => {
  const job = one('Job', 'todo-migrate');
  const c = job.spec.template.spec.containers[0];
  assert.deepEqual(c.args, ['migrate']);
  assert.ok(envOf(c).get('DATABASE_URL')?.valueFrom?.secretKeyRef);
  assert.equal(job.spec.template.spec.securityContext.runAsUser, 10001);
});

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
  assert.match(runtime, /^USER 10001(:10001)?$/m, 'runs as uid 10001 (runAsUser in deploy/k8s)');
  assert.match(runtime, /^ENTRYPOINT \["\/app\/todo"\]/m);
  assert.match(runtime, /COPY --from=ui \S+ \/app\/ui/, 'the UI next to the binary (<executable dir>/ui)');
});
