// The operations of the 1 000-user load (bench/users.mjs): what each one sends, what answer
// it expects, and the checks of a sampled answer against the generator's own model of the
// user's tasks. Each user is a closed loop (one request at a time on its own connection), so
// the model is exact: after an answer, a list of that user must show exactly the tasks the
// model holds, with the same versions and fields. A check that fails is a finding of the
// run (reported like an error), so the generator cannot silently measure failures.

// Relative weights of the default mix; `chat` is dropped when POST /api/{id}/chat 404s.
export const DEFAULT_MIX = {
  list: 30, search: 8, create: 18, update: 12, complete: 6, delete: 6, get: 4, audit: 8, notifications: 5, chat: 3,
};

const WORDS = ['rent', 'milk', 'plumber', 'report', 'flights', 'budget', 'dentist', 'garden', 'invoice', 'laptop'];
const VERBS = ['Pay', 'Buy', 'Call', 'Write', 'Book', 'Review', 'Fix', 'Plan'];
const TAGS = ['work', 'home', 'errands', 'bench'];
const PRIORITIES = ['low', 'medium', 'high'];

export function parseMix(text) {
  const mix = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, w] = part.split('=');
    if (!(name in DEFAULT_MIX) && name !== 'fixed') throw new Error(`--mix: unknown operation ${name}`);
    const n = Number(w);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--mix: weight of ${name} must be a number >= 0`);
    mix[name] = n;
  }
  return mix;
}

// A weighted picker over the mix: pick(random) -> operation name.
export function picker(mix) {
  const entries = Object.entries(mix).filter(([, w]) => w > 0);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  if (!total) throw new Error('the mix has no operation with a weight > 0');
  return (r) => {
    let x = r * total;
    for (const [name, w] of entries) {
      x -= w;
      if (x < 0) return name;
    }
    return entries[entries.length - 1][0];
  };
}

// A task body the server must echo back.
export function newTaskBody(random, n) {
  const word = WORDS[Math.floor(random() * WORDS.length)];
  const tags = [TAGS[Math.floor(random() * TAGS.length)]];
  if (random() < 0.3) {
    const t = TAGS[Math.floor(random() * TAGS.length)];
    if (!tags.includes(t)) tags.push(t);
  }
  const body = { title: `${VERBS[n % VERBS.length]} ${word} #${n}`, priority: PRIORITIES[Math.floor(random() * 3)], tags };
  if (random() < 0.5) body.due_at = `2027-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 10)}T09:00:00Z`;
  if (random() < 0.3) body.description = `bench ${word} notes`;
  return body;
}

// The list variants (filters, search, sort, a second page): -> {op, query, test(item)}.
// `test` is the filter's predicate, checked on every item of a sampled answer; `count` is
// how many of the model's tasks match (when the answer must hold all of them).
export function listVariant(random, u) {
  const r = random();
  if (r < 0.3) return { op: 'list', query: 'limit=50', test: () => true };
  if (r < 0.45) return { op: 'list', query: 'status=pending&limit=50', test: (t) => t.completed === false };
  if (r < 0.55) return { op: 'list', query: 'status=completed&limit=50', test: (t) => t.completed === true };
  if (r < 0.7) return { op: 'list', query: 'priority=high&limit=50', test: (t) => t.priority === 'high' };
  if (r < 0.8) {
    const tag = TAGS[Math.floor(random() * TAGS.length)];
    return { op: 'list', query: `tag=${tag}&limit=50`, test: (t) => t.tags.includes(tag) };
  }
  if (r < 0.9) return { op: 'list', query: 'sort=due_at&order=asc&limit=50', test: () => true, sorted: 'due_at' };
  // the next page of a previous paged list, or its first page
  if (u.cursor) return { op: 'list', query: `limit=10&cursor=${encodeURIComponent(u.cursor)}`, test: () => true, page: true };
  return { op: 'list', query: 'limit=10', test: () => true, page: true, first: true };
}

export function searchVariant(random) {
  const word = WORDS[Math.floor(random() * WORDS.length)];
  return { op: 'search', query: `q=${word}&limit=20`, test: (t) => `${t.title} ${t.description}`.toLowerCase().includes(word), word, noCount: true };
}

// Compares a task answer with the model's task. -> list of differences ('' joined) or null.
export function taskDiff(got, want, userId) {
  const diffs = [];
  if (got.user_id !== userId) diffs.push(`user_id ${got.user_id}`);
  for (const k of ['title', 'priority', 'completed']) if (got[k] !== want[k]) diffs.push(`${k} ${JSON.stringify(got[k])} != ${JSON.stringify(want[k])}`);
  if ((got.description ?? '') !== (want.description ?? '')) diffs.push(`description ${JSON.stringify(got.description)} != ${JSON.stringify(want.description)}`);
  if ((got.due_at ?? null) !== (want.due_at ?? null)) diffs.push(`due_at ${got.due_at} != ${want.due_at}`);
  const gt = [...(got.tags ?? [])].sort().join(',');
  const wt = [...want.tags].sort().join(',');
  if (gt !== wt) diffs.push(`tags [${gt}] != [${wt}]`);
  if (want.version !== undefined && got.version !== want.version) diffs.push(`version ${got.version} != ${want.version}`);
  return diffs.length ? diffs.join('; ') : null;
}

// Checks a list answer against the model: every item is the user's, matches the filter and
// the model's copy of it; when the whole matching set fits in the page (no cursor involved),
// the answer holds exactly the model's matching tasks ("counts add up"). -> problem or null.
export function checkList(json, variant, u, limit) {
  if (!json || !Array.isArray(json.items)) return 'no items array';
  for (const item of json.items) {
    const want = u.tasks.get(item.id);
    if (!want) return `task ${item.id} listed but the generator deleted or never created it`;
    const d = taskDiff(item, want, u.id);
    if (d) return `task ${item.id}: ${d}`;
    if (!variant.test(item)) return `task ${item.id} does not match the filter ${variant.query}`;
  }
  if (variant.sorted === 'due_at') {
    const dues = json.items.map((t) => t.due_at).filter(Boolean);
    for (let i = 1; i < dues.length; i++) if (dues[i - 1] > dues[i]) return `not sorted by due_at: ${dues[i - 1]} before ${dues[i]}`;
  }
  if (variant.page && !variant.first) return null;  // a later page: the model cannot say which tasks
  if (variant.noCount) return null;  // search ranks and may stem: its items are checked, not its count
  let matching = 0;
  for (const t of u.tasks.values()) if (variant.test(t)) matching++;
  const expect = Math.min(matching, limit);
  if (json.items.length !== expect) return `${json.items.length} items for ${variant.query}, the generator's model has ${matching} matching (limit ${limit})`;
  if ((json.next_cursor ? 1 : 0) !== (matching > limit ? 1 : 0)) return `next_cursor ${json.next_cursor ? 'present' : 'absent'} with ${matching} matching, limit ${limit}`;
  return null;
}
