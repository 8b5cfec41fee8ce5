// The web UI's static files served by build/todo (src/web): pages by clean URL, content
// types, caching (immutable hashed assets, revalidated pages, ETag -> 304), gzip variants,
// HEAD, security headers with a CSP that hashes the page's inline scripts, 404s (a page
// for browsers, problem+json for programs and always under /api), no path ever escaping
// the UI directory, and a plain explanation when the UI was not built.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';

import { startServer } from './harness.mjs';

const SECRET = 'TOP-SECRET-OUTSIDE-THE-UI';
const INLINE = 'self.__next_f=self.__next_f||[]';
const PAGE = `<!DOCTYPE html><html><head><script src="/_next/static/chunks/app.js" async></script></head><body>tasks<script>${INLINE}</script></body></html>`;
const JS = `console.log(${JSON.stringify('x'.repeat(4000))});`;

// Raw HTTP: the path goes out exactly as written (fetch would normalise "..").
function raw(port, method, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web UI static files', () => {
  let root;
  let server;
  const get = (path, headers) => raw(server.port, 'GET', path, headers);

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'todo-ui-'));
    const ui = join(root, 'ui');
    mkdirSync(join(ui, '_next/static/chunks'), { recursive: true });
    mkdirSync(join(ui, 'audit'));
    writeFileSync(join(root, 'secret.txt'), SECRET);
    writeFileSync(join(ui, 'index.html'), '<!DOCTYPE html><html><body>home</body></html>');
    writeFileSync(join(ui, 'tasks.html'), PAGE);
    writeFileSync(join(ui, 'audit/index.html'), '<html><body>audit</body></html>');
    writeFileSync(join(ui, '404.html'), '<html><body>no such page</body></html>');
    writeFileSync(join(ui, 'tasks.txt'), 'rsc payload');
    writeFileSync(join(ui, '_next/static/chunks/app.js'), JS);
    writeFileSync(join(ui, '_next/static/chunks/app.js.gz'), gzipSync(JS));
    writeFileSync(join(ui, '.env'), SECRET);
    symlinkSync(join(root, 'secret.txt'), join(ui, 'link.txt'));
    // A stale variant (older than its file) is never sent.
    writeFileSync(join(ui, 'stale.js'), JS);
    writeFileSync(join(ui, 'stale.js.gz'), gzipSync('old'));
    utimesSync(join(ui, 'stale.js.gz'), new Date(2000, 1, 1), new Date(2000, 1, 1));
    server = await startServer({ env: { TODO_UI_DIR: ui } });
  });

  after(async () => {
    await server?.cleanup();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('pages by clean URL, with the security headers and a CSP hashing the inline script', async () => {
    const res = await get('/tasks');
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), PAGE);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'same-origin');
    assert.equal(res.headers['x-frame-options'], 'DENY');
    const hash = createHash('sha256').update(INLINE).digest('base64');
    const csp = res.headers['content-security-policy'];
    assert.match(csp, new RegExp(`script-src 'self' 'sha256-${hash.replace(/[+/=]/g, '\\$&')}'`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal((await get('/tasks/')).body.toString(), PAGE);
    assert.equal((await get('/')).body.toString(), '<!DOCTYPE html><html><body>home</body></html>');
    assert.equal((await get('/audit')).body.toString(), '<html><body>audit</body></html>');
    const rsc = await get('/tasks.txt');
    assert.equal(rsc.headers['content-type'], 'text/plain; charset=utf-8');
  });

  test('hashed assets are immutable; gzip when accepted; ETag gives 304; HEAD has no body', async () => {
    const plain = await get('/_next/static/chunks/app.js');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), JS);
    assert.equal(plain.headers.vary, 'Accept-Encoding');

    const zipped = await get('/_next/static/chunks/app.js', { 'Accept-Encoding': 'gzip, br' });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.ok(zipped.body.length < JS.length);
    assert.equal(gunzipSync(zipped.body).toString(), JS);
    assert.equal((await get('/_next/static/chunks/app.js', { 'Accept-Encoding': 'gzip;q=0' })).headers['content-encoding'], undefined);
    assert.equal((await get('/stale.js', { 'Accept-Encoding': 'gzip' })).body.toString(), JS);

    const etag = plain.headers.etag;
    assert.match(etag, /^"[0-9a-f]+"$/);
    const again = await get('/_next/static/chunks/app.js', { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, etag);
    assert.equal((await get('/_next/static/chunks/app.js', { 'If-None-Match': '"other"' })).status, 200);

    const head = await raw(server.port, 'HEAD', '/tasks');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(Number(head.headers['content-length']), Buffer.byteLength(PAGE));
  });

  test('unknown paths: a page for browsers, problem+json for programs and under /api', async () => {
    const page = await get('/no/such/page', { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    assert.equal(page.status, 404);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(page.body.toString(), /no such page/);
    const machine = await get('/no/such/page', { Accept: '*/*' });
    assert.equal(machine.status, 404);
    assert.equal(machine.headers['content-type'], 'application/problem+json');
    for (const path of ['/api/nope/nope', '/api', '/api/auth/nope']) {
      const api = await get(path, { Accept: 'text/html' });
      assert.equal(api.status, 404, path);
      assert.equal(api.headers['content-type'], 'application/problem+json', path);
    }
    // One segment under /api names an account (only DELETE /api/{user_id}): a 405, not a page.
    const account = await get('/api/nope', { Accept: 'text/html' });
    assert.equal(account.status, 405);
    assert.equal(account.headers['content-type'], 'application/problem+json');
    // Only GET and HEAD reach the files.
    assert.equal((await raw(server.port, 'POST', '/tasks')).status, 404);
    assert.equal((await raw(server.port, 'DELETE', '/')).status, 404);
  });

  test('no path leaves the UI directory', async () => {
    const attempts = [
      '/../secret.txt',
      '/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/..%2fsecret.txt',
      '/_next/../../secret.txt',
      '/_next/%2e%2e/%2e%2e/secret.txt',
      '/..\\secret.txt',
      '/%5c..%5csecret.txt',
      '/link.txt', // a symbolic link to a file outside
      '/.env',
      '/%2eenv',
      '//secret.txt',
      '/secret.txt%00.html',
    ];
    for (const path of attempts) {
      const res = await get(path, { Accept: 'text/html' });
      assert.ok(res.status === 404 || res.status === 400, `${path} -> ${res.status}`);
      assert.doesNotMatch(res.body.toString(), new RegExp(SECRET), path);
    }
  });
});

describe('web UI not built', () => {
  let server;
  before(async () => {
    server = await startServer({ env: { TODO_UI_DIR: join(tmpdir(), 'todo-no-such-ui-dir-7f3c') } });
  });
  after(async () => server?.cleanup());

  test('/ says so in plain text, other pages are 404, the API works', async () => {
    const home = await raw(server.port, 'GET', '/');
    assert.equal(home.status, 503);
    assert.equal(home.headers['content-type'], 'text/plain; charset=utf-8');
    assert.match(home.body.toString(), /web UI was not built/);
    assert.equal((await raw(server.port, 'GET', '/tasks', { Accept: 'text/html' })).status, 404);
    assert.equal((await raw(server.port, 'GET', '/healthz')).status, 200);
  });
});
