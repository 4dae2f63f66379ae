-- The rollup worker follows the outbox (crates/store/src/analytics/follow.rs): each company's
-- `sale.completed` / `return.completed` events after its cursor, in `seq` order (commit order
-- on SQLite: one writer at a time; `tx_id` stays 0), rather than probing `analytics_applied`
-- for every sale of a time window on every pass.
--
-- A company starts after its newest event: those not yet counted are found by the worker's one
-- sweep of the lookback window when it starts. A company created later has no row and starts
-- at the beginning of its outbox.
CREATE TABLE analytics_cursors (
    company_id  TEXT PRIMARY KEY,
    tx_id       INTEGER NOT NULL,
    seq         INTEGER NOT NULL
);
INSERT INTO analytics_cursors (company_id, tx_id, seq)
SELECT c.id, 0, COALESCE((SELECT MAX(e.seq) FROM outbox_events e WHERE e.company_id = c.id), 0)
FROM companies c;
