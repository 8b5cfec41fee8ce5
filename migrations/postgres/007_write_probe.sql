-- One row that /readyz rewrites while storage refuses writes (disk full, read-only), to see
-- by itself when writes succeed again (storage/database.hpp check_storage). Same table as
-- migrations/sqlite/007_write_probe.sql.
CREATE TABLE write_probe (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  probed_at BIGINT NOT NULL,
  pad       BYTEA
);
