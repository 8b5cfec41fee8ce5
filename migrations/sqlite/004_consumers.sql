-- Consumers by name (storage/outbox_store.hpp, bus/consumer.hpp).
-- Outbox bits belong to target names, never to registration order.
CREATE TABLE outbox_consumers (
  name TEXT PRIMARY KEY,
  bit  INTEGER NOT NULL UNIQUE  -- a power of two: the target's bit in outbox.pending_mask
);
-- Rows written before bits had names carry bit 1 for the only target of that time (the
-- audit trail, or the Dapr publisher): the first of them to start takes this name over.
INSERT INTO outbox_consumers (name, bit) VALUES ('legacy:first-subscriber', 1);

-- Dedupe rows are kept for a window (the retention job purges them by age).
CREATE INDEX processed_events_processed_at ON processed_events(processed_at);
-- The audit trail is a consumer now: the events it stored count as handled by it.
INSERT INTO processed_events (consumer, event_id, processed_at)
  SELECT 'audit', event_id, timestamp FROM audit_log WHERE true
  ON CONFLICT (consumer, event_id) DO NOTHING;
