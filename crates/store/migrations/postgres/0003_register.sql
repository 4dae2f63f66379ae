-- The register: tender types, the stock ledger (shared with the inventory module), shifts,
-- sales and returns, receipt numbering and the outbox of live events.
--
-- The high-volume tables (sales, sale_lines, sale_tenders, stock_movements, stock_levels,
-- receipt_counters) carry no foreign keys here: on PostgreSQL each foreign key check locks
-- the parent row (FOR KEY SHARE, a write to its page), which tripled the cost of a sale. The
-- sale writer reads every referenced row (register, store, shift, products, tender types,
-- the original sale) in the same transaction before writing, master data is never deleted,
-- and these tables are the ones a sharded deployment (Citus, by store) splits anyway.
-- SQLite, where a foreign key check is a plain lookup, keeps them.

-- Register limits of a store: the largest discount (percent) a cashier gives without a
-- manager's approval, and the refund above which a return needs one.
ALTER TABLE stores ADD COLUMN max_discount_percent TEXT NOT NULL DEFAULT '10';
ALTER TABLE stores ADD COLUMN return_approval_minor BIGINT NOT NULL DEFAULT 20000;

CREATE TABLE tender_types (
    id               TEXT PRIMARY KEY,
    company_id       TEXT NOT NULL REFERENCES companies(id),
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('cash', 'card', 'other', 'mobile')),
    allowed_offline  BIGINT NOT NULL DEFAULT 0,
    active           BIGINT NOT NULL DEFAULT 1,
    sort             BIGINT NOT NULL DEFAULT 0,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (company_id, code)
);

-- On hand per location and product, in thousandths of the unit: the running sum of
-- stock_movements, updated in the same transaction as every movement.
CREATE TABLE stock_levels (
    location_id    TEXT NOT NULL,
    product_id     TEXT NOT NULL,
    company_id     TEXT NOT NULL,
    on_hand_milli  BIGINT NOT NULL DEFAULT 0,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (location_id, product_id)
);
CREATE INDEX stock_levels_product ON stock_levels (product_id);

-- The append-only stock ledger. A mistake is corrected by a new movement.
CREATE TABLE stock_movements (
    id               TEXT PRIMARY KEY,
    company_id       TEXT NOT NULL,
    location_id      TEXT NOT NULL,
    product_id       TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('sale', 'return', 'receipt', 'transfer_out',
                         'transfer_in', 'count', 'write_off', 'adjustment')),
    quantity_milli   BIGINT NOT NULL,
    unit_cost_minor  BIGINT NOT NULL DEFAULT 0,
    ref_type         TEXT NOT NULL,
    ref_id           TEXT NOT NULL,
    ref_line         BIGINT,
    user_id          TEXT,
    -- 1 when the movement took on-hand below zero (sold offline or under policy `allow`).
    flagged          BIGINT NOT NULL DEFAULT 0,
    at               TEXT NOT NULL
);
CREATE INDEX stock_movements_location_product ON stock_movements (location_id, product_id, at);
CREATE INDEX stock_movements_ref ON stock_movements (ref_id);

