-- Indexes over the keys of 005 (filled by then).
-- sort=title pages through (user_id, title_key, id) in BINARY (byte) order.
DROP INDEX tasks_user_title;
CREATE INDEX tasks_user_title_key ON tasks(user_id, title_key, id);

-- The word index (unicode61: prefixes of whole words only, no accent folding in 3.40, no
-- words inside unspaced scripts) gives way to a trigram index of search_text: any substring
-- of 3 or more characters. case_sensitive 1: search_text is folded already, and matching
-- its bytes exactly keeps SQLite's results identical to PostgreSQL's LIKE.
DROP TRIGGER tasks_fts_insert;
DROP TRIGGER tasks_fts_delete;
DROP TRIGGER tasks_fts_update;
DROP TABLE tasks_fts;
CREATE VIRTUAL TABLE tasks_search USING fts5(
  search_text, content='tasks', content_rowid='id', tokenize='trigram case_sensitive 1');
INSERT INTO tasks_search(tasks_search) VALUES ('rebuild');
CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks BEGIN
  INSERT INTO tasks_search(rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks BEGIN
  INSERT INTO tasks_search(tasks_search, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
END;
-- Only when the text changed: completing or re-tagging a task leaves the index alone.
CREATE TRIGGER tasks_search_update AFTER UPDATE OF search_text ON tasks
  WHEN old.search_text IS NOT new.search_text BEGIN
  INSERT INTO tasks_search(tasks_search, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
  INSERT INTO tasks_search(rowid, search_text) VALUES (new.id, new.search_text);
END;
