// The broker of the sidecar double: a durable, append-only log in a directory shared by
// every double of a test run (one api double appends, an audit double reads).
//
// Layout under the log dir:
//   topics/<topic>/<partition>.jsonl   one message per line, in append order
//   offsets/<app-id>/<topic>.json      a consumer's committed offsets (lowest not-done
//                                      message of each partition: {offset, pos})
//
// A line is a JSON object {key, ts, producer, contentType, event[, raw][, deadLetter]}:
// `event` is the CloudEvent object for application/cloudevents+json, or the body as a
// string when `raw` is true (rawPayload publishes and injected raw bodies).
//
// Appends from several processes never interleave: each partition file is opened with
// O_APPEND and every batch of lines is written with one write(2) (Linux serialises
// O_APPEND writes to a regular file under the inode lock). A publish is acknowledged
// after write(2) returned, i.e. the lines are in the page cache: they survive a crash of
// the double, not a power cut, unless `fsync` is on (then fdatasync before the 204).
//
// Partitioning: 6 partitions, partition = FNV-1a 32 of the key, like Sarama's (Dapr's
// Kafka client) default hash partitioner; messages without a key go to a random one.
import {
  closeSync, existsSync, fdatasyncSync, fstatSync, mkdirSync, openSync, readdirSync,
  readFileSync, readSync, renameSync, writeFileSync, writeSync,
} from 'node:fs';
import { open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const PARTITIONS = 6;

// FNV-1a 32 over the UTF-8 bytes, read as a signed 32-bit int, modulo n, made positive
// (Sarama's HashPartitioner does exactly this).
export function partitionFor(key, n = PARTITIONS) {
  if (key === null || key === undefined || key === '') return Math.floor(Math.random() * n);
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(String(key), 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  const p = (h | 0) % n;
  return Math.abs(p);  // also turns -0 into 0
}

// Topic and app-id names become path segments; keep them safe and readable.
const segment = (name) => encodeURIComponent(name).replaceAll('.', '%2E');
const unsegment = (seg) => decodeURIComponent(seg);

export const topicDir = (logDir, topic) => join(logDir, 'topics', segment(topic));
export const partitionFile = (logDir, topic, p) => join(topicDir(logDir, topic), `${p}.jsonl`);
const offsetsFile = (logDir, appId, topic) => join(logDir, 'offsets', segment(appId), `${segment(topic)}.json`);

// The writer side: one per process, file descriptors kept open.
export class LogWriter {
  constructor(logDir, { fsync = false, partitions = PARTITIONS } = {}) {
    this.logDir = logDir;
    this.fsync = fsync;
    this.partitions = partitions;
    this.fds = new Map();  // "<topic>/<p>" -> fd
  }

  fd(topic, p) {
    const k = `${topic}/${p}`;
    let fd = this.fds.get(k);
    if (fd === undefined) {
      mkdirSync(topicDir(this.logDir, topic), { recursive: true });
      fd = openSync(partitionFile(this.logDir, topic, p), 'a');  // O_APPEND|O_CREAT
      this.fds.set(k, fd);
    }
    return fd;
  }

  // Appends records ({key, ...}) to a topic. Records of one partition go out in one
  // write(2). Returns, per record, {partition} or {error}; a failed partition write fails
  // exactly its records.
  append(topic, records) {
    const byPartition = new Map();
    const results = new Array(records.length);
    records.forEach((rec, i) => {
      const p = partitionFor(rec.key, this.partitions);
      if (!byPartition.has(p)) byPartition.set(p, []);
      byPartition.get(p).push(i);
    });
    for (const [p, idx] of byPartition) {
      const text = idx.map((i) => `${JSON.stringify({ ...records[i], key: records[i].key ?? null })}\n`).join('');
      const buf = Buffer.from(text, 'utf8');
      try {
        const fd = this.fd(topic, p);
        const n = writeSync(fd, buf, 0, buf.length);
        if (n !== buf.length) throw new Error(`short write to ${topic}/${p}: ${n} of ${buf.length} bytes`);
        if (this.fsync) fdatasyncSync(fd);
        for (const i of idx) results[i] = { partition: p };
      } catch (err) {
        for (const i of idx) results[i] = { partition: p, error: String(err?.message || err) };
      }
    }
    return results;
  }

  close() {
    for (const fd of this.fds.values()) {
      try { closeSync(fd); } catch { /* already closed */ }
    }
    this.fds.clear();
  }
}

// Reads the lines of one partition file appended since the last call. Lines are
// complete only once their '\n' is there: a reader may see half of a line another
// process is writing, and keeps it until the rest arrives.
export class PartitionReader {
  constructor(logDir, topic, partition, { offset = 0, pos = 0 } = {}) {
    this.path = partitionFile(logDir, topic, partition);
    this.topic = topic;
    this.partition = partition;
    this.nextOffset = offset;  // offset of the next complete line to return
    this.pos = pos;            // byte position where that line starts
    this.readPos = pos;        // bytes consumed from the file (incl. a partial tail)
    this.tail = Buffer.alloc(0);
    this.fh = null;
  }

  async ensureOpen() {
    if (this.fh) return true;
    try {
      this.fh = await open(this.path, 'r');
    } catch (err) {
      if (err.code === 'ENOENT') return false;
      throw err;
    }
    const { size } = await this.fh.stat();
    if (this.readPos > size) {
      // the committed position is past the end: the log was replaced; start over
      process.emitWarning(`${this.path}: committed position ${this.readPos} > size ${size}; reading from the start`);
      this.nextOffset = 0; this.pos = 0; this.readPos = 0;
    }
    return true;
  }

  // -> [{offset, pos, end, line}] of the complete lines appended since the last call.
  async readNew(maxBytes = 4 * 1024 * 1024) {
    if (!(await this.ensureOpen())) return [];
    const out = [];
    const chunk = Buffer.allocUnsafe(256 * 1024);
    let budget = maxBytes;
    while (budget > 0) {
      const { bytesRead } = await this.fh.read(chunk, 0, Math.min(chunk.length, budget), this.readPos);
      if (bytesRead === 0) break;
      this.readPos += bytesRead;
      budget -= bytesRead;
      let data = this.tail.length ? Buffer.concat([this.tail, chunk.subarray(0, bytesRead)]) : Buffer.from(chunk.subarray(0, bytesRead));
      let start = 0;
      for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
        const line = data.toString('utf8', start, nl);
        const end = this.pos + (nl + 1 - start);
        out.push({ offset: this.nextOffset++, pos: this.pos, end, line });
        this.pos = end;
        start = nl + 1;
      }
      this.tail = data.subarray(start);
      data = null;
    }
    return out;
  }

  async close() {
    const fh = this.fh;
    this.fh = null;
    if (fh) await fh.close().catch(() => {});
  }
}

// Every message of a topic, synchronously (tests and the control API's GET /topic).
// -> [{partition, offset, ...record}] ordered by partition then offset; unparsable lines
// come back as {partition, offset, corrupt: "<line>"}.
export function readTopic(logDir, topic, { partitions = PARTITIONS } = {}) {
  const out = [];
  for (let p = 0; p < partitions; p++) {
    const path = partitionFile(logDir, topic, p);
    if (!existsSync(path)) continue;
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.pop();  // '' after the last newline, or a line still being written
    let offset = 0;
    for (const line of lines) {
      try {
        out.push({ partition: p, offset, ...JSON.parse(line) });
      } catch {
        out.push({ partition: p, offset, corrupt: line });
      }
      offset++;
    }
  }
  return out;
}

export function listTopics(logDir) {
  const dir = join(logDir, 'topics');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map(unsegment).sort();
}

// Number of complete lines in a partition file (for lag).
export function countLines(path) {
  let fd;
  try { fd = openSync(path, 'r'); } catch { return 0; }
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    let n = 0;
    let pos = 0;
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, pos);
      if (got === 0) break;
      for (let i = 0; i < got; i++) if (buf[i] === 10) n++;
      pos += got;
    }
    return n;
  } finally {
    closeSync(fd);
  }
}

