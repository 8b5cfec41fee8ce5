// Test-side handle on a sidecar double process: start/stop/kill/restart it on the same
// ports and log dir, and call its control API. Used by the double's own tests and by
// tests/distributed.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const SIDECAR = join(dirname(fileURLToPath(import.meta.url)), 'sidecar.mjs');

// Polls `cond` (may be async) every 20 ms until it holds; throws naming `what` after
// timeoutMs. Deadlines here are safety nets for a busy machine, never speed bounds.
export async function until(cond, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
const OUTPUT_KEEP = 64 * 1024;

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* gone */ }
  }
});

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export class SidecarProcess {
  // options: {appId, logDir, appPort?, appApiToken?, daprApiToken?, deliveryLog?,
  //           args?: extra CLI args, daprPort?, controlPort?}
  constructor(options) {
    this.opts = options;
    this.daprPort = options.daprPort || 0;
    this.controlPort = options.controlPort || 0;
    this.child = null;
    this.exit = null;
    this.output = '';
  }

  get daprUrl() { return `http://127.0.0.1:${this.daprPort}`; }
  get controlUrl() { return `http://127.0.0.1:${this.controlPort}`; }

  args() {
    const o = this.opts;
    const a = [SIDECAR, '--dapr-port', String(this.daprPort), '--control-port', String(this.controlPort),
      '--log-dir', o.logDir, '--app-id', o.appId];
    if (o.appPort) a.push('--app-port', String(o.appPort));
    if (o.appApiToken) a.push('--app-api-token', o.appApiToken);
    if (o.daprApiToken) a.push('--dapr-api-token', o.daprApiToken);
    if (o.deliveryLog) a.push('--delivery-log', o.deliveryLog);
    return a.concat(o.args || []);
  }

  // Starts the process (ports chosen once, kept across restarts) and waits until the
  // control API answers; with waitSubscribed (and an app port), until it has read the
  // app's subscriptions too.
  async start({ waitSubscribed = false, timeoutMs = 60_000 } = {}) {
    if (!this.daprPort) this.daprPort = await freePort();
    if (!this.controlPort) this.controlPort = await freePort();
    this.exit = null;
    const child = spawn(process.execPath, this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    live.add(child);
    const keep = (c) => {
      this.output += c.toString('utf8');
      if (this.output.length > OUTPUT_KEEP) this.output = this.output.slice(-OUTPUT_KEEP);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => { live.delete(child); this.exit = { code, signal }; resolve(this.exit); });
      child.on('error', (error) => { live.delete(child); this.exit = { code: null, signal: null, error }; resolve(this.exit); });
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exit) throw new Error(`dapr double ${this.opts.appId} exited (${JSON.stringify(this.exit)}):\n${this.output}`);
      try {
        const res = await fetch(`${this.controlUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
        const body = await res.json();
        if (res.status === 200 && (!waitSubscribed || body.ready)) return this;
      } catch { /* not up yet */ }
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`dapr double ${this.opts.appId} not ready after ${timeoutMs} ms:\n${this.output}`);
      }
      await sleep(50);
    }
  }

  async waitSubscribed(timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.stats();
      if (s.consumer?.ready) return s;
      if (Date.now() > deadline) throw new Error(`dapr double ${this.opts.appId} did not subscribe in ${timeoutMs} ms:\n${this.output}`);
      await sleep(50);
    }
  }

  async stop() {
    if (!this.child || this.exit) return this.exit;
    this.child.kill('SIGTERM');
    // A graceful stop saves the offsets; SIGKILL only if it hangs (generous: a busy machine).
    const t = setTimeout(() => { if (!this.exit) this.child.kill('SIGKILL'); }, 30_000);
    const r = await this.exited;
    clearTimeout(t);
    return r;
  }

  async kill() {
    if (this.child && !this.exit) this.child.kill('SIGKILL');
    return this.exited;
  }

  async restart(options) {
    await this.stop();
    return this.start(options);
  }

  // ---- control API ----
  async control(method, path, body) {
    const res = await fetch(this.controlUrl + path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (res.status !== 200) throw new Error(`control ${method} ${path} -> ${res.status} ${text}`);
    return json;
  }

  fault(spec) { return this.control('POST', '/fault', spec); }
  duplicate(on = true, concurrent = false) { return this.control('POST', '/duplicate', { on, concurrent }); }
  stats() { return this.control('GET', '/stats'); }
  topic(name) { return this.control('GET', `/topic/${encodeURIComponent(name)}`); }
  inject(msg) { return this.control('POST', '/inject', msg); }
  // The jobs of this app id ({count, jobs}) and the trigger attempts ({count, attempts}).
  jobs() { return this.control('GET', '/jobs'); }
  jobAttempts(name) { return this.control('GET', `/jobs/attempts${name ? `?name=${encodeURIComponent(name)}` : ''}`); }

  // Waits until every subscribed topic (or just `topic`) has no lag and nothing is in
  // flight. Returns the last stats.
  async waitIdle({ topic, timeoutMs = 60_000, pollMs = 100 } = {}) {
    const deadline = Date.now() + timeoutMs;
    let s;
    for (;;) {
      s = await this.stats();
      const lags = Object.entries(s.consumer?.lag || {}).filter(([t]) => !topic || t === topic);
      if (s.consumer?.ready && s.consumer.in_flight === 0 && lags.every(([, l]) => l.total === 0)) return s;
      if (Date.now() > deadline) {
        throw new Error(`dapr double ${this.opts.appId} still busy after ${timeoutMs} ms: ${JSON.stringify(s.consumer)}`);
      }
      await sleep(pollMs);
    }
  }
}

// Starts a double; resolves with the SidecarProcess.
export async function startSidecar(options, startOptions) {
  const s = new SidecarProcess(options);
  await s.start(startOptions);
  return s;
}
