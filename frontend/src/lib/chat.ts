// The chat assistant (issue 12 item 4): send a message, list, read and delete conversations.
// The server keeps everything (the history is read from the database on each message); a 503
// from the assistant says what was already applied (`applied_tool_calls`).
import { api, ApiError } from './api';

export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
  result: unknown;
  is_error: boolean;
}

export interface ChatReply {
  conversation_id: number;
  response: string;
  tool_calls: ToolCall[];
}

export interface Conversation {
  id: number;
  title: string;
  created_at: string;
  updated_at: string;
}

export interface ChatMessage {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  tool_calls: ToolCall[];
  created_at: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const base = (userId: string) => `/api/${encodeURIComponent(userId)}`;

// The browser's IANA time zone: the assistant reads "tomorrow 9am" in it.
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export const chatApi = {
  send: (userId: string, message: string, conversationId: number | null) =>
    api.post<ChatReply>(`${base(userId)}/chat`, {
      message,
      ...(conversationId ? { conversation_id: conversationId } : {}),
      timezone: browserTimeZone(),
    }),
  conversations: (userId: string, cursor?: string | null) =>
    api.get<Page<Conversation>>(`${base(userId)}/conversations${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
  // Every message of a conversation, oldest first (walking the pages).
  async messages(userId: string, id: number): Promise<ChatMessage[]> {
    const out: ChatMessage[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
      const q: string = `?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: Page<ChatMessage> & { conversation: Conversation } = await api.get(`${base(userId)}/conversations/${id}${q}`);
      out.push(...page.items);
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    return out;
  },
  remove: (userId: string, id: number) => api.delete(`${base(userId)}/conversations/${id}`),
};

// The task a tool call is about, when its result or arguments name one.
export function taskOf(call: ToolCall): { id: number; title: string | null } | null {
  const r = (call.result ?? {}) as Record<string, unknown>;
  const task = (r.task ?? {}) as Record<string, unknown>;
  const id = r.task_id ?? task.id ?? call.arguments.task_id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) return null;
  const title = typeof r.title === 'string' ? r.title : typeof task.title === 'string' ? task.title : null;
  return { id, title };
}

// What a tool call did, in words for its chip ("Added “Buy milk”", "Listed 3 tasks").
export function describeCall(call: ToolCall): string {
  const t = taskOf(call);
  const named = t?.title ? `“${t.title}”` : t ? `task ${t.id}` : '';
  if (call.is_error) return `${call.name} failed`;
  switch (call.name) {
    case 'add_task':
      return `Added ${named}`;
    case 'complete_task':
      return `Completed ${named}`;
    case 'update_task':
      return `Updated ${named}`;
    case 'delete_task':
      return `Deleted ${named}`;
    case 'get_task':
      return `Looked at ${named}`;
    case 'list_tasks':
    case 'search_tasks': {
      const n = ((call.result ?? {}) as { tasks?: unknown[] }).tasks?.length ?? 0;
      return `Listed ${n} task${n === 1 ? '' : 's'}`;
    }
    default:
      return call.name.replace(/_/g, ' ');
  }
}

// The error message of a failed call (the tool's words), if any.
export function callError(call: ToolCall): string | null {
  if (!call.is_error) return null;
  const e = (call.result ?? {}) as { error?: unknown };
  return typeof e.error === 'string' ? e.error : 'The call failed.';
}

// A 503 of the assistant: its words and the calls it applied before failing.
export function unavailableOf(err: unknown): { detail: string; applied: ToolCall[]; retryAfter: number | null } | null {
  if (!(err instanceof ApiError) || err.status !== 503) return null;
  const p = err.problem as ApiError['problem'] & { applied_tool_calls?: ToolCall[] };
  return { detail: p.detail ?? 'The assistant is unavailable.', applied: p.applied_tool_calls ?? [], retryAfter: null };
}
