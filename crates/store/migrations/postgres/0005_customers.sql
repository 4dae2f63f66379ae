-- Customers and membership: profiles (persons and businesses), member tiers and the loyalty
-- programme, the points and stored-value ledgers (append-only; the balances on customers are
-- their running sums with CHECKs that they never go below zero), points lots for expiry,
-- follow-up tasks and saved segments. Sales get the customer they were made for.

CREATE TABLE loyalty_programs (
    company_id              TEXT PRIMARY KEY REFERENCES companies(id),
    -- Points that are worth one unit of the currency when redeemed (100: 1 point = 0.01).
    redeem_points_per_unit  BIGINT NOT NULL DEFAULT 100 CHECK (redeem_points_per_unit > 0),
    -- `never`, `year_end` (of the year after earning) or `months` (expiry_months after).
    expiry_mode             TEXT NOT NULL DEFAULT 'year_end' CHECK (expiry_mode IN ('never', 'year_end', 'months')),
    expiry_months           BIGINT NOT NULL DEFAULT 12 CHECK (expiry_months BETWEEN 1 AND 120),
    -- Spend over this many days decides the tier.
    tier_window_days        BIGINT NOT NULL DEFAULT 365 CHECK (tier_window_days BETWEEN 1 AND 3660),
    -- Top-up bonuses as JSON: [{"min_minor": 100000, "bonus_minor": 10000}, …].
    topup_bonus             TEXT NOT NULL DEFAULT '[]',
    version                 BIGINT NOT NULL DEFAULT 1,
    updated_at              TEXT NOT NULL
);

CREATE TABLE member_tiers (
    id                  TEXT PRIMARY KEY,
    company_id          TEXT NOT NULL REFERENCES companies(id),
    code                TEXT NOT NULL,
    name                TEXT NOT NULL,
    -- The price-list tier a member of this tier buys at (price_lists.tier), if any.
    price_tier          TEXT,
    -- Spend within the window that reaches this tier.
    min_spend_minor     BIGINT NOT NULL DEFAULT 0 CHECK (min_spend_minor >= 0),
    -- Points per currency unit spent (decimal text, e.g. '1' or '1.5').
    earn_per_unit       TEXT NOT NULL DEFAULT '1',
    earn_on_discounted  BIGINT NOT NULL DEFAULT 0,
    sort                BIGINT NOT NULL DEFAULT 0,
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    CONSTRAINT member_tiers_code_key UNIQUE (company_id, code)
);

