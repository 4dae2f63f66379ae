-- The rollup worker's product rollups as WITHOUT ROWID tables, clustered by their primary key:
-- each upsert of a batch (about 2,200 rows per product rollup for 400 sales) then writes one
-- B-tree instead of the table and its primary-key index, and the worker holds the sales' one
-- writer for less (checkout with the worker, 8 / 64 registers: 668–726 / 998–1,013 →
-- 765–813 / 1,038–1,140 sales/s; docs/benchmarks.md, Checkout, session 15). Rows and secondary
-- indexes are as before. The demo database (763,000 rollup rows): 2.3 s; writes wait meanwhile.
CREATE TABLE analytics_product_daily_new (
    store_id        TEXT NOT NULL,
    business_day    TEXT NOT NULL,
    product_id      TEXT NOT NULL,
    company_id      TEXT NOT NULL,
    revenue_minor   INTEGER NOT NULL DEFAULT 0,
    net_minor       INTEGER NOT NULL DEFAULT 0,
    tax_minor       INTEGER NOT NULL DEFAULT 0,
    discount_minor  INTEGER NOT NULL DEFAULT 0,
    quantity_milli  INTEGER NOT NULL DEFAULT 0,
    sold_milli      INTEGER NOT NULL DEFAULT 0,
    orders          INTEGER NOT NULL DEFAULT 0,
    returns_count   INTEGER NOT NULL DEFAULT 0,
    returns_minor   INTEGER NOT NULL DEFAULT 0,
    cost_minor      INTEGER NOT NULL DEFAULT 0,
    returns_milli   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, business_day, product_id)
) WITHOUT ROWID;
INSERT INTO analytics_product_daily_new (store_id, business_day, product_id, company_id, revenue_minor, net_minor, tax_minor, discount_minor, quantity_milli, sold_milli, orders, returns_count, returns_minor, cost_minor, returns_milli)
SELECT store_id, business_day, product_id, company_id, revenue_minor, net_minor, tax_minor, discount_minor, quantity_milli, sold_milli, orders, returns_count, returns_minor, cost_minor, returns_milli FROM analytics_product_daily;
DROP TABLE analytics_product_daily;
ALTER TABLE analytics_product_daily_new RENAME TO analytics_product_daily;
CREATE INDEX analytics_product_daily_product ON analytics_product_daily (product_id, business_day);
CREATE INDEX analytics_product_daily_store_product
    ON analytics_product_daily (store_id, product_id, business_day);

CREATE TABLE analytics_chain_product_daily_new (
    company_id      TEXT NOT NULL,
    business_day    TEXT NOT NULL,
    product_id      TEXT NOT NULL,
    revenue_minor   INTEGER NOT NULL DEFAULT 0,
    net_minor       INTEGER NOT NULL DEFAULT 0,
    tax_minor       INTEGER NOT NULL DEFAULT 0,
    discount_minor  INTEGER NOT NULL DEFAULT 0,
    quantity_milli  INTEGER NOT NULL DEFAULT 0,
    sold_milli      INTEGER NOT NULL DEFAULT 0,
    orders          INTEGER NOT NULL DEFAULT 0,
    returns_count   INTEGER NOT NULL DEFAULT 0,
    returns_minor   INTEGER NOT NULL DEFAULT 0,
    cost_minor      INTEGER NOT NULL DEFAULT 0,
    returns_milli   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (company_id, business_day, product_id)
) WITHOUT ROWID;
INSERT INTO analytics_chain_product_daily_new (company_id, business_day, product_id, revenue_minor, net_minor, tax_minor, discount_minor, quantity_milli, sold_milli, orders, returns_count, returns_minor, cost_minor, returns_milli)
SELECT company_id, business_day, product_id, revenue_minor, net_minor, tax_minor, discount_minor, quantity_milli, sold_milli, orders, returns_count, returns_minor, cost_minor, returns_milli FROM analytics_chain_product_daily;
DROP TABLE analytics_chain_product_daily;
ALTER TABLE analytics_chain_product_daily_new RENAME TO analytics_chain_product_daily;
CREATE INDEX analytics_chain_product_daily_revenue ON analytics_chain_product_daily
    (company_id, business_day, revenue_minor, product_id, quantity_milli);

CREATE TABLE analytics_product_monthly_new (
    company_id      TEXT NOT NULL,
    month           TEXT NOT NULL,
    product_id      TEXT NOT NULL,
    revenue_minor   INTEGER NOT NULL DEFAULT 0,
    net_minor       INTEGER NOT NULL DEFAULT 0,
    tax_minor       INTEGER NOT NULL DEFAULT 0,
    discount_minor  INTEGER NOT NULL DEFAULT 0,
    quantity_milli  INTEGER NOT NULL DEFAULT 0,
    sold_milli      INTEGER NOT NULL DEFAULT 0,
    orders          INTEGER NOT NULL DEFAULT 0,
    returns_count   INTEGER NOT NULL DEFAULT 0,
    returns_minor   INTEGER NOT NULL DEFAULT 0,
    cost_minor      INTEGER NOT NULL DEFAULT 0,
    returns_milli   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (company_id, month, product_id)
) WITHOUT ROWID;
INSERT INTO analytics_product_monthly_new (company_id, month, product_id, revenue_minor, net_minor, tax_minor, discount_minor, quantity_milli, sold_milli, orders, returns_count, returns_minor, cost_minor, returns_milli)
SELECT company_id, month, product_id, revenue_minor, net_minor, tax_minor, discount_minor, quantity_milli, sold_milli, orders, returns_count, returns_minor, cost_minor, returns_milli FROM analytics_product_monthly;
DROP TABLE analytics_product_monthly;
ALTER TABLE analytics_product_monthly_new RENAME TO analytics_product_monthly;
