// The quick add's parse call (POST /api/{user}/tasks/parse, src/assistant on the server) and
// what a parse becomes once the user removed some of its chips.
import { api } from './api';
import type { Priority, TaskInput } from './tasks';

export type ChipKind = 'due' | 'remind' | 'priority' | 'tag' | 'recurrence';

// A recognised phrase: `start`/`end` are UTF-16 offsets into the text sent (JavaScript
// string indices, end exclusive), so text.slice(start, end) === chip.text.
export interface Chip {
  kind: ChipKind;
  text: string;
  start: number;
  end: number;
  value: string;
}

export interface ParsedTask {
  title: string;
  due_at: string | null;
  remind_at: string | null;
  priority: Priority | null;
  tags: string[];
  recurrence: string | null;
  timezone: string;
  chips: Chip[];
}

export const parseTask = (userId: string, text: string, timezone: string, signal?: AbortSignal) =>
  api.post<ParsedTask>(`/api/${encodeURIComponent(userId)}/tasks/parse`, { text, timezone }, { signal });

// A chip's identity across parses of a growing text: its kind and its words.
export const chipKey = (chip: Pick<Chip, 'kind' | 'text'>) => `${chip.kind}:${chip.text.toLowerCase()}`;

// The chips still in force (not removed by the user).
export function activeChips(parsed: ParsedTask, removed: ReadonlySet<string>): Chip[] {
  return parsed.chips.filter((c) => !removed.has(chipKey(c)));
}

// The text without the active chips' phrases, white space collapsed: a removed chip's words
// stay in the title.
export function titleWithout(text: string, chips: readonly Chip[]): string {
  const cut = [...chips].sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const c of cut) {
    if (c.start < pos || text.slice(c.start, c.end) !== c.text) continue;  // not of this text
    out += text.slice(pos, c.start) + ' ';
    pos = c.end;
  }
  out += text.slice(pos);
  return out.replace(/\s+/g, ' ').replace(/^[\s,;]+|[\s,;:-]+$/g, '').replace(/ ,/g, ',');
}

// The task to create from `text` and its parse, without the removed chips.
export function taskFromParse(text: string, parsed: ParsedTask, removed: ReadonlySet<string>): TaskInput & { title: string } {
  const chips = activeChips(parsed, removed);
  const has = (kind: ChipKind) => chips.some((c) => c.kind === kind);
  const had = (kind: ChipKind) => parsed.chips.some((c) => c.kind === kind);
  const input: TaskInput & { title: string } = { title: titleWithout(text, chips), timezone: parsed.timezone };
  const recurrence = chips.find((c) => c.kind === 'recurrence');
  // due_at: the due phrase's; a repeat's first occurrence when the repeat alone set it.
  if (has('due')) input.due_at = chips.find((c) => c.kind === 'due')!.value;
  else if (recurrence && !had('due')) input.due_at = parsed.due_at;
  if (recurrence && input.due_at) input.recurrence = recurrence.value;
  // remind_at: the reminder phrase's; "remind me to …" reminds at the due time (no chip).
  if (has('remind')) input.remind_at = chips.find((c) => c.kind === 'remind')!.value;
  else if (!had('remind') && parsed.remind_at && input.due_at) input.remind_at = input.due_at;
  const priority = chips.find((c) => c.kind === 'priority');
  if (priority) input.priority = priority.value as Priority;
  const tags = [...new Set(chips.filter((c) => c.kind === 'tag').map((c) => c.value))];
  if (tags.length) input.tags = tags;
  return input;
}