CREATE TABLE shifts (
    id                   TEXT PRIMARY KEY,
    company_id           TEXT NOT NULL REFERENCES companies(id),
    store_id             TEXT NOT NULL REFERENCES stores(id),
    register_id          TEXT NOT NULL REFERENCES registers(id),
    cashier_id           TEXT NOT NULL REFERENCES users(id),
    status               TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opening_float_minor  BIGINT NOT NULL CHECK (opening_float_minor >= 0),
    opened_at            TEXT NOT NULL,
    closed_at            TEXT,
    closed_by            TEXT REFERENCES users(id),
    z_number             BIGINT,
    version              BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX shifts_one_open_per_register ON shifts (register_id) WHERE status = 'open';
CREATE UNIQUE INDEX shifts_z_number ON shifts (register_id, z_number);
CREATE INDEX shifts_store_opened ON shifts (store_id, opened_at);

CREATE TABLE shift_cash_moves (
    id            TEXT PRIMARY KEY,
    shift_id      TEXT NOT NULL REFERENCES shifts(id),
    store_id      TEXT NOT NULL REFERENCES stores(id),
    kind          TEXT NOT NULL CHECK (kind IN ('paid_in', 'paid_out')),
    amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
    reason        TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users(id),
    at            TEXT NOT NULL
);
CREATE INDEX shift_cash_moves_shift ON shift_cash_moves (shift_id);

-- What the cashier counted at close, per tender, next to what the system expected.
CREATE TABLE shift_counts (
    shift_id        TEXT NOT NULL REFERENCES shifts(id),
    code            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    expected_minor  BIGINT NOT NULL,
    counted_minor   BIGINT NOT NULL,
    PRIMARY KEY (shift_id, code)
);

-- Sales and returns (kind = 'return': negative quantities and amounts, original_sale_id set).
-- Never updated or deleted.
CREATE TABLE sales (
    id                 TEXT PRIMARY KEY,
    company_id         TEXT NOT NULL,
    store_id           TEXT NOT NULL,
    register_id        TEXT NOT NULL,
    shift_id           TEXT NOT NULL,
    cashier_id         TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('sale', 'return')),
    original_sale_id   TEXT,
    business_day       TEXT NOT NULL,
    receipt_seq        BIGINT NOT NULL,
    receipt_no         TEXT NOT NULL,
    currency           TEXT NOT NULL,
    customer_tier      TEXT,
    subtotal_minor     BIGINT NOT NULL,
    discount_minor     BIGINT NOT NULL,
    tax_minor          BIGINT NOT NULL,
    total_minor        BIGINT NOT NULL,
    rounding_minor     BIGINT NOT NULL,
    paid_minor         BIGINT NOT NULL,
    change_minor       BIGINT NOT NULL,
    offline            BIGINT NOT NULL DEFAULT 0,
    -- Comma-separated: negative_stock, price_changed, late_shift.
    flags              TEXT NOT NULL DEFAULT '',
    approval_id        TEXT,
    request_hash       TEXT NOT NULL,
    -- The caller's scope and Idempotency-Key, when one was sent.
    idem_key           TEXT,
    client_created_at  TEXT,
    created_at         TEXT NOT NULL,
    UNIQUE (store_id, business_day, receipt_seq),
    UNIQUE (company_id, receipt_no)
);
CREATE UNIQUE INDEX sales_idem_key ON sales (idem_key) WHERE idem_key IS NOT NULL;
CREATE INDEX sales_store_created ON sales (store_id, created_at);
CREATE INDEX sales_register_created ON sales (register_id, created_at);
CREATE INDEX sales_shift ON sales (shift_id);
CREATE INDEX sales_original ON sales (original_sale_id) WHERE original_sale_id IS NOT NULL;
CREATE INDEX sales_flagged ON sales (store_id, created_at) WHERE flags <> '';

CREATE TABLE sale_lines (
    sale_id               TEXT NOT NULL,
    line_no               BIGINT NOT NULL,
    store_id              TEXT NOT NULL,
    product_id            TEXT NOT NULL,
    sku                   TEXT NOT NULL,
    name                  TEXT NOT NULL,
    quantity_milli        BIGINT NOT NULL,
    unit_price_minor      BIGINT NOT NULL,
    gross_minor           BIGINT NOT NULL,
    line_discount_minor   BIGINT NOT NULL,
    order_discount_minor  BIGINT NOT NULL,
    net_minor             BIGINT NOT NULL,
    tax_rate              TEXT NOT NULL,
    tax_minor             BIGINT NOT NULL,
    total_minor           BIGINT NOT NULL,
    original_line_no      BIGINT,
    restock               BIGINT,
    reason                TEXT,
    PRIMARY KEY (sale_id, line_no)
);

CREATE TABLE sale_tenders (
    sale_id         TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    store_id        TEXT NOT NULL,
    tender_type_id  TEXT NOT NULL,
    code            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    amount_minor    BIGINT NOT NULL,
    tendered_minor  BIGINT,
    change_minor    BIGINT NOT NULL DEFAULT 0,
    reference       TEXT,
    -- At most the last four digits of a card; a full number is never accepted.
    card_last4      TEXT CHECK (card_last4 IS NULL OR length(card_last4) = 4),
    PRIMARY KEY (sale_id, seq)
);

-- Every print of a receipt; the first is the original, later ones are copies.
CREATE TABLE receipt_prints (
    sale_id     TEXT NOT NULL REFERENCES sales(id),
    printed_at  TEXT NOT NULL,
    user_id     TEXT
);
CREATE INDEX receipt_prints_sale ON receipt_prints (sale_id);

-- Gap-free receipt numbers per store and business day.
CREATE TABLE receipt_counters (
    store_id      TEXT NOT NULL,
    business_day  TEXT NOT NULL,
    last_seq      BIGINT NOT NULL,
    PRIMARY KEY (store_id, business_day)
);

-- Events for live updates (server-sent events), written in the business transaction.
CREATE TABLE outbox_events (
    seq         BIGSERIAL PRIMARY KEY,
    company_id  TEXT NOT NULL,
    store_id    TEXT,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX outbox_events_company ON outbox_events (company_id, seq);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;
CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OR DELETE ON stock_movements
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER stock_movements_no_truncate BEFORE TRUNCATE ON stock_movements
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER sales_append_only BEFORE UPDATE OR DELETE ON sales
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
