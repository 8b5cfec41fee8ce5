-- Chat conversations and their messages (issue 12, item 4; storage/chat_store.hpp). Same
-- tables as migrations/postgres/015_chat.sql. Every row carries user_id, and every query of
-- the store filters by it. AUTOINCREMENT: a deleted conversation's id (a cursor, a URL in an
-- open browser tab) never names a later one.
CREATE TABLE conversations (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id    TEXT NOT NULL REFERENCES users(id),
  title      TEXT NOT NULL,                 -- from the first message
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX conversations_user ON conversations(user_id, id);
CREATE TABLE chat_messages (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  user_id         TEXT NOT NULL REFERENCES users(id),
  role            TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
  content         TEXT NOT NULL,
  tool_calls      TEXT NOT NULL DEFAULT '[]',  -- JSON array of {name, arguments, result, is_error}
  created_at      INTEGER NOT NULL
);
CREATE INDEX chat_messages_conversation ON chat_messages(conversation_id, id);
CREATE INDEX chat_messages_user ON chat_messages(user_id);
