// A scripted fake of an OpenAI-compatible Chat Completions endpoint (POST
// /v1/chat/completions) on 127.0.0.1, for the chat's tests (tests/integration/chat.test.mjs,
// tests/e2e, bench/chat.sh). It records every request it receives (method, path, headers,
// parsed body) and answers each from a script: `script(...steps)` queues the answers of the
// next requests, in order; a step is
//   - { text }                          a final answer,
//   - { calls: [{name, arguments}] }    tool calls (arguments: an object, sent as JSON text,
//                                       or a string sent as is),
//   - { status, body }                  a raw HTTP answer (e.g. 500),
//   - { hang: true }                    no answer until the server closes (a timeout),
//   - a function (request) => step      decided from the request.
// With nothing scripted it answers `fallback` (default: a 500 saying it was not scripted,
// so that an unexpected request fails loudly in the test that made it).
import { createServer } from 'node:http';

export const completion = (message, finish = 'stop') => ({
  id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
  object: 'chat.completion',
  created: Math.floor(Date.now() / 1000),
  model: 'fake-model',
  choices: [{ index: 0, message, finish_reason: finish }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});

let callSeq = 0;
export function toolCallsMessage(calls) {
  return {
    role: 'assistant',
    content: null,
    tool_calls: calls.map((c) => ({
      id: `call_${++callSeq}`,
      type: 'function',
      function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) },
    })),
  };
}

export class FakeLlm {
  constructor({ fallback } = {}) {
    this.requests = [];
    this.queue = [];
    this.fallback = fallback;
    this.hanging = new Set();
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
  }

  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    return this;
  }

  get baseUrl() { return `http://127.0.0.1:${this.port}/v1`; }

  script(...steps) { this.queue.push(...steps); }
  reset() { this.queue = []; this.requests = []; }

  async handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const text = Buffer.concat(chunks).toString('utf8');
    let body;
    try { body = JSON.parse(text); } catch { body = undefined; }
    const request = { method: req.method, path: req.url, headers: req.headers, body, text };
    this.requests.push(request);
    let step = this.queue.length ? this.queue.shift() : this.fallback;
    if (typeof step === 'function') step = step(request);
    if (!step) step = { status: 500, body: { error: { message: 'fake LLM: nothing scripted for this request' } } };
    if (step.hang) { this.hanging.add(res); return; }
    if (step.status) {
      const payload = typeof step.body === 'string' ? step.body : JSON.stringify(step.body ?? {});
      res.writeHead(step.status, { 'Content-Type': 'application/json', ...(step.headers || {}) });
      res.end(payload);
      return;
    }
    const message = step.calls
      ? toolCallsMessage(step.calls)
      : { role: 'assistant', content: step.text };
    const payload = JSON.stringify(completion(message, step.calls ? 'tool_calls' : 'stop'));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(payload);
  }

  async stop() {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
