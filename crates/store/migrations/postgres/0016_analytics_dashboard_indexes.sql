-- The head-office dashboard after a busy day (docs/benchmarks.md, Analytics, session 7).
--
-- Today's products of the whole chain, by revenue: the dashboard's top ten are the first
-- entries of this index (no sort of every product sold today), and its top categories sum
-- today's products from the index alone.
CREATE INDEX analytics_chain_product_daily_revenue ON analytics_chain_product_daily
    (company_id, business_day, revenue_minor) INCLUDE (product_id, quantity_milli);

-- The dashboard's low-stock count: only the levels at or below their reorder point, instead of
-- every level of every store in view (4 M at chain scale). The sale writer's updates of the
-- other levels do not write to it.
CREATE INDEX stock_levels_low ON stock_levels (location_id)
    WHERE reorder_point_milli IS NOT NULL AND on_hand_milli <= reorder_point_milli;
