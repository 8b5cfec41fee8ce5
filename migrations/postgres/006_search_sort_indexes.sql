-- Indexes over the keys of 005 (filled by then).
-- sort=title pages through (user_id, title_key COLLATE "C", id): byte order, as SQLite.
DROP INDEX tasks_user_title;
CREATE INDEX tasks_user_title_key ON tasks(user_id, (title_key COLLATE "C"), id);

-- The tsvector word index ('simple': whole-word prefixes, no accent folding, no words inside
-- unspaced scripts) gives way to a trigram index of search_text, which serves the LIKE
-- '%needle%' of every search term. pg_trgm ships with PostgreSQL (contrib) and is a trusted
-- extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
DROP INDEX tasks_search;
ALTER TABLE tasks DROP COLUMN search;
CREATE INDEX tasks_search_text ON tasks USING GIN (search_text gin_trgm_ops);
