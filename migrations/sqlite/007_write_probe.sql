-- One row that /readyz rewrites while storage refuses writes (disk full, read-only), to see
-- by itself when writes succeed again (storage/database.hpp check_storage). `pad` (16 KiB
-- of zeros on each probe) makes the probe need room in the WAL, as a task write does.
CREATE TABLE write_probe (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  probed_at INTEGER NOT NULL,
  pad       BLOB
);
