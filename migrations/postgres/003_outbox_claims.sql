-- Outbox claims: when several processes relay one outbox (api replicas), a user's pending
-- events are relayed by one process at a time, so they stay in order. A claim names the
-- holder and expires; holder_pid is the claiming session's backend pid, so the claims of a
-- crashed process (its sessions gone) are taken over at once rather than after the lease.
CREATE TABLE outbox_claims (
  subscriber_bit INTEGER NOT NULL,
  user_id        TEXT NOT NULL,
  holder         TEXT NOT NULL,
  holder_pid     INTEGER NOT NULL,
  expires_at     BIGINT NOT NULL,
  PRIMARY KEY (subscriber_bit, user_id)
);
CREATE INDEX outbox_claims_holder ON outbox_claims(subscriber_bit, holder);
