-- A claim another process skipped users for is marked contended; releasing it then sends
-- NOTIFY todo_outbox (with the target's bit) so that process takes the users' rows at once.
-- A process relaying alone never marks one, and never sends a NOTIFY.
ALTER TABLE outbox_claims ADD COLUMN contended BOOLEAN NOT NULL DEFAULT false;
