'use client';
// The chat page's panel (issue 12 item 4): the conversation list (newest first, delete with a
// confirmation), the messages of the open conversation, the tool calls the assistant made as
// chips linking to their tasks, and the message box. While the assistant answers, "Thinking…";
// when it is unavailable (503) the server's words and the calls it had already applied; the
// user's message is kept by the server either way. Talks to lib/chat.ts. The task list of
// the tasks page follows the chat's changes through the live stream (lib/liveUpdates.tsx).
import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';

import { ApiError } from '@/lib/api';
import { callError, chatApi, describeCall, taskOf, unavailableOf, type ChatMessage, type Conversation, type ToolCall } from '@/lib/chat';
import { describeError } from '@/lib/messages';
import { useOnUnauthorized, type User } from '@/lib/session';

export const MAX_MESSAGE_CHARS = 4000;

export function ToolCallChips({ calls, label }: { calls: ToolCall[]; label: string }) {
  if (calls.length === 0) return null;
  return (
    <ul className="chat-chips" aria-label={label}>
      {calls.map((call, i) => {
        const task = taskOf(call);
        const text = describeCall(call);
        const error = callError(call);
        const link = task && !error && call.name !== 'delete_task';
        return (
          <li key={i} className={error ? 'chat-chip chat-chip-error' : 'chat-chip'} title={error ?? call.name}>
            {link ? <a href={`/tasks?task=${task.id}`}>{text}</a> : <span>{text}</span>}
            {error && <span className="visually-hidden">: {error}</span>}
          </li>
        );
      })}
    </ul>
  );
}

function Message({ message }: { message: ChatMessage }) {
  const mine = message.role === 'user';
  return (
    <li className={mine ? 'chat-message chat-message-user' : 'chat-message chat-message-assistant'}>
      <span className="visually-hidden">{mine ? 'You:' : 'Assistant:'}</span>
      <div className="chat-bubble">{message.content}</div>
      <ToolCallChips calls={message.tool_calls} label="Tool calls" />
    </li>
  );
}

interface Failure {
  text: string;
  applied: ToolCall[];
}

