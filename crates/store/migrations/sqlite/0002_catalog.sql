-- Catalog and pricing: tax classes, categories, products with barcodes, price lists, scale
-- label formats, and the change cursor registers sync by.

CREATE TABLE tax_classes (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL REFERENCES companies(id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    rate        TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT tax_classes_code_key UNIQUE (company_id, code)
);

CREATE TABLE categories (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL REFERENCES companies(id),
    parent_id   TEXT REFERENCES categories(id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    sort        INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT categories_code_key UNIQUE (company_id, code)
);
CREATE INDEX categories_parent_idx ON categories (parent_id);

CREATE TABLE products (
    id                  TEXT PRIMARY KEY,
    company_id          TEXT NOT NULL REFERENCES companies(id),
    sku                 TEXT NOT NULL,
    name_zh             TEXT NOT NULL,
    name_en             TEXT NOT NULL DEFAULT '',
    receipt_name        TEXT NOT NULL DEFAULT '',
    category_id         TEXT REFERENCES categories(id),
    brand               TEXT NOT NULL DEFAULT '',
    unit                TEXT NOT NULL,
    sold_by_weight      INTEGER NOT NULL DEFAULT 0,
    quantity_precision  INTEGER NOT NULL DEFAULT 0,
    tax_class_id        TEXT NOT NULL REFERENCES tax_classes(id),
    cost_price_minor    INTEGER NOT NULL DEFAULT 0 CHECK (cost_price_minor >= 0),
    list_price_minor    INTEGER NOT NULL CHECK (list_price_minor >= 0),
    status              TEXT NOT NULL,
    image_url           TEXT,
    attributes          TEXT NOT NULL DEFAULT '{}',
    family_code         TEXT,
    plu                 TEXT,
    search_text         TEXT NOT NULL,
    change_seq          INTEGER NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    CONSTRAINT products_sku_key UNIQUE (company_id, sku)
);
CREATE UNIQUE INDEX products_plu_key ON products (company_id, plu) WHERE plu IS NOT NULL;
CREATE INDEX products_change_idx ON products (company_id, change_seq);
CREATE INDEX products_category_idx ON products (category_id);
CREATE INDEX products_brand_idx ON products (company_id, brand);

-- Substring search (≥ 3 characters) over sku, names and pinyin, kept in step by triggers.
CREATE VIRTUAL TABLE product_search USING fts5(search_text, tokenize = 'trigram');
CREATE TRIGGER products_search_insert AFTER INSERT ON products BEGIN
    INSERT INTO product_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER products_search_update AFTER UPDATE OF search_text ON products BEGIN
    UPDATE product_search SET search_text = new.search_text WHERE rowid = new.rowid;
END;
CREATE TRIGGER products_search_delete AFTER DELETE ON products BEGIN
    DELETE FROM product_search WHERE rowid = old.rowid;
END;

CREATE TABLE barcodes (
    company_id  TEXT NOT NULL REFERENCES companies(id),
    code        TEXT NOT NULL,
    product_id  TEXT NOT NULL REFERENCES products(id),
    kind        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (company_id, code)
);
CREATE INDEX barcodes_product_idx ON barcodes (product_id);

CREATE TABLE price_lists (
    id             TEXT PRIMARY KEY,
    company_id     TEXT NOT NULL REFERENCES companies(id),
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    channel_id     TEXT REFERENCES channels(id),
    store_id       TEXT REFERENCES stores(id),
    region_id      TEXT REFERENCES regions(id),
    customer_tier  TEXT,
    valid_from     TEXT,
    valid_to       TEXT,
    priority       INTEGER NOT NULL DEFAULT 0,
    active         INTEGER NOT NULL DEFAULT 1,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CONSTRAINT price_lists_code_key UNIQUE (company_id, code)
);

CREATE TABLE price_list_items (
    price_list_id  TEXT NOT NULL REFERENCES price_lists(id),
    product_id     TEXT NOT NULL REFERENCES products(id),
    price_minor    INTEGER NOT NULL CHECK (price_minor >= 0),
    PRIMARY KEY (price_list_id, product_id)
);
CREATE INDEX price_list_items_product_idx ON price_list_items (product_id);

CREATE TABLE scale_formats (
    id            TEXT PRIMARY KEY,
    company_id    TEXT NOT NULL REFERENCES companies(id),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    plu_digits    INTEGER NOT NULL,
    value_kind    TEXT NOT NULL,
    value_digits  INTEGER NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CONSTRAINT scale_formats_code_key UNIQUE (company_id, code)
);

-- The catalog's change counter per company. Taking it with an UPDATE in every catalog write
-- serializes those writes, so change numbers are in commit order and a register that synced
-- up to N never misses a change numbered N or below.
CREATE TABLE catalog_head (
    company_id  TEXT PRIMARY KEY REFERENCES companies(id),
    seq         INTEGER NOT NULL
);
