-- Foundation: organisation, users, sessions, API keys, approvals, audit trail, idempotency.
-- Ids are UUIDv7 text; timestamps are UTC RFC 3339 text with microseconds (they sort as text);
-- flags are 0/1 integers (the same on both backends).

CREATE TABLE companies (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    currency        TEXT NOT NULL,
    default_locale  TEXT NOT NULL,
    tax_mode        TEXT NOT NULL,
    rounding_rule   TEXT NOT NULL,
    time_zone       TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE regions (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL REFERENCES companies(id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT regions_code_key UNIQUE (company_id, code)
);

CREATE TABLE stores (
    id                       TEXT PRIMARY KEY,
    company_id               TEXT NOT NULL REFERENCES companies(id),
    region_id                TEXT REFERENCES regions(id),
    code                     TEXT NOT NULL,
    name                     TEXT NOT NULL,
    kind                     TEXT NOT NULL CHECK (kind IN ('store', 'warehouse')),
    address                  TEXT NOT NULL DEFAULT '',
    time_zone                TEXT NOT NULL,
    business_day_cutoff_hour BIGINT NOT NULL CHECK (business_day_cutoff_hour BETWEEN 0 AND 23),
    cash_rounding            TEXT NOT NULL,
    negative_stock_policy    TEXT NOT NULL,
    active                   BIGINT NOT NULL DEFAULT 1,
    version                  BIGINT NOT NULL DEFAULT 1,
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL,
    CONSTRAINT stores_code_key UNIQUE (company_id, code)
);
CREATE INDEX stores_region_idx ON stores (region_id);

CREATE TABLE registers (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL REFERENCES companies(id),
    store_id    TEXT NOT NULL REFERENCES stores(id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    active      BIGINT NOT NULL DEFAULT 1,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT registers_code_key UNIQUE (store_id, code)
);

CREATE TABLE channels (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL REFERENCES companies(id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    active      BIGINT NOT NULL DEFAULT 1,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT channels_code_key UNIQUE (company_id, code)
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    company_id     TEXT NOT NULL REFERENCES companies(id),
    username       TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    phone          TEXT,
    locale         TEXT NOT NULL,
    role           TEXT NOT NULL,
    active         BIGINT NOT NULL DEFAULT 1,
    password_hash  TEXT NOT NULL,
    pin_hash       TEXT,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username)
);

CREATE TABLE user_stores (
    user_id   TEXT NOT NULL REFERENCES users(id),
    store_id  TEXT NOT NULL REFERENCES stores(id),
    PRIMARY KEY (user_id, store_id)
);
CREATE INDEX user_stores_store_idx ON user_stores (store_id);

CREATE TABLE user_regions (
    user_id    TEXT NOT NULL REFERENCES users(id),
    region_id  TEXT NOT NULL REFERENCES regions(id),
    PRIMARY KEY (user_id, region_id)
);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    csrf_hash     TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users(id),
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    ended_at      TEXT,
    client_ip     TEXT
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    company_id    TEXT NOT NULL REFERENCES companies(id),
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    key_hash      TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    created_by    TEXT NOT NULL REFERENCES users(id),
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);

CREATE TABLE api_key_stores (
    api_key_id  TEXT NOT NULL REFERENCES api_keys(id),
    store_id    TEXT NOT NULL REFERENCES stores(id),
    PRIMARY KEY (api_key_id, store_id)
);

CREATE TABLE api_key_regions (
    api_key_id  TEXT NOT NULL REFERENCES api_keys(id),
    region_id   TEXT NOT NULL REFERENCES regions(id),
    PRIMARY KEY (api_key_id, region_id)
);

CREATE TABLE login_failures (
    id         TEXT PRIMARY KEY,
    username   TEXT NOT NULL,
    client_ip  TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX login_failures_username_idx ON login_failures (username, at);
CREATE INDEX login_failures_ip_idx ON login_failures (client_ip, at);

CREATE TABLE approvals (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL REFERENCES companies(id),
    store_id     TEXT NOT NULL REFERENCES stores(id),
    action       TEXT NOT NULL,
    approver_id  TEXT NOT NULL REFERENCES users(id),
    requested_by TEXT,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    consumed_at  TEXT
);

CREATE TABLE audit_log (
    seq          BIGINT PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    at           TEXT NOT NULL,
    company_id   TEXT,
    actor_kind   TEXT NOT NULL,
    actor_id     TEXT,
    actor_name   TEXT,
    action       TEXT NOT NULL,
    target_type  TEXT,
    target_id    TEXT,
    store_id     TEXT,
    details      TEXT NOT NULL,
    client_ip    TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_log_company_idx ON audit_log (company_id, seq);

-- The head of the chain; updating it serializes appenders.
CREATE TABLE audit_head (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    seq        BIGINT NOT NULL,
    last_hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE idempotency_keys (
    principal        TEXT NOT NULL,
    idem_key         TEXT NOT NULL,
    request_hash     TEXT NOT NULL,
    lock_token       TEXT NOT NULL,
    locked_until     TEXT NOT NULL,
    response_status  BIGINT,
    response_body    TEXT,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
