-- Live events that no late commit can skip (crates/store/src/events.rs). `seq` is taken at
-- INSERT, so concurrent transactions commit out of `seq` order and a reader going by `seq`
-- alone could step past an event that commits later. Each event now records the id of the
-- transaction that inserted it; readers go in (tx_id, seq) order and only take events of
-- transactions older than every transaction still running, which no later commit can precede.
--
-- Events already here are all committed (this ALTER waits for their writers to finish): 0 keeps
-- them first, in their `seq` order, as they were read before.
ALTER TABLE outbox_events ADD COLUMN tx_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox_events
    ALTER COLUMN tx_id SET DEFAULT CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT);
CREATE INDEX outbox_events_commit_order ON outbox_events (company_id, tx_id, seq);
