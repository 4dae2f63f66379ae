-- Sales analytics by register, member tier and channel (docs/analytics.md). Three rollups of
-- the same shape as analytics_cashier_daily, kept by the rollup worker; the sale records the
-- channel it was priced in and the member's tier code at sale time (NULL on rows written
-- before this migration: the rollup falls back to the company's store channel and to the
-- price tier the sale recorded).
ALTER TABLE sales ADD COLUMN channel_id TEXT;
ALTER TABLE sales ADD COLUMN member_tier TEXT;

-- Store × business day × register.
CREATE TABLE analytics_register_daily (
    store_id        TEXT NOT NULL,
    business_day    TEXT NOT NULL,
    register_id     TEXT NOT NULL,
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
    PRIMARY KEY (store_id, business_day, register_id)
);

-- Store × business day × member tier code ('' = a sale without a member or tier).
CREATE TABLE analytics_tier_daily (
    store_id        TEXT NOT NULL,
    business_day    TEXT NOT NULL,
    tier            TEXT NOT NULL,
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
    PRIMARY KEY (store_id, business_day, tier)
);

-- Store × business day × channel id ('' = the company has no store channel).
CREATE TABLE analytics_channel_daily (
    store_id        TEXT NOT NULL,
    business_day    TEXT NOT NULL,
    channel_id      TEXT NOT NULL,
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
    PRIMARY KEY (store_id, business_day, channel_id)
);

-- A migration cannot run the rollup code: when sales exist, the new tables start empty and
-- the worker rebuilds every rollup once on start (and clears the flag); `salepoint analytics
-- rebuild` does the same by hand.
ALTER TABLE analytics_state ADD COLUMN needs_rebuild INTEGER NOT NULL DEFAULT 0;
UPDATE analytics_state SET needs_rebuild = 1 WHERE EXISTS (SELECT 1 FROM sales);
