-- Search in every script and titles sorted as people read (issue 14, items 11 and 15).
--   title_key    the title folded (case, accents and compatibility forms removed:
--                core/text_fold.hpp), at most 512 bytes: the key of sort=title, compared
--                as bytes, with the id as tie-breaker.
--   search_text  title and description folded and cut into words, " word word …": what
--                `q` searches (the rule: tasks/task_search.hpp).
-- Both are computed by the service (ICU), never by SQL, so that SQLite and PostgreSQL hold
-- the same bytes. Existing rows are filled by this migration's C++ step
-- (storage::sqlite::fill_task_keys, same transaction) before 006 indexes them.
ALTER TABLE tasks ADD COLUMN title_key TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
