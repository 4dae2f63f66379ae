-- The sale writer on SQLite (docs/benchmarks.md, Checkout, session 17): the movement index by
-- (location, product, at) was 37 % of the pages a sale commit writes — each sale line put an
-- entry on a random leaf of it (1.6 pages a line with the splits), beside the level's own page.
--
-- Its readers now go another way:
-- * one location over a time range (replenishment, period stock reports): an index by
--   (location, at), whose new entries land at the end of each location's range (a few pages a
--   commit, shared by the batch's lines);
-- * one product at one location (the stock card): a chain. Each level keeps the id of its
--   newest movement, each movement the id of the one before it at the same level, written by a
--   trigger in the statement that appends the movement — the level's page is written by the
--   sale anyway and the movement's row is the one being appended, so the chain costs no page.
--   Reading follows it newest first (commit order), one primary-key lookup a movement.
-- PostgreSQL keeps its index (its 0023 changes nothing).
ALTER TABLE stock_levels ADD COLUMN last_movement_id TEXT;
ALTER TABLE stock_movements ADD COLUMN prev_id TEXT;

-- The existing ledger, chained in the order it was appended (rowid: one writer, no deletes).
DROP TRIGGER stock_movements_no_update;
UPDATE stock_movements SET prev_id = o.prev
FROM (SELECT rowid AS rid,
             LAG(id) OVER (PARTITION BY location_id, product_id ORDER BY rowid) AS prev
      FROM stock_movements) AS o
WHERE o.rid = stock_movements.rowid AND o.prev IS NOT NULL;
UPDATE stock_levels SET last_movement_id = h.id
FROM (SELECT location_id, product_id, id, MAX(rowid) FROM stock_movements
      GROUP BY location_id, product_id) AS h
WHERE h.location_id = stock_levels.location_id AND h.product_id = stock_levels.product_id;

-- Still append-only: only the chain link may be set, once, by the trigger below.
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE OF id, company_id, location_id,
    product_id, kind, quantity_milli, unit_cost_minor, ref_type, ref_id, ref_line, user_id,
    flagged, at ON stock_movements
BEGIN SELECT RAISE(ABORT, 'stock_movements is append-only'); END;
CREATE TRIGGER stock_movements_chain_once BEFORE UPDATE OF prev_id ON stock_movements
WHEN OLD.prev_id IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'stock_movements is append-only'); END;

-- Every new movement joins its level's chain. A movement written before its level (only seeds
-- and tests do) creates the level at zero, for the writer's upsert to add to.
CREATE TRIGGER stock_movements_chain AFTER INSERT ON stock_movements
BEGIN
    UPDATE stock_movements SET prev_id = (SELECT last_movement_id FROM stock_levels
        WHERE location_id = NEW.location_id AND product_id = NEW.product_id)
    WHERE rowid = NEW.rowid;
    INSERT INTO stock_levels (location_id, product_id, company_id, on_hand_milli, updated_at,
        last_movement_id)
    VALUES (NEW.location_id, NEW.product_id, NEW.company_id, 0, NEW.at, NEW.id)
    ON CONFLICT (location_id, product_id) DO UPDATE SET last_movement_id = excluded.last_movement_id;
END;

DROP INDEX stock_movements_location_product;
CREATE INDEX stock_movements_location_at ON stock_movements (location_id, at);
