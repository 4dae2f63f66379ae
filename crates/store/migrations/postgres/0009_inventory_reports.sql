-- Inventory reports (docs/analytics.md, "Inventory reports"): dead stock asks, for every
-- level with stock, whether and when the store last sold the product. The rollup's primary
-- key leads with the business day, so that question needs store × product first.
CREATE INDEX analytics_product_daily_store_product
    ON analytics_product_daily (store_id, product_id, business_day);
