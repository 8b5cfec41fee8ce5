// Small HTTP helpers shared by the double's servers (node:http only, no framework).
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class HttpError extends Error {
  constructor(status, errorCode, message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }
}

// Reads the whole request body into a Buffer (413 past MAX_BODY_BYTES).
export function readBody(req, limit = MAX_BODY_BYTES) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpError(413, 'ERR_BODY_TOO_LARGE', `body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { 'Content-Type': 'application/json' } : {}),
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res, status) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

// Dapr's error body: {"errorCode": "...", "message": "..."}.
export function sendError(res, status, errorCode, message) {
  sendJson(res, status, { errorCode, message });
}

// The media type of a Content-Type header, lower-cased, without parameters.
export function mediaType(header) {
  return String(header || '').split(';')[0].trim().toLowerCase();
}

export const isJsonType = (type) => type === 'application/json' || /\+json$/.test(type);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
