-- Sales analytics: rollups of the immutable sales and returns at a few grains, kept by the
-- background rollup worker (crates/store/src/analytics/rollup.rs), so reports read small
-- tables. Returns count with negative figures on their own business day; `returns_minor` and
-- `returns_milli` are their amounts as positive numbers. Money in minor units, tax included
-- unless named `net`; `cost_minor` = quantity × the moving-average cost at rollup time.

-- Store × business day: the measures of the dashboard and of store/region/day/week/month reports.
CREATE TABLE analytics_daily (
    store_id        TEXT NOT NULL,
    business_day    TEXT NOT NULL,
    company_id      TEXT NOT NULL,
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
    PRIMARY KEY (store_id, business_day)
);
CREATE INDEX analytics_daily_day ON analytics_daily (company_id, business_day);

-- Store × business day × local hour (0–23).
CREATE TABLE analytics_hourly (
    store_id        TEXT NOT NULL,
    business_day    TEXT NOT NULL,
    hour            BIGINT NOT NULL,
    company_id      TEXT NOT NULL,
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
    PRIMARY KEY (store_id, business_day, hour)
);

-- Store × business day × product. `orders` = sales with at least one line of the product.
CREATE TABLE analytics_product_daily (
    store_id        TEXT NOT NULL,
    business_day    TEXT NOT NULL,
    product_id      TEXT NOT NULL,
    company_id      TEXT NOT NULL,
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
    PRIMARY KEY (store_id, business_day, product_id)
);
CREATE INDEX analytics_product_daily_product ON analytics_product_daily (product_id, business_day);

-- Company × month (`YYYY-MM` of the business day) × product, chain-wide: top-N over months.
CREATE TABLE analytics_product_monthly (
    company_id      TEXT NOT NULL,
    month           TEXT NOT NULL,
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
    PRIMARY KEY (company_id, month, product_id)
);

-- Store × business day × cashier.
CREATE TABLE analytics_cashier_daily (
    store_id        TEXT NOT NULL,
    business_day    TEXT NOT NULL,
    cashier_id      TEXT NOT NULL,
    company_id      TEXT NOT NULL,
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
    PRIMARY KEY (store_id, business_day, cashier_id)
);

-- Store × business day × tender code: the payment mix (returns' refunds negative).
CREATE TABLE analytics_tender_daily (
    store_id      TEXT NOT NULL,
    business_day  TEXT NOT NULL,
    code          TEXT NOT NULL,
    company_id    TEXT NOT NULL,
    amount_minor  BIGINT NOT NULL DEFAULT 0,
    count         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, business_day, code)
);

-- The sales already counted (each exactly once: inserted in the rollup's transaction).
CREATE TABLE analytics_applied (
    sale_id     TEXT PRIMARY KEY,
    store_id    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    cost_minor  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX analytics_applied_created ON analytics_applied (created_at);

-- One row: the newest applied sale's created_at (the worker looks back 10 minutes from it).
CREATE TABLE analytics_state (
    id         BIGINT PRIMARY KEY,
    watermark  TEXT NOT NULL
);
INSERT INTO analytics_state (id, watermark) VALUES (1, '');

CREATE INDEX sales_created ON sales (created_at);
