-- Inventory: suppliers, purchase orders and goods receipts, transfers between locations,
-- stock counts, reorder rules and the moving-average cost. Every document that moves stock
-- writes stock_movements (the ledger from 0003) and stock_levels in its own transaction.

-- Purchase orders above this total need a manager's approval (minor units).
ALTER TABLE companies ADD COLUMN po_approval_minor INTEGER NOT NULL DEFAULT 500000;

-- Reserved for sales orders; goods shipped to this location and not yet received; the reorder
-- rule of this location and product (NULL = none).
ALTER TABLE stock_levels ADD COLUMN reserved_milli INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stock_levels ADD COLUMN in_transit_milli INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stock_levels ADD COLUMN reorder_point_milli INTEGER;
ALTER TABLE stock_levels ADD COLUMN reorder_qty_milli INTEGER;
ALTER TABLE stock_levels ADD COLUMN max_milli INTEGER;

-- Moving-average cost per product and company (minor units per unit), updated by receipts.
CREATE TABLE product_costs (
    product_id      TEXT PRIMARY KEY REFERENCES products(id),
    company_id      TEXT NOT NULL REFERENCES companies(id),
    avg_cost_minor  INTEGER NOT NULL CHECK (avg_cost_minor >= 0),
    updated_at      TEXT NOT NULL
);

-- Gap-free document numbers per company and kind (PO, TR, SC).
CREATE TABLE document_counters (
    company_id  TEXT NOT NULL REFERENCES companies(id),
    kind        TEXT NOT NULL,
    last_no     INTEGER NOT NULL,
    PRIMARY KEY (company_id, kind)
);

CREATE TABLE suppliers (
    id                  TEXT PRIMARY KEY,
    company_id          TEXT NOT NULL REFERENCES companies(id),
    code                TEXT NOT NULL,
    name                TEXT NOT NULL,
    contact             TEXT NOT NULL DEFAULT '',
    phone               TEXT NOT NULL DEFAULT '',
    email               TEXT NOT NULL DEFAULT '',
    address             TEXT NOT NULL DEFAULT '',
    lead_time_days      INTEGER NOT NULL CHECK (lead_time_days BETWEEN 0 AND 365),
    active              INTEGER NOT NULL DEFAULT 1,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    CONSTRAINT suppliers_code_key UNIQUE (company_id, code)
);

-- What a supplier supplies: its cost, lead time (NULL = the supplier's) and pack size.
CREATE TABLE supplier_products (
    supplier_id      TEXT NOT NULL REFERENCES suppliers(id),
    product_id       TEXT NOT NULL REFERENCES products(id),
    company_id       TEXT NOT NULL REFERENCES companies(id),
    supplier_sku     TEXT NOT NULL DEFAULT '',
    cost_minor       INTEGER NOT NULL CHECK (cost_minor >= 0),
    lead_time_days   INTEGER CHECK (lead_time_days BETWEEN 0 AND 365),
    pack_milli       INTEGER NOT NULL DEFAULT 1000 CHECK (pack_milli > 0),
    preferred        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (supplier_id, product_id)
);
CREATE INDEX supplier_products_product ON supplier_products (product_id);

CREATE TABLE purchase_orders (
    id              TEXT PRIMARY KEY,
    company_id      TEXT NOT NULL REFERENCES companies(id),
    number          TEXT NOT NULL,
    supplier_id     TEXT NOT NULL REFERENCES suppliers(id),
    location_id     TEXT NOT NULL REFERENCES stores(id),
    status          TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved',
                        'partially_received', 'received', 'closed', 'cancelled')),
    expected_date   TEXT,
    notes           TEXT NOT NULL DEFAULT '',
    total_minor     INTEGER NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    submitted_at    TEXT,
    approved_by     TEXT,
    approved_at     TEXT,
    closed_at       TEXT,
    cancel_reason   TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    CONSTRAINT purchase_orders_number_key UNIQUE (company_id, number)
);
CREATE INDEX purchase_orders_location ON purchase_orders (location_id, status);

