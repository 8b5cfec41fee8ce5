'use client';
// "Type and press Enter": the line is read by the server's assistant parser as you type
// (POST /api/{user}/tasks/parse, 300 ms after typing pauses; an answer to an older text is
// dropped), and what it recognised shows as chips under the box — due date, reminder,
// priority, tags, repeat. Each chip can be removed: its words then stay in the title. Enter
// creates the task with the chips in force (waiting for the parse of the latest text when
// it is not there yet; if the parse fails, the whole text is the title). "More options"
// opens the editor with what was typed.
import { useEffect, useRef, useState, type FormEvent } from 'react';

import { activeChips, chipKey, parseTask, taskFromParse, type Chip, type ParsedTask } from '@/lib/quickAdd';
import { describeRule } from '@/lib/recurrence';
import type { TaskInput } from '@/lib/tasks';
import { browserTimeZone, formatDue } from '@/lib/time';

export const PARSE_DEBOUNCE_MS = 300;
const MAX_TEXT = 1000;

export type QuickAddInput = TaskInput & { title: string };

export interface QuickAddProps {
  userId?: string | null;
  disabled: boolean;
  error: string;
  onAdd(input: QuickAddInput): void;
  onMore(title: string): void;
}

function chipLabel(chip: Chip): string {
  switch (chip.kind) {
    case 'due':
      return `Due ${formatDue(chip.value)}`;
    case 'remind':
      return `Reminder ${formatDue(chip.value)}`;
    case 'priority':
      return `Priority ${chip.value}`;
    case 'tag':
      return `#${chip.value}`;
    case 'recurrence':
      return describeRule(chip.value);
  }
}

export function QuickAdd({ userId = null, disabled, error, onAdd, onMore }: QuickAddProps) {
  const [text, setText] = useState('');
  const [parsed, setParsed] = useState<{ text: string; result: ParsedTask } | null>(null);
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());
  const inflight = useRef<AbortController | null>(null);
  const zone = useRef(browserTimeZone());

  // Parses `value` (latest wins).
  async function parse(value: string): Promise<ParsedTask | null> {
    if (!userId || !value.trim()) return null;
    inflight.current?.abort();
    const controller = new AbortController();
    inflight.current = controller;
    try {
      const result = await parseTask(userId, value, zone.current, controller.signal);
      if (!controller.signal.aborted) setParsed({ text: value, result });
      return result;
    } catch {
      return null;  // no chips: the text is the title
    }
  }

  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    if (!userId || !text.trim()) {
      setParsed(null);
      return;
    }
    timer.current = setTimeout(() => void parse(text), PARSE_DEBOUNCE_MS);
    return () => clearTimeout(timer.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text, userId]);

  useEffect(() => () => inflight.current?.abort(), []);

  const current = parsed && parsed.text === text ? parsed.result : null;
  const chips = current ? activeChips(current, removed) : [];

  async function submit(e: FormEvent) {
    e.preventDefault();
    const value = text;
    if (!value.trim() || disabled) return;
    // The pending debounced parse must not abort the one Enter waits for.
    clearTimeout(timer.current);
    const result = current ?? (await parse(value));
    const input: QuickAddInput = result ? taskFromParse(value, result, removed) : { title: value.trim() };
    if (!input.title) input.title = value.trim();  // only chips: keep the words
    onAdd(input);
    setText('');
    setParsed(null);
    setRemoved(new Set());
  }

  function remove(chip: Chip) {
    setRemoved((r) => new Set([...r, chipKey(chip)]));
  }

  return (
    <form className="quick-add" onSubmit={submit}>
      <label htmlFor="quick-add" className="visually-hidden">
        New task title
      </label>
      <input
        id="quick-add"
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder="Add a task: Pay rent tomorrow 9am !high #home every month"
        maxLength={MAX_TEXT}
        autoComplete="off"
        aria-describedby={[chips.length ? 'quick-add-chips' : '', error ? 'quick-add-error' : ''].join(' ').trim() || undefined}
      />
      <button type="submit" className="button button-primary" disabled={disabled || !text.trim()}>
        Add
      </button>
      <button
        type="button"
        className="button"
        disabled={disabled}
        onClick={() => {
          onMore(text.trim());
          setText('');
          setRemoved(new Set());
        }}
      >
        More options…
      </button>
      {chips.length > 0 && (
        <ul id="quick-add-chips" className="quick-add-chips" aria-label="Recognised in the text">
          {chips.map((chip) => (
            <li key={`${chipKey(chip)}@${chip.start}`} className={`chip chip-${chip.kind}`} data-kind={chip.kind}>
              <span title={`“${chip.text}”`}>{chipLabel(chip)}</span>
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove ${chipLabel(chip)} (keep “${chip.text}” in the title)`}
                onClick={() => remove(chip)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="quick-add-error-slot">
        {error && (
          <p id="quick-add-error" className="field-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </form>
  );
}
