-- Inventory speed (docs/benchmarks.md, "Inventory"): a product's levels at every location,
-- read from the index alone. Two reads need them at chain scale (1,000 locations × 20,000
-- products): "which store has it?" (one product at 1,000 locations: 1,000 heap pages of a 4 GB
-- table laid out by location, 22 ms alone) and the moving-average cost of a receipt (the
-- company's quantity held of each received product: 500 lines = 500,000 levels, a 5 s
-- sequential scan). With the figures in the index both are index-only range scans of a few
-- pages per product.
--
-- The price: on hand is now in an index, so a change of it is no longer a HOT update of the
-- level (one more entry in this index and in the primary key per level written; measured in
-- docs/benchmarks.md). It replaces `stock_levels_product`, whose lookups by product it serves.
CREATE INDEX stock_levels_product_figures ON stock_levels (product_id, location_id)
    INCLUDE (on_hand_milli, reserved_milli, in_transit_milli, reorder_point_milli,
             reorder_qty_milli, max_milli);
DROP INDEX stock_levels_product;
