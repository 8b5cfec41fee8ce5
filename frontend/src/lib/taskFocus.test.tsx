import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { TaskFocusProvider, useTaskFocus } from './taskFocus';

function Requested() {
  const focus = useTaskFocus();
  return <p>requested: {String(focus.requested)}</p>;
}

afterEach(() => window.history.replaceState(null, '', '/'));

describe('TaskFocusProvider', () => {
  it('an e-mail link /tasks?task=<id> asks for that task and leaves a clean address', async () => {
    window.history.replaceState(null, '', '/tasks?task=42&view=today');
    render(
      <TaskFocusProvider>
        <Requested />
      </TaskFocusProvider>,
    );
    expect(await screen.findByText('requested: 42')).toBeTruthy();
    expect(window.location.pathname + window.location.search).toBe('/tasks?view=today');
  });

  it('ignores a parameter that is no task id', async () => {
    window.history.replaceState(null, '', '/tasks?task=abc');
    render(
      <TaskFocusProvider>
        <Requested />
      </TaskFocusProvider>,
    );
    expect(await screen.findByText('requested: null')).toBeTruthy();
  });
});
