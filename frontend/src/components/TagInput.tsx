'use client';
// Tags as removable chips; Enter or comma adds the typed tag, Backspace in the empty
// input removes the last one.
import { useState, type KeyboardEvent } from 'react';

export interface TagInputProps {
  id: string;
  tags: string[];
  onChange(tags: string[]): void;
  draft: string;
  onDraftChange(text: string): void;
  describedBy?: string;
}

export function addTag(tags: string[], text: string): string[] {
  const tag = text.trim().replace(/^#/, '');
  if (!tag || tags.includes(tag)) return tags;
  return [...tags, tag];
}

export function TagInput({ id, tags, onChange, draft, onDraftChange, describedBy }: TagInputProps) {
  const [announce, setAnnounce] = useState('');

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'Enter' || e.key === ',') {
      if (!draft.trim()) return; // Enter on an empty field submits the form
      e.preventDefault();
      onChange(addTag(tags, draft));
      setAnnounce(`Tag ${draft.trim()} added`);
      onDraftChange('');
    } else if (e.key === 'Backspace' && draft === '' && tags.length > 0) {
      setAnnounce(`Tag ${tags[tags.length - 1]} removed`);
      onChange(tags.slice(0, -1));
    }
  }

  return (
    <div className="chips-input">
      {tags.length > 0 && (
        <ul className="chips" aria-label="Tags of this task">
          {tags.map((t) => (
            <li key={t} className="chip">
              {t}
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove tag ${t}`}
                onClick={() => {
                  onChange(tags.filter((x) => x !== t));
                  setAnnounce(`Tag ${t} removed`);
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        id={id}
        value={draft}
        onChange={(e) => onDraftChange(e.target.value.replace(',', ''))}
        onKeyDown={onKeyDown}
        onBlur={() => {
          if (draft.trim()) {
            onChange(addTag(tags, draft));
            onDraftChange('');
          }
        }}
        placeholder={tags.length ? 'Add another…' : 'e.g. home, work'}
        aria-describedby={describedBy}
        maxLength={50}
        autoComplete="off"
      />
      <span className="visually-hidden" role="status">
        {announce}
      </span>
    </div>
  );
}
