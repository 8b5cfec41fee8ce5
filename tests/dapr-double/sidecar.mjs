#!/usr/bin/env node
// A Dapr sidecar double for the tests (not shipped): one process = one sidecar.
//
//   node tests/dapr-double/sidecar.mjs --dapr-port P --control-port C --log-dir DIR \
//        --app-id NAME [--app-port A] [--app-api-token T] [--dapr-api-token T] [options]
//
// See README.md next to this file for what it mimics and the control API. Threading:
// one Node event loop; log appends are synchronous write(2) calls on it, so a publish is
// written before the next request is looked at.
import http from 'node:http';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { Consumer } from './lib/consumer.mjs';
import { ControlApi, Stats } from './lib/control.mjs';
import { sleep } from './lib/http.mjs';
import { Jobs } from './lib/jobs.mjs';
import { LogWriter, PARTITIONS } from './lib/log.mjs';
import { DaprApi, Faults } from './lib/publish.mjs';

const USAGE = `usage: sidecar.mjs --dapr-port P --control-port C --log-dir DIR --app-id NAME
  [--app-port A] [--app-host H]          the app to deliver to (none: publish only)
  [--app-api-token T]                    sent to the app as dapr-api-token
  [--dapr-api-token T]                   required from the app on the Dapr API (401 otherwise)
  [--pubsub NAME]...                     known pub/sub components (default kafka-pubsub)
  [--partitions N]                       partitions per topic (default ${PARTITIONS})
  [--max-in-flight N]                    concurrent deliveries, a bulk one counting once (default 32)
  [--delivery-timeout-ms N]              per delivery or bulk request (default 5000)
  [--retry-initial-ms N] [--retry-max-ms N]  redelivery backoff (default 100, 2000; jittered)
  [--max-retries N]                      then dead-letter (default -1: retry forever)
  [--strict-bulk]                        bulk body only as Dapr's JSON array (not {"entries": [...]})
  [--fsync]                              fdatasync the log before answering 204
  [--delivery-log FILE]                  one JSON line per delivery attempt (bulk: per entry)
  [--job-max-retries N]                  failed job triggers retried N times, then dropped
                                         (default 3, Dapr's; -1: forever); a job's failurePolicy wins
  [--job-retry-interval-ms N]            constant pause between those retries (default 1000, Dapr's)
  [--quiet]                              log only errors`;

