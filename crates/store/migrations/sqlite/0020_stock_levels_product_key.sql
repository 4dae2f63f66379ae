-- The sale writer on SQLite (docs/benchmarks.md, Checkout, session 13). With the figures as
-- trailing key columns (0010), every change of on-hand moved the level's entry in
-- `stock_levels_product_figures`: a second random page written per sale line, beside the
-- level's own. Keyed by product and location alone, the index is left alone by stock changes
-- (SQLite rewrites only the indexes whose columns change). A product's levels at every
-- location (a few hundred at most on SQLite) are then read by key from the table.
-- PostgreSQL keeps its covering index: its chain-scale read (1,000 locations) needs it.
CREATE INDEX stock_levels_product ON stock_levels (product_id, location_id);
DROP INDEX stock_levels_product_figures;
