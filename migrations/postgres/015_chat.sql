-- Chat conversations and their messages (issue 12, item 4; storage/chat_store.hpp). Same
-- tables as migrations/sqlite/015_chat.sql. Every row carries user_id, and every query of
-- the store filters by it. tool_calls is TEXT holding JSON (not jsonb): the stored bytes are
-- what the API returns, the same on both backends.
CREATE TABLE conversations (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users(id),
  title      TEXT NOT NULL,                 -- from the first message
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX conversations_user ON conversations(user_id, id);
CREATE TABLE chat_messages (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  user_id         TEXT NOT NULL REFERENCES users(id),
  role            TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
  content         TEXT NOT NULL,
  tool_calls      TEXT NOT NULL DEFAULT '[]',  -- JSON array of {name, arguments, result, is_error}
  created_at      BIGINT NOT NULL
);
CREATE INDEX chat_messages_conversation ON chat_messages(conversation_id, id);
CREATE INDEX chat_messages_user ON chat_messages(user_id);