function parse(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'dapr-port': { type: 'string' },
      'control-port': { type: 'string' },
      'app-port': { type: 'string' },
      'app-host': { type: 'string', default: '127.0.0.1' },
      'log-dir': { type: 'string' },
      'app-id': { type: 'string' },
      'app-api-token': { type: 'string' },
      'dapr-api-token': { type: 'string' },
      pubsub: { type: 'string', multiple: true },
      partitions: { type: 'string', default: String(PARTITIONS) },
      'max-in-flight': { type: 'string', default: '32' },
      'delivery-timeout-ms': { type: 'string', default: '5000' },
      'retry-initial-ms': { type: 'string', default: '100' },
      'retry-max-ms': { type: 'string', default: '2000' },
      'max-retries': { type: 'string', default: '-1' },
      fsync: { type: 'boolean', default: false },
      'strict-bulk': { type: 'boolean', default: false },
      'delivery-log': { type: 'string' },
      'job-max-retries': { type: 'string', default: '3' },
      'job-retry-interval-ms': { type: 'string', default: '1000' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) { console.log(USAGE); process.exit(0); }
  const int = (name, min) => {
    const v = Number(values[name]);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}, not ${values[name]}`);
    return v;
  };
  for (const req of ['dapr-port', 'control-port', 'log-dir', 'app-id']) {
    if (!values[req]) throw new Error(`--${req} is required`);
  }
  return {
    daprPort: int('dapr-port', 1),
    controlPort: int('control-port', 1),
    appPort: values['app-port'] ? int('app-port', 1) : null,
    appHost: values['app-host'],
    logDir: values['log-dir'],
    appId: values['app-id'],
    appApiToken: values['app-api-token'] || null,
    daprApiToken: values['dapr-api-token'] || null,
    pubsubs: new Set(values.pubsub?.length ? values.pubsub : ['kafka-pubsub']),
    partitions: int('partitions', 1),
    maxInFlight: int('max-in-flight', 1),
    timeoutMs: int('delivery-timeout-ms', 1),
    retryInitialMs: int('retry-initial-ms', 1),
    retryMaxMs: int('retry-max-ms', 1),
    maxRetries: int('max-retries', -1),
    fsync: values.fsync,
    strictBulk: values['strict-bulk'],
    deliveryLog: values['delivery-log'] || null,
    jobMaxRetries: int('job-max-retries', -1),
    jobRetryIntervalMs: int('job-retry-interval-ms', 0),
    quiet: values.quiet,
  };
}

class Sidecar {
  constructor(cfg) {
    Object.assign(this, cfg);
    this.startedAt = Date.now();
    this.listening = false;
    this.log = (line) => { if (!this.quiet) process.stderr.write(`[dapr-double ${this.appId}] ${line}\n`); };
    mkdirSync(this.logDir, { recursive: true });
    this.stats = new Stats();
    this.writer = new LogWriter(this.logDir, { fsync: this.fsync, partitions: this.partitions });
    this.faults = new Faults({ onRefuse: () => this.closeDapr(), onAccept: () => this.listenDapr(), log: this.log });
    // Written synchronously (one write(2) per attempt), so a killed double loses none.
    const fd = this.deliveryLog ? openSync(this.deliveryLog, 'a') : null;
    this.deliveryStream = fd === null ? null : { write: (line) => writeSync(fd, line), end: () => closeSync(fd) };
    this.consumer = this.appPort ? new Consumer({
      appId: this.appId, appPort: this.appPort, appHost: this.appHost, appApiToken: this.appApiToken,
      logDir: this.logDir, pubsubs: this.pubsubs, partitions: this.partitions,
      maxInFlight: this.maxInFlight, timeoutMs: this.timeoutMs, retryInitialMs: this.retryInitialMs,
      retryMaxMs: this.retryMaxMs, maxRetries: this.maxRetries, writer: this.writer, stats: this.stats,
      log: this.log, deliveryLog: this.deliveryStream,
    }) : null;
    // Jobs are kept per app id in the log dir and fired to this double's app only.
    this.jobs = new Jobs({ appId: this.appId, logDir: this.logDir, appHost: this.appHost, appPort: this.appPort,
      appApiToken: this.appApiToken, timeoutMs: this.timeoutMs, maxRetries: this.jobMaxRetries,
      retryIntervalMs: this.jobRetryIntervalMs, fsync: this.fsync, maxInFlight: this.maxInFlight, log: this.log });
    this.api = new DaprApi({ appId: this.appId, pubsubs: this.pubsubs, writer: this.writer, stats: this.stats,
      faults: this.faults, daprApiToken: this.daprApiToken, strictBulk: this.strictBulk, consumer: this.consumer,
      jobs: this.jobs, log: this.log });
    this.control = new ControlApi({ sidecar: this });
    const serverOptions = { keepAliveTimeout: 30_000, requestTimeout: 60_000 };
    this.daprServer = http.createServer(serverOptions, (req, res) => this.api.handle(req, res));
    this.controlServer = http.createServer(serverOptions, (req, res) => this.control.handle(req, res));
  }

  isReady() {
    return this.listening && (!this.consumer || this.consumer.ready);
  }

  async listen(server, port) {
    for (let attempt = 0; ; attempt++) {
      try {
        await new Promise((resolve, reject) => {
          const onError = (err) => { server.off('listening', onOk); reject(err); };
          const onOk = () => { server.off('error', onError); resolve(); };
          server.once('error', onError);
          server.once('listening', onOk);
          server.listen(port, '127.0.0.1');
        });
        return;
      } catch (err) {
        // the port may linger for a moment after a refuse window; anything else is fatal
        if (err.code !== 'EADDRINUSE' || attempt >= 50) throw err;
        await sleep(100);
      }
    }
  }

  async listenDapr() {
    if (this.listening) return;
    await this.listen(this.daprServer, this.daprPort);
    this.listening = true;
    this.log(`Dapr API listening on 127.0.0.1:${this.daprPort}`);
  }

  // Really stops listening and drops open connections (keep-alive ones included), so the
  // app sees ECONNREFUSED / ECONNRESET like a dead sidecar.
  async closeDapr() {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise((resolve) => this.daprServer.close(resolve));
    this.daprServer.closeAllConnections();
    await closed;
    this.log('Dapr API port closed (refusing connections)');
  }

  async start() {
    await this.listen(this.controlServer, this.controlPort);
    await this.listenDapr();
    this.log(`control API on 127.0.0.1:${this.controlPort}; log dir ${this.logDir}${this.fsync ? ' (fsync)' : ''}`);
    if (this.consumer) {
      // Jobs fire once the app answered GET /dapr/subscribe: daprd, too, takes jobs from its
      // Scheduler only once the app is up, so none is spent on an app still starting.
      this.consumer.start().then(() => { if (!this.consumer.stopped) this.jobs.start(); }).catch((err) => {
        this.log(`consumer failed: ${err?.stack || err}`);
        process.exit(1);
      });
    }
  }

  shutdown(signal) {
    this.log(`${signal}: stopping`);
    this.consumer?.stop();
    this.jobs.stop();
    this.writer.close();
    this.deliveryStream?.end();
    this.daprServer.closeAllConnections();
    this.controlServer.closeAllConnections();
    process.exit(0);
  }
}

let cfg;
try {
  cfg = parse(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`dapr-double: ${err.message}\n${USAGE}\n`);
  process.exit(2);
}
const sidecar = new Sidecar(cfg);
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => sidecar.shutdown(sig));
sidecar.start().catch((err) => {
  process.stderr.write(`dapr-double ${cfg.appId}: cannot start: ${err?.message || err}\n`);
  process.exit(1);
});