export function fileSize(path) {
  let fd;
  try { fd = openSync(path, 'r'); } catch { return 0; }
  try { return fstatSync(fd).size; } finally { closeSync(fd); }
}

// A consumer's committed offsets for one topic: {"<p>": {offset, pos}}.
export function loadOffsets(logDir, appId, topic) {
  const path = offsetsFile(logDir, appId, topic);
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')).partitions || {};
  } catch (err) {
    process.emitWarning(`${path}: unreadable (${err.message}); starting from the oldest message`);
    return {};
  }
}

// Saves atomically (write a temporary file, then rename over the old one), so a crash
// leaves either the old or the new offsets, never a torn file.
export async function saveOffsets(logDir, appId, topic, partitions) {
  const path = offsetsFile(logDir, appId, topic);
  mkdirSync(join(path, '..'), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify({ app_id: appId, topic, saved_at: new Date().toISOString(), partitions }));
  await rename(tmp, path);
}

// At shutdown; its own temporary file, so an asynchronous save still in flight cannot
// rename older offsets over it.
export function saveOffsetsSync(logDir, appId, topic, partitions) {
  const path = offsetsFile(logDir, appId, topic);
  mkdirSync(join(path, '..'), { recursive: true });
  const tmp = `${path}.${process.pid}.final.tmp`;
  writeFileSync(tmp, JSON.stringify({ app_id: appId, topic, saved_at: new Date().toISOString(), partitions }));
  renameSync(tmp, path);
}
