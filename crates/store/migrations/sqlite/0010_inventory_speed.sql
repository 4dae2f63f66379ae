-- Inventory speed (docs/benchmarks.md, "Inventory"): a product's levels at every location,
-- read from the index alone. Two reads need them at chain scale: "which store has it?" (one
-- product at every location) and the moving-average cost of a receipt (the company's quantity
-- held of each received product). With the figures in the index both are one range scan per
-- product, without a lookup into the table for each location.
--
-- SQLite has no INCLUDE: the figures are trailing key columns. It replaces
-- `stock_levels_product`, whose lookups by product it serves.
CREATE INDEX stock_levels_product_figures ON stock_levels (product_id, location_id,
    on_hand_milli, reserved_milli, in_transit_milli, reorder_point_milli, reorder_qty_milli,
    max_milli);
DROP INDEX stock_levels_product;
