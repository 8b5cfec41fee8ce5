// A tiny app for the double's own tests: answers GET /dapr/subscribe with the given
// subscriptions and records every delivery; a test-supplied handler decides each answer.
// Without a handler: SUCCESS, per entry for bulk deliveries.
import http from 'node:http';

export const DEFAULT_SUBSCRIPTIONS = [
  { pubsubname: 'kafka-pubsub', topic: 'task-events', route: '/dapr/task-events', deadLetterTopic: 'task-events-dlq' },
];

// handler(delivery) -> {status, body} | Promise of it | 'hang' (never answer) |
//   'reset' (destroy the socket). delivery = {path, headers, body (parsed JSON or text), raw, at}
//   (`at`: when the request had arrived in full)
export async function startFakeApp({ port = 0, subscriptions = DEFAULT_SUBSCRIPTIONS, handler } = {}) {
  const app = {
    deliveries: [],
    inFlight: 0,
    maxInFlight: 0,
    handler: handler || ((d) => (isBulk(d) ? bulkStatuses(d) : SUCCESS)),
    subscribeCalls: 0,
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'GET' && req.url === '/dapr/subscribe') {
        app.subscribeCalls++;
        app.subscribeHeaders = req.headers;
        if (subscriptions === null) { res.writeHead(404); res.end(); return; }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(subscriptions));
        return;
      }
      let body = raw;
      try { body = JSON.parse(raw); } catch { /* keep text */ }
      const delivery = { path: req.url, method: req.method, headers: req.headers, body, raw, at: Date.now() };
      app.deliveries.push(delivery);
      app.inFlight++;
      app.maxInFlight = Math.max(app.maxInFlight, app.inFlight);
      let answer;
      try {
        answer = await app.handler(delivery);
      } catch (err) {
        answer = { status: 500, body: { error: String(err) } };
      }
      app.inFlight--;
      if (answer === 'hang') return;  // the double's timeout must fire
      if (answer === 'reset') { req.socket.destroy(); return; }
      const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status ?? 200, text ? { 'Content-Type': 'application/json' } : {});
      res.end(text);
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  app.port = server.address().port;
  app.server = server;
  app.close = () => new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  });
  return app;
}

export const SUCCESS = { status: 200, body: { status: 'SUCCESS' } };

// A bulk delivery (Dapr's BulkSubscribeEnvelope, application/cloudevents-batch+json)?
export const isBulk = (d) => d.headers['content-type'] === 'application/cloudevents-batch+json';

// The answer to a bulk delivery: statusOf(entry) -> 'SUCCESS' | 'RETRY' | 'DROP' | anything
// else (sent as is) | undefined (the entry is left out of `statuses`).
export function bulkStatuses(delivery, statusOf = () => 'SUCCESS') {
  const statuses = [];
  for (const e of delivery.body.entries) {
    const status = statusOf(e);
    if (status !== undefined) statuses.push({ entryId: e.entryId, status });
  }
  return { status: 200, body: { statuses } };
}
