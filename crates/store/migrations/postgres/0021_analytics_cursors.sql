-- The rollup worker follows the outbox (crates/store/src/analytics/follow.rs): each company's
-- `sale.completed` / `return.completed` events after its cursor, in the outbox's commit order
-- (`(tx_id, seq)`, migration 0017), rather than probing `analytics_applied` for every sale of a
-- time window on every pass.
--
-- A company starts at the oldest transaction still running (this statement's snapshot xmin):
-- every event of an older transaction has committed, and those not yet counted are found by the
-- worker's one sweep of the lookback window when it starts; a sale of a transaction still
-- running is read from the outbox. A company created later has no row and starts at the
-- beginning of its outbox.
CREATE TABLE analytics_cursors (
    company_id  TEXT PRIMARY KEY,
    tx_id       BIGINT NOT NULL,
    seq         BIGINT NOT NULL
);
INSERT INTO analytics_cursors (company_id, tx_id, seq)
SELECT id, CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT), 0
FROM companies;
