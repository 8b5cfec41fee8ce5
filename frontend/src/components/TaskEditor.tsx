'use client';
// The task editor, in a modal <dialog> (focus stays inside, Escape closes, focus returns
// to what opened it). It builds the body; the caller sends it and reports errors back.
// Under the repeat rule, its next dates as the server computes them (RulePreview).
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';

import { ApiError } from '@/lib/api';
import { describeError, fieldErrors } from '@/lib/messages';
import { REPEAT_LABELS, ruleOf, type RepeatChoice } from '@/lib/recurrence';
import type { Task, TaskInput } from '@/lib/tasks';
import { allTimeZones, browserTimeZone, formatAbsolute, zonedToUtc } from '@/lib/time';

import {
  createBody,
  DEFAULT_DUE_TIME,
  formFromTask,
  formProblems,
  patchBody,
  REMINDER_LABELS,
  type EditorForm,
  type ReminderChoice,
} from './editorForm';
import { RulePreview } from './RulePreview';
import { addTag, TagInput } from './TagInput';

export interface TaskEditorProps {
  task: Task | null; // null: a new task
  initialTitle?: string;
  userId?: string | null; // for the preview of the repeat rule's dates (none without)
  // Sends the body; throws (an ApiError) to keep the dialog open with the message.
  onSubmit(body: TaskInput): Promise<void>;
  onClose(): void;
}

