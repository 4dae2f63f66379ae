-- The sale writer links its own movements (docs/benchmarks.md, Checkout, session 19). It reads
-- each stock level it sells from before the batch anyway, so it knows the level's newest
-- movement: it writes each movement with `prev_id` set and the level with its new newest in the
-- same upsert that changes on-hand. The trigger of 0023 then ran for nothing, at three more
-- b-tree seeks and two more writes per sale line (the movement's row written twice, the level
-- twice). It now links only the movements appended without a link: every other writer's, and
-- the sale writer's at a level that has no movement yet (where `prev_id` is NULL by right).
DROP TRIGGER stock_movements_chain;
CREATE TRIGGER stock_movements_chain AFTER INSERT ON stock_movements
WHEN NEW.prev_id IS NULL
BEGIN
    UPDATE stock_movements SET prev_id = (SELECT last_movement_id FROM stock_levels
        WHERE location_id = NEW.location_id AND product_id = NEW.product_id)
    WHERE rowid = NEW.rowid;
    INSERT INTO stock_levels (location_id, product_id, company_id, on_hand_milli, updated_at,
        last_movement_id)
    VALUES (NEW.location_id, NEW.product_id, NEW.company_id, 0, NEW.at, NEW.id)
    ON CONFLICT (location_id, product_id) DO UPDATE SET last_movement_id = excluded.last_movement_id;
END;
