-- Indexes over the keys of 005 (filled by then).
-- sort=title pages through (user_id, title_key, id) in BINARY (byte) order.
DROP INDEX tasks_user_title;
CREATE INDEX tasks_user_title_key ON tasks(user_id, title_key, id);

-- The word index goes: unicode61 matched only prefixes of whole words, folded no accents
-- (SQLite 3.40) and found no word inside a run of Han, kana or Thai. Search is now a
-- substring test of search_text on the user's own rows, walked in the order of the sort's
-- index and stopped at the page's end (storage/sqlite/sqlite_tasks.cpp). A trigram index
-- (FTS5 trigram) was measured instead: it halved the create throughput (bench/RESULTS.md,
-- issue 14) and made a term every task has slower, not faster.
DROP TRIGGER tasks_fts_insert;
DROP TRIGGER tasks_fts_delete;
DROP TRIGGER tasks_fts_update;
DROP TABLE tasks_fts;
