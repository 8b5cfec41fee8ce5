import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { ChatMessage, Conversation, ToolCall } from '@/lib/chat';
import { fakeApi, held, problem, task, USER } from '@/test/fakeApi';
import { renderInApp } from '@/test/render';

import { ChatPanel } from './ChatPanel';

vi.mock('next/navigation', () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => '/chat' }));

const session = () => ({ body: { user: USER } });
const conv = (id: number, title: string): Conversation => ({ id, title, created_at: '2026-05-01T10:00:00Z', updated_at: '2026-05-01T10:00:00Z' });
const added = (id: number, title: string): ToolCall => ({
  name: 'add_task',
  arguments: { title },
  result: { task_id: id, status: 'created', title, task: task({ id, title }) },
  is_error: false,
});
const msg = (id: number, role: ChatMessage['role'], content: string, tool_calls: ToolCall[] = []): ChatMessage => ({
  id,
  role,
  content,
  tool_calls,
  created_at: '2026-05-01T10:00:00Z',
});

afterEach(() => vi.unstubAllGlobals());

describe('ChatPanel', () => {
  it('lists the conversations and opens one: messages in order, tool calls as chips linking to their tasks', async () => {
    fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/conversations': () => ({ body: { items: [conv(2, 'Groceries'), conv(1, 'Work')], next_cursor: null } }),
      'GET /api/u_ada/conversations/2': () => ({
        body: {
          conversation: conv(2, 'Groceries'),
          items: [
            msg(1, 'user', 'add milk'),
            msg(2, 'assistant', 'Added “Milk”.', [added(41, 'Milk'), { name: 'delete_task', arguments: { task_id: 9 }, result: { error: 'task 9 does not exist' }, is_error: true }]),
          ],
          next_cursor: null,
        },
      }),
    });
    renderInApp(<ChatPanel user={USER} />);
    const list = await screen.findByRole('list', { name: 'Your conversations' });
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['GroceriesDelete', 'WorkDelete']);
    await userEvent.click(within(list).getByRole('button', { name: 'Groceries' }));
    const messages = await screen.findByRole('list', { name: 'Messages' });
    await waitFor(() => expect(within(messages).getAllByRole('listitem', { hidden: false }).length).toBeGreaterThanOrEqual(2));
    expect(messages.textContent).toContain('add milk');
    expect(messages.textContent).toContain('Added “Milk”.');
    const chips = within(messages).getByRole('list', { name: 'Tool calls' });
    const link = within(chips).getByRole('link', { name: 'Added “Milk”' });
    expect(link.getAttribute('href')).toBe('/tasks?task=41');
    const failed = within(chips).getByText('delete_task failed');
    expect(failed.closest('li')?.className).toContain('chat-chip-error');
    expect(failed.closest('li')?.getAttribute('title')).toBe('task 9 does not exist');
  });

  it('sends a message: Thinking… while the assistant answers, then the reply and its chips; a new conversation joins the list', async () => {
    let conversations: Conversation[] = [];
    const reply = held((call) => {
      conversations = [conv(7, 'Pay rent')];
      expect(call.body).toEqual({ message: 'Pay rent tomorrow', timezone: expect.any(String) });
      return { body: { conversation_id: 7, response: 'Added “Pay rent”.', tool_calls: [added(5, 'Pay rent')] } };
    });
    fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/conversations': () => ({ body: { items: conversations, next_cursor: null } }),
      'POST /api/u_ada/chat': reply.handler,
    });
    renderInApp(<ChatPanel user={USER} />);
    await screen.findByText('No conversations yet.');
    await userEvent.type(screen.getByLabelText('Message to the assistant'), 'Pay rent tomorrow{Enter}');
    await reply.arrival();
    expect(screen.getByRole('status', { name: 'Assistant' }).textContent).toBe('Thinking…');
    expect(screen.getByRole('list', { name: 'Messages' }).textContent).toContain('Pay rent tomorrow');
    expect((screen.getByLabelText('Message to the assistant') as HTMLTextAreaElement).disabled).toBe(true);
    await reply.release();
    expect(screen.queryByRole('status', { name: 'Assistant' })).toBeNull();
    const messages = screen.getByRole('list', { name: 'Messages' });
    expect(messages.textContent).toContain('Added “Pay rent”.');
    expect(within(messages).getByRole('link', { name: 'Added “Pay rent”' }).getAttribute('href')).toBe('/tasks?task=5');
    await screen.findByRole('button', { name: 'Pay rent' });
  });

  it('keeps the conversation going: conversation_id is sent once known', async () => {
    const bodies: unknown[] = [];
    fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/conversations': () => ({ body: { items: [conv(3, 'Old')], next_cursor: null } }),
      'GET /api/u_ada/conversations/3': () => ({ body: { conversation: conv(3, 'Old'), items: [msg(1, 'user', 'hi'), msg(2, 'assistant', 'hello')], next_cursor: null } }),
      'POST /api/u_ada/chat': (call) => {
        bodies.push(call.body);
        return { body: { conversation_id: 3, response: 'ok', tool_calls: [] } };
      },
    });
    renderInApp(<ChatPanel user={USER} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Old' }));
    await screen.findByText('hello');
    await userEvent.type(screen.getByLabelText('Message to the assistant'), 'more{Enter}');
    await screen.findByText('ok');
    expect(bodies).toEqual([{ message: 'more', conversation_id: 3, timezone: expect.any(String) }]);
  });

  it('a 503 shows the assistant\'s words and what it had already applied; the message stays', async () => {
    fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/conversations': () => ({ body: { items: [conv(8, 'Water plants')], next_cursor: null } }),
      'POST /api/u_ada/chat': () => ({
        status: 503,
        body: {
          type: '/problems/assistant-unavailable',
          title: 'Assistant unavailable',
          status: 503,
          detail: 'the language model answered HTTP 500; try again later',
          conversation_id: 8,
          applied_tool_calls: [added(12, 'Water plants')],
        },
      }),
    });
    renderInApp(<ChatPanel user={USER} />);
    await screen.findByRole('list', { name: 'Your conversations' });
    await userEvent.type(screen.getByLabelText('Message to the assistant'), 'water the plants{Enter}');
    const alert = await screen.findByRole('alert', { name: 'Chat error' });
    expect(alert.textContent).toContain('the language model answered HTTP 500');
    expect(alert.textContent).toContain('Your message was kept');
    const applied = within(alert).getByRole('list', { name: 'Applied tool calls' });
    expect(within(applied).getByRole('link', { name: 'Added “Water plants”' }).getAttribute('href')).toBe('/tasks?task=12');
    expect(screen.getByRole('list', { name: 'Messages' }).textContent).toContain('water the plants');
    expect(screen.getByRole('button', { name: 'Water plants' }).getAttribute('aria-current')).toBe('true');
  });

  it('a refused message (422) says why and puts the text back', async () => {
    fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/conversations': () => ({ body: { items: [], next_cursor: null } }),
      'POST /api/u_ada/chat': () => problem(422, 'message: must be at most 4000 characters', [{ field: 'message', message: 'must be at most 4000 characters' }]),
    });
    renderInApp(<ChatPanel user={USER} />);
    await screen.findByText('No conversations yet.');
    await userEvent.type(screen.getByLabelText('Message to the assistant'), 'hello{Enter}');
    const alert = await screen.findByRole('alert', { name: 'Chat error' });
    expect(alert.textContent).toContain('must be at most 4000 characters');
    expect((screen.getByLabelText('Message to the assistant') as HTMLTextAreaElement).value).toBe('hello');
    expect(screen.queryByRole('list', { name: 'Messages' })).toBeNull();
  });

  it('deletes a conversation after a confirmation', async () => {
    let items = [conv(2, 'Groceries'), conv(1, 'Work')];
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/conversations': () => ({ body: { items, next_cursor: null } }),
      'DELETE /api/u_ada/conversations/2': () => {
        items = items.filter((c) => c.id !== 2);
        return { status: 204 };
      },
    });
    renderInApp(<ChatPanel user={USER} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Delete conversation “Groceries”' }));
    expect(api.of('DELETE', /conversations/)).toHaveLength(0);
    const confirm = screen.getByRole('group', { name: 'Delete Groceries?' });
    await userEvent.click(within(confirm).getByRole('button', { name: 'Yes, delete' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Groceries' })).toBeNull());
    expect(api.of('DELETE', /conversations\/2$/)).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Work' })).toBeTruthy();
  });
});