export function ChatPanel({ user }: { user: User }) {
  const onUnauthorized = useOnUnauthorized();
  const [conversations, setConversations] = useState<Conversation[] | null>(null);
  const [activeId, setActiveId] = useState<number | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState('');
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const endRef = useRef<HTMLDivElement>(null);

  const fail = useCallback(
    (err: unknown) => {
      if (onUnauthorized(err)) return;
      setFailure({ text: describeError(err, 'list'), applied: [] });
    },
    [onUnauthorized],
  );

  const loadConversations = useCallback(async () => {
    try {
      setConversations((await chatApi.conversations(user.id)).items);
    } catch (err) {
      fail(err);
    }
  }, [user.id, fail]);

  useEffect(() => {
    void loadConversations();
  }, [loadConversations]);

  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [messages, sending]);

  async function open(id: number) {
    setActiveId(id);
    setFailure(null);
    setMessages([]);
    try {
      setMessages(await chatApi.messages(user.id, id));
    } catch (err) {
      fail(err);
    }
  }

  function startNew() {
    setActiveId(null);
    setMessages([]);
    setFailure(null);
  }

  async function send(e?: FormEvent) {
    e?.preventDefault();
    const text = draft;
    if (!text.trim() || sending) return;
    if ([...text].length > MAX_MESSAGE_CHARS) {
      setFailure({ text: `A message may be at most ${MAX_MESSAGE_CHARS} characters.`, applied: [] });
      return;
    }
    setFailure(null);
    setSending(true);
    setDraft('');
    const mine: ChatMessage = { id: -Date.now(), role: 'user', content: text, tool_calls: [], created_at: new Date().toISOString() };
    setMessages((m) => [...m, mine]);
    try {
      const reply = await chatApi.send(user.id, text, activeId);
      const answer: ChatMessage = { id: -Date.now() - 1, role: 'assistant', content: reply.response, tool_calls: reply.tool_calls, created_at: new Date().toISOString() };
      setMessages((m) => [...m, answer]);
      if (activeId !== reply.conversation_id) {
        setActiveId(reply.conversation_id);
        void loadConversations();
      }
    } catch (err) {
      if (onUnauthorized(err)) return;
      const down = unavailableOf(err);
      if (down) {
        // The server kept the message (in a new conversation when there was none).
        const id = (err as ApiError).problem as { conversation_id?: number };
        if (typeof id.conversation_id === 'number' && id.conversation_id !== activeId) {
          setActiveId(id.conversation_id);
          void loadConversations();
        }
        setFailure({ text: `The assistant could not answer: ${down.detail}. Your message was kept; try again in a moment.`, applied: down.applied });
      } else {
        // Not accepted: nothing was stored; the text goes back into the box.
        setMessages((m) => m.filter((x) => x !== mine));
        setDraft(text);
        setFailure({ text: describeError(err, err instanceof ApiError && err.status === 404 ? 'list' : 'task'), applied: [] });
      }
    } finally {
      setSending(false);
    }
  }

  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void send();
    }
  }

  async function remove(id: number) {
    try {
      await chatApi.remove(user.id, id);
      if (id === activeId) startNew();
      setConfirming(null);
      await loadConversations();
    } catch (err) {
      fail(err);
    }
  }

  return (
    <div className="chat-layout">
      <aside className="chat-sidebar" aria-label="Conversations">
        <button type="button" className="button button-primary button-wide" onClick={startNew}>
          New conversation
        </button>
        {conversations === null ? (
          <p className="muted">Loading conversations…</p>
        ) : conversations.length === 0 ? (
          <p className="muted">No conversations yet.</p>
        ) : (
          <ul className="chat-conversations" aria-label="Your conversations">
            {conversations.map((c) => (
              <li key={c.id} className={c.id === activeId ? 'chat-conversation active' : 'chat-conversation'}>
                <button type="button" className="chat-conversation-open" aria-current={c.id === activeId ? 'true' : undefined} onClick={() => void open(c.id)}>
                  {c.title}
                </button>
                {confirming === c.id ? (
                  <span role="group" aria-label={`Delete ${c.title}?`}>
                    <button type="button" className="button button-danger button-small" onClick={() => void remove(c.id)}>
                      Yes, delete
                    </button>{' '}
                    <button type="button" className="button button-small" onClick={() => setConfirming(null)}>
                      Cancel
                    </button>
                  </span>
                ) : (
                  <button type="button" className="button button-quiet button-small" aria-label={`Delete conversation “${c.title}”`} onClick={() => setConfirming(c.id)}>
                    Delete
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </aside>
      <section className="chat-main" aria-label="Conversation">
        {messages.length === 0 && !sending ? (
          <p className="empty-state">Ask the assistant to add, list, complete, change or delete tasks — e.g. “Add pay rent tomorrow at 9, high priority”.</p>
        ) : (
          <ol className="chat-messages" aria-label="Messages">
            {messages.map((m) => (
              <Message key={m.id} message={m} />
            ))}
          </ol>
        )}
        {sending && (
          <p role="status" aria-label="Assistant" className="chat-thinking">
            Thinking…
          </p>
        )}
        {failure && (
          <div role="alert" aria-label="Chat error" className="form-error chat-failure">
            <p>{failure.text}</p>
            {failure.applied.length > 0 && (
              <>
                <p>Already done before it stopped:</p>
                <ToolCallChips calls={failure.applied} label="Applied tool calls" />
              </>
            )}
          </div>
        )}
        <div ref={endRef} />
        <form className="chat-form" onSubmit={send}>
          <label htmlFor="chat-input" className="visually-hidden">
            Message to the assistant
          </label>
          <textarea
            id="chat-input"
            value={draft}
            rows={2}
            placeholder="Message the assistant (Enter sends, Shift+Enter: new line)"
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKey}
            disabled={sending}
          />
          <button type="submit" className="button button-primary" disabled={sending || !draft.trim()}>
            {sending ? 'Sending…' : 'Send'}
          </button>
        </form>
      </section>
    </div>
  );
}