-- Category exceptions to a tier's earn rate ('0' earns nothing on that category); tier_code
-- NULL applies to every tier.
CREATE TABLE points_rules (
    id             TEXT PRIMARY KEY,
    company_id     TEXT NOT NULL REFERENCES companies(id),
    tier_code      TEXT,
    category_id    TEXT NOT NULL REFERENCES categories(id),
    earn_per_unit  TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX points_rules_key ON points_rules (company_id, COALESCE(tier_code, ''), category_id);

CREATE TABLE customers (
    id                  TEXT PRIMARY KEY,
    company_id          TEXT NOT NULL REFERENCES companies(id),
    kind                TEXT NOT NULL CHECK (kind IN ('person', 'business')),
    name                TEXT NOT NULL,
    -- E.164 (+8613812345678).
    phone               TEXT,
    email               TEXT,
    member_no           TEXT,
    card_code           TEXT,
    birthday            TEXT,
    gender              TEXT CHECK (gender IS NULL OR gender IN ('female', 'male', 'other')),
    tier_code           TEXT,
    tags                TEXT NOT NULL DEFAULT '[]',
    marketing_consent   BIGINT NOT NULL DEFAULT 0,
    consent_at          TEXT,
    consent_source      TEXT,
    notes               TEXT NOT NULL DEFAULT '',
    home_store_id       TEXT REFERENCES stores(id),
    company_name        TEXT,
    tax_id              TEXT,
    billing_address     TEXT,
    shipping_address    TEXT,
    credit_limit_minor  BIGINT NOT NULL DEFAULT 0 CHECK (credit_limit_minor >= 0),
    payment_terms_days  BIGINT NOT NULL DEFAULT 0,
    -- Open B2B balance (receivables); an erasure is refused while it is not zero.
    receivable_minor    BIGINT NOT NULL DEFAULT 0,
    points_balance      BIGINT NOT NULL DEFAULT 0 CHECK (points_balance >= 0),
    stored_value_minor  BIGINT NOT NULL DEFAULT 0 CHECK (stored_value_minor >= 0),
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'merged', 'erased')),
    merged_into         TEXT,
    -- Name, pinyin and initials, member number: what list search matches.
    search_text         TEXT NOT NULL DEFAULT '',
    rfm_recency         BIGINT,
    rfm_frequency       BIGINT,
    rfm_monetary        BIGINT,
    segment             TEXT,
    rfm_at              TEXT,
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE UNIQUE INDEX customers_phone_key ON customers (company_id, phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX customers_member_no_key ON customers (company_id, member_no) WHERE member_no IS NOT NULL;
CREATE UNIQUE INDEX customers_card_key ON customers (company_id, card_code) WHERE card_code IS NOT NULL;
CREATE INDEX customers_home_store ON customers (home_store_id);
CREATE INDEX customers_segment ON customers (company_id, segment);

-- The points and stored-value ledgers carry no foreign keys here, like the other per-sale
-- tables (0003): the sale writer reads the customer in the same transaction.
-- The points ledger. Redeeming and expiring consume points_lots in expiry order.
CREATE TABLE points_ledger (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    store_id     TEXT,
    kind         TEXT NOT NULL CHECK (kind IN ('earn', 'redeem', 'earn_reversal', 'redeem_refund',
                     'expire', 'adjust', 'merge')),
    points       BIGINT NOT NULL,
    expires_at   TEXT,
    ref_type     TEXT NOT NULL,
    ref_id       TEXT NOT NULL,
    user_id      TEXT,
    at           TEXT NOT NULL
);
CREATE INDEX points_ledger_customer ON points_ledger (customer_id, at);
CREATE INDEX points_ledger_ref ON points_ledger (ref_id);

-- What is left of each grant of points (earned, refunded, adjusted up), by expiry.
CREATE TABLE points_lots (
    ledger_id    TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    remaining    BIGINT NOT NULL CHECK (remaining >= 0)
);
CREATE INDEX points_lots_customer ON points_lots (customer_id, expires_at);

-- The stored-value (储值) ledger, in minor units.
CREATE TABLE stored_value_ledger (
    id            TEXT PRIMARY KEY,
    company_id    TEXT NOT NULL,
    customer_id   TEXT NOT NULL,
    store_id      TEXT,
    kind          TEXT NOT NULL CHECK (kind IN ('topup', 'bonus', 'pay', 'refund', 'adjust', 'merge')),
    amount_minor  BIGINT NOT NULL,
    -- How a top-up was paid (CASH, CARD …).
    tender_code   TEXT,
    ref_type      TEXT NOT NULL,
    ref_id        TEXT NOT NULL,
    user_id       TEXT,
    at            TEXT NOT NULL
);
CREATE INDEX stored_value_ledger_customer ON stored_value_ledger (customer_id, at);
CREATE INDEX stored_value_ledger_ref ON stored_value_ledger (ref_id);

CREATE TRIGGER points_ledger_append_only BEFORE UPDATE OR DELETE ON points_ledger
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER points_ledger_no_truncate BEFORE TRUNCATE ON points_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER stored_value_ledger_append_only BEFORE UPDATE OR DELETE ON stored_value_ledger
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER stored_value_ledger_no_truncate BEFORE TRUNCATE ON stored_value_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- The shopping guide's follow-up work.
CREATE TABLE customer_tasks (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL REFERENCES companies(id),
    customer_id  TEXT NOT NULL REFERENCES customers(id),
    store_id     TEXT,
    assignee_id  TEXT NOT NULL REFERENCES users(id),
    kind         TEXT NOT NULL DEFAULT 'manual' CHECK (kind IN ('manual', 'birthday', 'lapsed')),
    title        TEXT NOT NULL,
    notes        TEXT NOT NULL DEFAULT '',
    due_at       TEXT NOT NULL,
    remind_at    TEXT,
    reminded     BIGINT NOT NULL DEFAULT 0,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    sale_id      TEXT,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    done_at      TEXT,
    version      BIGINT NOT NULL DEFAULT 1,
    updated_at   TEXT NOT NULL
);
CREATE INDEX customer_tasks_assignee ON customer_tasks (assignee_id, status, due_at);
CREATE INDEX customer_tasks_customer ON customer_tasks (customer_id);
CREATE INDEX customer_tasks_remind ON customer_tasks (reminded, remind_at) WHERE status = 'open';

-- Named filters marketing re-runs and exports.
CREATE TABLE saved_segments (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL REFERENCES companies(id),
    name        TEXT NOT NULL,
    filter      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CONSTRAINT saved_segments_name_key UNIQUE (company_id, name)
);

-- Member-account tenders: a tender type of kind `other` whose `account` is `points` or
-- `stored_value` pays from the attached member's balance (the kind CHECK of 0003 stays).
ALTER TABLE tender_types ADD COLUMN account TEXT CHECK (account IS NULL OR account IN ('points', 'stored_value'));

-- The member a sale or return was made for.
ALTER TABLE sales ADD COLUMN customer_id TEXT;
CREATE INDEX sales_customer ON sales (customer_id, created_at) WHERE customer_id IS NOT NULL;

-- Every existing company gets the two member-account tender types (ids derived from the
-- company's, so the statement is the same on both databases).
INSERT INTO tender_types (id, company_id, code, name, kind, account, allowed_offline, active, sort, created_at, updated_at)
SELECT substr(id, 1, 24) || '00000000a001', id, 'POINTS', '积分抵扣', 'other', 'points', 0, 1, 40, updated_at, updated_at
FROM companies WHERE NOT EXISTS (SELECT 1 FROM tender_types t WHERE t.company_id = companies.id AND t.code = 'POINTS');
INSERT INTO tender_types (id, company_id, code, name, kind, account, allowed_offline, active, sort, created_at, updated_at)
SELECT substr(id, 1, 24) || '00000000a002', id, 'STORED_VALUE', '储值支付', 'other', 'stored_value', 0, 1, 30, updated_at, updated_at
FROM companies WHERE NOT EXISTS (SELECT 1 FROM tender_types t WHERE t.company_id = companies.id AND t.code = 'STORED_VALUE');
