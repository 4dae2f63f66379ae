-- Search-as-you-type on a large catalog. A GIN index buffers new entries in a "pending list"
-- (up to 4 MB by default) that every search reads in full: right after an import of 100,000
-- products a 3-letter search that matches nothing took 12 ms in that list alone (0.15 ms once
-- it was merged). A 256 kB limit keeps the list short; large imports also merge it at once.
ALTER INDEX products_search_trgm SET (gin_pending_list_limit = 256);
SELECT gin_clean_pending_list('products_search_trgm'::regclass);
