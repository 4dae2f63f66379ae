-- Company × business day × product, chain-wide: what the head-office dashboard ranks as today's
-- top products and categories. Summing the stores' own product rows of today meant reading and
-- joining every store × product sold (130,000 rows on a busy day of a 200-store chain); this
-- holds one row per product sold anywhere in the company that day. Kept by the rollup worker
-- and `analytics rebuild` like the other rollups (crates/store/src/analytics/rollup.rs,
-- `CHAIN_DIMS`), and checked by `analytics verify`.
CREATE TABLE analytics_chain_product_daily (
    company_id      TEXT NOT NULL,
    business_day    TEXT NOT NULL,
    product_id      TEXT NOT NULL,
    revenue_minor   BIGINT NOT NULL DEFAULT 0,
    net_minor       BIGINT NOT NULL DEFAULT 0,
    tax_minor       BIGINT NOT NULL DEFAULT 0,
    discount_minor  BIGINT NOT NULL DEFAULT 0,
    quantity_milli  BIGINT NOT NULL DEFAULT 0,
    sold_milli      BIGINT NOT NULL DEFAULT 0,
    orders          BIGINT NOT NULL DEFAULT 0,
    returns_count   BIGINT NOT NULL DEFAULT 0,
    returns_minor   BIGINT NOT NULL DEFAULT 0,
    cost_minor      BIGINT NOT NULL DEFAULT 0,
    returns_milli   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (company_id, business_day, product_id)
);

-- An upgraded database is exact at once: a sale belongs to one store and one business day, so
-- a chain-wide product-day is the sum of the stores' product-days (orders included: a sale
-- counts once per product in its own store's row).
INSERT INTO analytics_chain_product_daily (company_id, business_day, product_id, revenue_minor,
    net_minor, tax_minor, discount_minor, quantity_milli, sold_milli, orders, returns_count,
    returns_minor, cost_minor, returns_milli)
SELECT company_id, business_day, product_id, SUM(revenue_minor), SUM(net_minor), SUM(tax_minor),
    SUM(discount_minor), SUM(quantity_milli), SUM(sold_milli), SUM(orders), SUM(returns_count),
    SUM(returns_minor), SUM(cost_minor), SUM(returns_milli)
FROM analytics_product_daily
GROUP BY company_id, business_day, product_id;
