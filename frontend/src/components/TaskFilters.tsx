'use client';
// Search, filters and sort of the task list. Every control has a visible label. In the
// Today, Upcoming and Overdue views the view sets status, due dates and order: those
// controls are disabled there (and say so), search, priority and tag still apply.
import type { SortChoice, StatusFilter, TaskFilters as Filters } from '@/lib/tasks';
import type { View } from '@/lib/views';

export interface TaskFiltersProps {
  view?: View;
  filters: Filters;
  search: string;
  onSearch(text: string): void;
  onChange(f: Filters): void;
  onClear(): void;
  active: boolean;
  knownTags: string[];
}

const SORT_LABELS: Record<SortChoice, string> = {
  created_desc: 'Newest first',
  created_asc: 'Oldest first',
  due_asc: 'Due date',
  priority_desc: 'Priority',
  title_asc: 'Title (A–Z)',
};

export function TaskFilters({ view = 'all', filters, search, onSearch, onChange, onClear, active, knownTags }: TaskFiltersProps) {
  const byView = view !== 'all';
  const viewHint = byView ? 'filter-view-hint' : undefined;
  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => onChange({ ...filters, [k]: v });
  return (
    <section className="filters" aria-label="Search and filters">
      <div className="field filter-search">
        <label htmlFor="filter-q">Search</label>
        <input id="filter-q" type="search" placeholder="Words in title or description" value={search} onChange={(e) => onSearch(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="filter-status">Status</label>
        <select id="filter-status" disabled={byView} aria-describedby={viewHint} value={byView ? 'pending' : filters.status} onChange={(e) => set('status', e.target.value as StatusFilter)}>
          <option value="all">All</option>
          <option value="pending">Open</option>
          <option value="completed">Done</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-priority">Priority</label>
        <select id="filter-priority" value={filters.priority} onChange={(e) => set('priority', e.target.value as Filters['priority'])}>
          <option value="">Any</option>
          <option value="high">High</option>
          <option value="medium">Medium</option>
          <option value="low">Low</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-tag">Tag</label>
        <input id="filter-tag" list="known-tags" value={filters.tag} onChange={(e) => set('tag', e.target.value)} placeholder="Any" autoComplete="off" />
        <datalist id="known-tags">
          {knownTags.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor="filter-due-from">Due from</label>
        <input id="filter-due-from" type="date" disabled={byView} aria-describedby={viewHint} value={byView ? '' : filters.dueFrom} max={filters.dueTo || undefined} onChange={(e) => set('dueFrom', e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="filter-due-to">Due until</label>
        <input id="filter-due-to" type="date" disabled={byView} aria-describedby={viewHint} value={byView ? '' : filters.dueTo} min={filters.dueFrom || undefined} onChange={(e) => set('dueTo', e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="filter-sort">Sort by</label>
        <select id="filter-sort" disabled={byView} aria-describedby={viewHint} value={byView ? 'due_asc' : filters.sort} onChange={(e) => set('sort', e.target.value as SortChoice)}>
          {(Object.keys(SORT_LABELS) as SortChoice[]).map((k) => (
            <option key={k} value={k}>
              {SORT_LABELS[k]}
            </option>
          ))}
        </select>
      </div>
      <div className="filter-clear">
        <button type="button" className="button button-quiet" onClick={onClear} disabled={!active}>
          Clear filters
        </button>
      </div>
      {byView && (
        <p id="filter-view-hint" className="hint filter-view-hint">
          This view shows open tasks by due date; status, due dates and order are its own.
        </p>
      )}
    </section>
  );
}
