// A tiny app for the double's own tests: answers GET /dapr/subscribe with the given
// subscriptions and records every delivery; a test-supplied handler decides each answer.
import http from 'node:http';

export const DEFAULT_SUBSCRIPTIONS = [
  { pubsubname: 'kafka-pubsub', topic: 'task-events', route: '/dapr/task-events', deadLetterTopic: 'task-events-dlq' },
];

// handler(delivery) -> {status, body} | Promise of it | 'hang' (never answer) |
//   'reset' (destroy the socket). delivery = {path, headers, body (parsed JSON or text), raw, at}
export async function startFakeApp({ port = 0, subscriptions = DEFAULT_SUBSCRIPTIONS, handler } = {}) {
  const app = {
    deliveries: [],
    inFlight: 0,
    maxInFlight: 0,
    handler: handler || (() => ({ status: 200, body: { status: 'SUCCESS' } })),
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
