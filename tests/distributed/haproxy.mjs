// A real reverse proxy in front of role processes, as a Kubernetes Service / Ingress
// would be: Debian's HAProxy (scripts/install-deps.sh), health-checking each backend's
// /readyz like a readiness probe (a server gets traffic only once its check passed, and
// loses it when the check fails), with the runtime API (an admin socket) standing in for
// the endpoints controller: `maint` = the pod was removed from the Service's endpoints.
//
//   const proxy = new HaproxyProcess({ slots: [port0, port1, ...], audit: auditPort });
//   await proxy.start();  proxy.url;  await proxy.waitState('s0', 'UP');
//   await proxy.setState('s0', 'maint');  await proxy.stop();
//
// Backend `api` has one server per slot (s0, s1, ...; a slot without a process is DOWN,
// or in maintenance when it never had one), backend `audit` the audit role, which GET /api/{user_id}/audit is routed to as the
// chart's Ingress does. Listens on 127.0.0.1 only.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '../dapr-double/client.mjs';
import { sleep } from '../integration/harness.mjs';

export const HAPROXY = process.env.TODO_TEST_HAPROXY || '/usr/sbin/haproxy';
// How long the proxy keeps an idle client connection (`timeout http-keep-alive`): a client
// must stop reusing a connection before then, or a request it writes as the proxy closes is
// lost with the connection (ECONNRESET).
export const KEEP_ALIVE_MS = 10_000;

export class HaproxyProcess {
  // slots: backend ports of the api servers; enabled: how many of them (the first ones)
  // start in rotation, the others start in maintenance (no endpoint yet); audit: the audit
  // role's port (optional); checkMs: health-check interval (a readiness probe's
  // periodSeconds, shortened).
  constructor({ slots, enabled = slots.length, audit, checkMs = 200 }) {
    this.slots = slots;
    this.enabled = enabled;
    this.audit = audit;
    this.checkMs = checkMs;
    this.dir = mkdtempSync(join(tmpdir(), 'todo-haproxy-'));
    this.socket = join(this.dir, 'admin.sock');
    this.output = '';
  }

  get url() { return `http://127.0.0.1:${this.port}`; }

  config() {
    const servers = this.slots.map((p, i) => `  server s${i} 127.0.0.1:${p} check${i >= this.enabled ? ' disabled' : ''}`).join('\n');
    return `global
  stats socket ${this.socket} mode 600 level admin
  maxconn 4096

defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive ${KEEP_ALIVE_MS}ms
  # a connection refused or reset before any byte was sent is retried on another server, and
  # so is a request a stopping server closed its kept-alive connection on without answering
  # (empty-response: it never read it, so nothing was done; what a reverse proxy in front of
  # rolling replicas does, as ingress-nginx's proxy_next_upstream error does)
  retries 3
  retry-on conn-failure empty-response
  option redispatch

frontend web
  bind 127.0.0.1:${this.port}
  acl audit_api path_reg ^/api/[^/]+/audit$
  ${this.audit ? 'use_backend audit if audit_api' : ''}
  default_backend api

backend api
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  # a readiness probe's thresholds: ready after one success, not ready after 3 failures
  # (so one slow answer on a busy machine does not take a healthy server out)
  timeout check 2s
  default-server inter ${this.checkMs}ms fastinter ${this.checkMs}ms downinter ${this.checkMs}ms rise 1 fall 3
${servers}
${this.audit ? `
backend audit
  option httpchk GET /readyz
  http-check expect status 200
  server audit 127.0.0.1:${this.audit} check inter ${this.checkMs}ms rise 1 fall 3
` : ''}`;
  }

  async start() {
    this.port = await freePort();
    const cfg = join(this.dir, 'haproxy.cfg');
    writeFileSync(cfg, this.config());
    // -db: foreground, no daemon; -W off. Validate first so a bad config says why.
    const child = spawn(HAPROXY, ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (c) => { this.output = (this.output + c.toString('utf8')).slice(-16_384); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.exited = new Promise((res) => child.on('exit', (code, signal) => { this.exit = { code, signal }; res(this.exit); }));
    process.on('exit', () => { try { child.kill('SIGKILL'); } catch { /* gone */ } });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (this.exit) throw new Error(`haproxy exited ${JSON.stringify(this.exit)}:\n${this.output}`);
      try { await this.command('show info'); return this; } catch { /* not up yet */ }
      if (Date.now() > deadline) throw new Error(`haproxy did not start:\n${this.output}`);
      await sleep(50);
    }
  }

  // One runtime-API command; resolves with its answer.
  command(line) {
    return new Promise((resolve, reject) => {
      const sock = connect(this.socket);
      let out = '';
      sock.on('connect', () => sock.end(`${line}\n`));
      sock.on('data', (d) => { out += d.toString('utf8'); });
      sock.on('error', reject);
      sock.on('close', () => resolve(out));
    });
  }

  // Operational state of each api server: {s0: 'UP' | 'DOWN' | 'MAINT' | ..., ...}
  async states(backend = 'api') {
    const csv = await this.command('show stat');
    const out = {};
    for (const line of csv.split('\n')) {
      const f = line.split(',');
      if (f[0] === backend && f[1] !== 'BACKEND' && f[1] !== 'FRONTEND') out[f[1]] = f[17];
    }
    return out;
  }

  async waitState(server, want, { backend = 'api', timeoutMs = 60_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = (await this.states(backend))[server];
      if (s && s.startsWith(want)) return;
      if (Date.now() > deadline) throw new Error(`haproxy: ${backend}/${server} is ${s}, not ${want}, after ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  // ready | drain | maint (maint: no new requests go there; requests under way finish)
  async setState(server, state, backend = 'api') {
    const out = await this.command(`set server ${backend}/${server} state ${state}`);
    if (out.trim()) throw new Error(`haproxy: set server ${backend}/${server} state ${state}: ${out.trim()}`);
  }

  async stop() {
    if (this.child && !this.exit) {
      this.child.kill('SIGTERM');
      await this.exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
