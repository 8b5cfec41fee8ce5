// Time strings of Dapr's Jobs API, read the way Dapr's Scheduler reads them, so that what
// the double accepts and refuses is what real Dapr accepts and refuses.
//
// Written by hand because the formats are Go's and dapr/kit's, not a JavaScript library's:
//   - point in time (dueTime, ttl): RFC 3339 (Go's time.RFC3339 layout: "T", a zone "Z" or
//     "+hh:mm", fractional seconds allowed), else a Go duration from `base`, else an ISO 8601
//     duration from `base` (dapr/kit time.ParseISO8601Duration: integers of Y, M, W, D and
//     T H, M, S; an "R<n>/" repetition prefix is refused for a point in time), as
//     go-etcd-cron's parsePointInTime does.
//   - Go durations (time.ParseDuration): "300ms", "1h30m", "-1.5s", "0".
//   - protobuf JSON durations (google.protobuf.Duration, failurePolicy.constant.interval):
//     seconds with an "s" suffix, e.g. "1s", "0.050s".

const GO_UNIT_MS = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_DURATION = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const GO_PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

// Go duration -> milliseconds (may be fractional or negative), or null when not one.
export function parseGoDuration(text) {
  if (typeof text !== 'string') return null;
  if (/^[-+]?0$/.test(text)) return 0;
  if (!GO_DURATION.test(text)) return null;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(GO_PART)) ms += Number(n) * GO_UNIT_MS[unit];
  return text.startsWith('-') ? -ms : ms;
}

const ISO_DURATION = /^(?:R(\d+)\/)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

// ISO 8601 duration -> {years, months, days, ms, repeats} (repeats -1: none given), or null.
export function parseIsoDuration(text) {
  const m = typeof text === 'string' && text.length >= 2 ? ISO_DURATION.exec(text) : null;
  if (!m) return null;
  const n = (i) => (m[i] === undefined ? 0 : Number(m[i]));
  return {
    repeats: m[1] === undefined ? -1 : Number(m[1]),
    years: n(2), months: n(3), days: n(4) * 7 + n(5),
    ms: n(6) * 3_600_000 + n(7) * 60_000 + n(8) * 1000,
  };
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

// RFC 3339 time -> epoch milliseconds, or null (ranges checked: "2026-02-30T..." is null).
export function parseRfc3339(text) {
  const m = typeof text === 'string' ? RFC3339.exec(text) : null;
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const days = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
  if (Number(d) < 1 || Number(d) > days) return null;
  // Date.parse keeps milliseconds only; Go keeps nanoseconds (irrelevant at our scale)
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4).padEnd(frac ? 4 : 0, '0')}${zone}`);
  return Number.isNaN(ms) ? null : ms;
}

// dueTime / ttl -> epoch milliseconds. Throws Error with the Scheduler's message when the
// text is none of the three forms (`what`: "due time" or "ttl").
export function parsePointInTime(text, base, what = 'due time') {
  const at = parseRfc3339(text);
  if (at !== null) return at;
  const dur = parseGoDuration(text);
  if (dur !== null) return base + dur;
  const iso = parseIsoDuration(text);
  if (iso === null) throw new Error(what === 'ttl' ? 'ttl format not recognized' : 'due time format not recognized');
  if (iso.repeats > 0) throw new Error('repeats not supported for due time');
  const d = new Date(base);
  d.setUTCFullYear(d.getUTCFullYear() + iso.years, d.getUTCMonth() + iso.months, d.getUTCDate() + iso.days);
  return d.getTime() + iso.ms;
}

// google.protobuf.Duration in JSON ("1.5s") -> milliseconds, or null.
export function parseProtoDuration(text) {
  const m = typeof text === 'string' ? /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(text) : null;
  if (!m) return null;
  const ms = Number(m[2]) * 1000 + Number(`0.${m[3] || '0'}`) * 1000;
  return m[1] ? -ms : ms;
}

// Milliseconds -> google.protobuf.Duration JSON, as protojson writes it ("1s", "0.050s").
export function formatProtoDuration(ms) {
  return Number.isInteger(ms / 1000) ? `${ms / 1000}s` : `${(ms / 1000).toFixed(3)}s`;
}
