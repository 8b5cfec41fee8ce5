-- Same column as migrations/postgres/013_claim_contention.sql (one process owns a SQLite
-- file: nothing marks it here; the table keeps the two schemas alike).
ALTER TABLE outbox_claims ADD COLUMN contended INTEGER NOT NULL DEFAULT 0;
