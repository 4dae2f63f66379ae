-- RFM scores move out of the customers table into a narrow table of their own. Recomputing
-- them rewrote the wide customer rows (about 400 bytes and seven indexes each, one random page
-- per member at millions of members); here a member's scores are a ~100-byte row that fits in
-- memory for the whole chain, and the register's updates of balances never touch it.
-- A row exists for every active member with at least one purchase, as of the last recompute.
-- No foreign key to customers: customers are never deleted (merged and erased ones stay), and
-- a key check would lock (and so write) each member's customer row on every insert, which is
-- the cost this table removes. The recompute deletes the rows of members no longer active;
-- merge and erasure delete theirs at once.
CREATE TABLE customer_rfm (
    customer_id  TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL,
    -- Scores 1–5: quintile of the last purchase day, of the number of purchases and of net spend.
    recency      BIGINT NOT NULL,
    frequency    BIGINT NOT NULL,
    monetary     BIGINT NOT NULL,
    -- champions, loyal, potential, new, at_risk, hibernating or lost
    segment      TEXT NOT NULL,
    -- When these scores were last written (unchanged scores are not rewritten).
    computed_at  TEXT NOT NULL
);
-- The customer list's and saved segments' filter by segment.
CREATE INDEX customer_rfm_segment ON customer_rfm (company_id, segment);

INSERT INTO customer_rfm (customer_id, company_id, recency, frequency, monetary, segment, computed_at)
SELECT id, company_id, rfm_recency, rfm_frequency, rfm_monetary, segment, COALESCE(rfm_at, updated_at)
FROM customers
WHERE status = 'active' AND segment IS NOT NULL AND rfm_recency IS NOT NULL
  AND rfm_frequency IS NOT NULL AND rfm_monetary IS NOT NULL;

DROP INDEX customers_segment;
ALTER TABLE customers DROP COLUMN rfm_recency, DROP COLUMN rfm_frequency,
    DROP COLUMN rfm_monetary, DROP COLUMN segment, DROP COLUMN rfm_at;
