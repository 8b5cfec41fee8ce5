'use client';
// The choice of view above the list: all tasks, or the pending ones due today, in the next
// 7 days (grouped by day) or before now. Toggle buttons: the pressed one is the view shown.
import { VIEW_LABELS, type View } from '@/lib/views';

export function ViewSwitcher({ view, onChange }: { view: View; onChange(v: View): void }) {
  return (
    <div className="views" role="group" aria-label="View">
      {(Object.keys(VIEW_LABELS) as View[]).map((v) => (
        <button key={v} type="button" className="view-button" aria-pressed={view === v} onClick={() => onChange(v)}>
          {VIEW_LABELS[v]}
        </button>
      ))}
    </div>
  );
}