CREATE TABLE purchase_order_lines (
    po_id            TEXT NOT NULL REFERENCES purchase_orders(id),
    line_no          INTEGER NOT NULL,
    product_id       TEXT NOT NULL REFERENCES products(id),
    quantity_milli   INTEGER NOT NULL CHECK (quantity_milli > 0),
    unit_cost_minor  INTEGER NOT NULL CHECK (unit_cost_minor >= 0),
    received_milli   INTEGER NOT NULL DEFAULT 0,
    returned_milli   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (po_id, line_no)
);

-- One delivery received against a purchase order, or goods sent back to the supplier
-- (kind `return`). Its lines are the stock movements with ref_id = this id.
CREATE TABLE goods_receipts (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL REFERENCES companies(id),
    po_id        TEXT NOT NULL REFERENCES purchase_orders(id),
    location_id  TEXT NOT NULL REFERENCES stores(id),
    kind         TEXT NOT NULL CHECK (kind IN ('receipt', 'return')),
    user_id      TEXT NOT NULL,
    notes        TEXT NOT NULL DEFAULT '',
    warnings     TEXT NOT NULL DEFAULT '[]',
    at           TEXT NOT NULL
);
CREATE INDEX goods_receipts_po ON goods_receipts (po_id);

CREATE TABLE transfers (
    id                TEXT PRIMARY KEY,
    company_id        TEXT NOT NULL REFERENCES companies(id),
    number            TEXT NOT NULL,
    from_location_id  TEXT NOT NULL REFERENCES stores(id),
    to_location_id    TEXT NOT NULL REFERENCES stores(id),
    status            TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'shipped',
                          'received', 'closed', 'cancelled')),
    notes             TEXT NOT NULL DEFAULT '',
    requested_by      TEXT NOT NULL,
    requested_at      TEXT NOT NULL,
    approved_by       TEXT,
    approved_at       TEXT,
    shipped_by        TEXT,
    shipped_at        TEXT,
    received_by       TEXT,
    received_at       TEXT,
    closed_by         TEXT,
    closed_at         TEXT,
    cancel_reason     TEXT,
    version           INTEGER NOT NULL DEFAULT 1,
    updated_at        TEXT NOT NULL,
    CONSTRAINT transfers_number_key UNIQUE (company_id, number),
    CHECK (from_location_id <> to_location_id)
);
CREATE INDEX transfers_from ON transfers (from_location_id, status);
CREATE INDEX transfers_to ON transfers (to_location_id, status);

CREATE TABLE transfer_lines (
    transfer_id      TEXT NOT NULL REFERENCES transfers(id),
    line_no          INTEGER NOT NULL,
    product_id       TEXT NOT NULL REFERENCES products(id),
    requested_milli  INTEGER NOT NULL CHECK (requested_milli > 0),
    shipped_milli    INTEGER,
    received_milli   INTEGER,
    PRIMARY KEY (transfer_id, line_no)
);

CREATE TABLE stock_counts (
    id            TEXT PRIMARY KEY,
    company_id    TEXT NOT NULL REFERENCES companies(id),
    number        TEXT NOT NULL,
    location_id   TEXT NOT NULL REFERENCES stores(id),
    scope         TEXT NOT NULL CHECK (scope IN ('full', 'category', 'list')),
    category_id   TEXT,
    blind         INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL CHECK (status IN ('open', 'submitted', 'approved', 'cancelled')),
    notes         TEXT NOT NULL DEFAULT '',
    -- The moment the expected figures were taken.
    snapshot_at   TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    submitted_by  TEXT,
    submitted_at  TEXT,
    approved_by   TEXT,
    approved_at   TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TEXT NOT NULL,
    CONSTRAINT stock_counts_number_key UNIQUE (company_id, number)
);
CREATE INDEX stock_counts_location ON stock_counts (location_id, status);

-- expected_milli: on hand at the snapshot; book_milli: on hand when the line was last counted
-- (sales between the snapshot and the counting are in it), which the variance is taken from.
CREATE TABLE stock_count_lines (
    count_id        TEXT NOT NULL REFERENCES stock_counts(id),
    product_id      TEXT NOT NULL REFERENCES products(id),
    expected_milli  INTEGER NOT NULL,
    counted_milli   INTEGER,
    book_milli      INTEGER,
    counted_by      TEXT,
    counted_at      TEXT,
    PRIMARY KEY (count_id, product_id)
);