export function TaskEditor({ task, initialTitle, userId, onSubmit, onClose }: TaskEditorProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [form, setForm] = useState<EditorForm>(() => formFromTask(task, initialTitle));
  const [tagDraft, setTagDraft] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const uid = useId();
  const id = (name: string) => `${uid}-${name}`;
  const zones = useMemo(() => allTimeZones(form.timezone), [form.timezone]);

  useEffect(() => {
    const d = dialogRef.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  const set = <K extends keyof EditorForm>(key: K, value: EditorForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    // A tag typed but not confirmed with Enter still counts.
    const f = tagDraft.trim() ? { ...form, tags: addTag(form.tags, tagDraft) } : form;
    if (f !== form) {
      setForm(f);
      setTagDraft('');
    }
    const local = formProblems(f);
    setProblems(local);
    setError('');
    if (Object.keys(local).length) return;
    const body = task ? patchBody(f, task) : createBody(f);
    if (task && Object.keys(body).length === 0) return onClose();
    setBusy(true);
    try {
      await onSubmit(body);
    } catch (err) {
      const byField = fieldErrors(err);
      setProblems(byField);
      setError(err instanceof ApiError && Object.keys(byField).length ? 'Please correct the highlighted fields.' : describeError(err, 'task'));
      setBusy(false);
    }
  }

  const problem = (field: string) =>
    problems[field] ? (
      <p id={id(`${field}-error`)} className="field-error">
        {problems[field]}
      </p>
    ) : null;
  const describedBy = (field: string, ...more: string[]) =>
    [problems[field] ? id(`${field}-error`) : '', ...more].filter(Boolean).join(' ') || undefined;
  const otherZone = form.timezone !== browserTimeZone();
  const dueInstant = form.dueDate ? zonedToUtc(form.dueDate, form.dueTime || DEFAULT_DUE_TIME, form.timezone) : null;
  const rule = ruleOf(form.repeat, form.customRule);

  return (
    <dialog
      ref={dialogRef}
      className="dialog"
      aria-labelledby={id('heading')}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form onSubmit={submit} className="editor" noValidate>
        <div className="dialog-head">
          <h2 id={id('heading')}>{task ? 'Edit task' : 'New task'}</h2>
          <button type="button" className="icon-button" aria-label="Close without saving" onClick={onClose}>
            ×
          </button>
        </div>

        <div className="field">
          <label htmlFor={id('title')}>Title</label>
          <input
            id={id('title')}
            value={form.title}
            onChange={(e) => set('title', e.target.value)}
            maxLength={500}
            autoFocus
            aria-invalid={problems.title ? true : undefined}
            aria-describedby={describedBy('title')}
          />
          {problem('title')}
        </div>

        <div className="field">
          <label htmlFor={id('description')}>Description</label>
          <textarea id={id('description')} rows={3} value={form.description} onChange={(e) => set('description', e.target.value)} />
          {problem('description')}
        </div>

        <div className="field-row">
          <div className="field">
            <label htmlFor={id('priority')}>Priority</label>
            <select id={id('priority')} value={form.priority} onChange={(e) => set('priority', e.target.value as EditorForm['priority'])}>
              <option value="low">Low</option>
              <option value="medium">Medium</option>
              <option value="high">High</option>
            </select>
          </div>
          <div className="field field-grow">
            <label htmlFor={id('tags')}>Tags</label>
            <TagInput
              id={id('tags')}
              tags={form.tags}
              onChange={(t) => set('tags', t)}
              draft={tagDraft}
              onDraftChange={setTagDraft}
              describedBy={describedBy('tags', id('tags-hint'))}
            />
            <p id={id('tags-hint')} className="hint">
              Press Enter or comma to add a tag.
            </p>
            {problem('tags')}
          </div>
        </div>

        <fieldset className="field-row">
          <legend>Due</legend>
          <div className="field">
            <label htmlFor={id('due-date')}>Due date</label>
            <input
              id={id('due-date')}
              type="date"
              value={form.dueDate}
              onChange={(e) => {
                const v = e.target.value;
                setForm((f) => ({ ...f, dueDate: v, dueTime: v && !f.dueTime ? DEFAULT_DUE_TIME : f.dueTime }));
              }}
              aria-describedby={describedBy('due_at')}
            />
          </div>
          <div className="field">
            <label htmlFor={id('due-time')}>Due time</label>
            <input id={id('due-time')} type="time" value={form.dueTime} onChange={(e) => set('dueTime', e.target.value)} disabled={!form.dueDate} />
          </div>
          {form.dueDate && (
            <button type="button" className="button button-quiet field-inline-button" onClick={() => setForm((f) => ({ ...f, dueDate: '', dueTime: '' }))}>
              Clear due date
            </button>
          )}
          {problem('due_at')}
          {otherZone && dueInstant && <p className="hint">That is {formatAbsolute(dueInstant)} in your time zone.</p>}
        </fieldset>

        <div className="field-row">
          <div className="field">
            <label htmlFor={id('reminder')}>Reminder</label>
            <select
              id={id('reminder')}
              value={form.reminder}
              onChange={(e) => set('reminder', e.target.value as ReminderChoice)}
              aria-describedby={describedBy('remind_at')}
            >
              {(Object.keys(REMINDER_LABELS) as ReminderChoice[]).map((k) => (
                <option key={k} value={k} disabled={k !== 'none' && k !== 'custom' && !form.dueDate}>
                  {REMINDER_LABELS[k]}
                </option>
              ))}
            </select>
          </div>
          {form.reminder === 'custom' && (
            <>
              <div className="field">
                <label htmlFor={id('remind-date')}>Reminder date</label>
                <input id={id('remind-date')} type="date" value={form.remindDate} onChange={(e) => set('remindDate', e.target.value)} />
              </div>
              <div className="field">
                <label htmlFor={id('remind-time')}>Reminder time</label>
                <input id={id('remind-time')} type="time" value={form.remindTime} onChange={(e) => set('remindTime', e.target.value)} />
              </div>
            </>
          )}
        </div>
        {problem('remind_at')}

        <div className="field-row">
          <div className="field">
            <label htmlFor={id('repeat')}>Repeat</label>
            <select
              id={id('repeat')}
              value={form.repeat}
              onChange={(e) => set('repeat', e.target.value as RepeatChoice)}
              aria-describedby={describedBy('recurrence')}
            >
              {(Object.keys(REPEAT_LABELS) as RepeatChoice[]).map((k) => (
                <option key={k} value={k}>
                  {REPEAT_LABELS[k]}
                </option>
              ))}
            </select>
          </div>
          {form.repeat === 'custom' && (
            <div className="field field-grow">
              <label htmlFor={id('rule')}>Rule (RFC 5545 RRULE)</label>
              <input
                id={id('rule')}
                value={form.customRule}
                onChange={(e) => set('customRule', e.target.value)}
                placeholder="FREQ=MONTHLY;BYMONTHDAY=1"
                spellCheck={false}
                autoCapitalize="characters"
                aria-describedby={describedBy('recurrence', userId && rule ? id('rule-preview') : '')}
              />
            </div>
          )}
        </div>
        {problem('recurrence')}
        {userId && <RulePreview id={id('rule-preview')} userId={userId} rule={rule} timezone={form.timezone} dtstart={dueInstant} />}

        <div className="field">
          <label htmlFor={id('timezone')}>Time zone</label>
          <select id={id('timezone')} value={form.timezone} onChange={(e) => set('timezone', e.target.value)} aria-describedby={id('tz-hint')}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
          <p id={id('tz-hint')} className="hint">
            Due date, reminder and repeats follow this zone.
          </p>
          {problem('timezone')}
        </div>

        <div className="form-error-slot">
          {error && (
            <p role="alert" className="form-error">
              {error}
            </p>
          )}
        </div>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : task ? 'Save changes' : 'Add task'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
