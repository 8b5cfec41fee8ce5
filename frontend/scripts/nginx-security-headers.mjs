// Prints the nginx `add_header` lines for the pages of a static export (argument: the
// export directory, default out/). Same policy as build/todo's (src/web/static_path.cpp):
// scripts only from our origin plus the export's inline scripts, by SHA-256 hash.
// nginx sends one policy for every page, so it lists the hashes of all pages.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] || 'out';
const hashes = new Set();
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.html')) {
      const html = readFileSync(p, 'utf8');
      for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script/gi)) {
        if (/\ssrc=/i.test(m[1])) continue;
        hashes.add(`'sha256-${createHash('sha256').update(m[2]).digest('base64')}'`);
      }
    }
  }
};
walk(dir);
const csp = [
  'default-src \'self\'',
  `script-src 'self' ${[...hashes].sort().join(' ')}`.trim(),
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
console.log(`add_header Content-Security-Policy "${csp}" always;`);
console.log('add_header X-Content-Type-Options "nosniff" always;');
console.log('add_header Referrer-Policy "same-origin" always;');
console.log('add_header X-Frame-Options "DENY" always;');
console.log('add_header Cross-Origin-Opener-Policy "same-origin" always;');
console.log('add_header Permissions-Policy "camera=(), microphone=(), geolocation=(), payment=()" always;');
