'use client';
import { ChatPanel } from '@/components/ChatPanel';
import { useRequiredUser } from '@/lib/session';

export function ChatPage() {
  const user = useRequiredUser();
  return (
    <>
      <h1>Chat</h1>
      <p className="page-intro">Manage your tasks by talking to the assistant. What it changes shows in your task list at once.</p>
      {user && <ChatPanel user={user} />}
    </>
  );
}
