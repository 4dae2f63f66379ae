-- Search-as-you-type on PostgreSQL: the planner picks, per query, between a sequential scan that
-- stops at the first 300 hits and a bitmap scan of the trigram index, from its estimate of how
-- many products match `search_text LIKE '%abc%'` — read from the column's histogram. With the
-- default 100 entries that estimate depends on ANALYZE's sample: at 1,000,000 products, over
-- five ANALYZE runs the benchmark's slowest 3-letter query took 23-29 ms (a sequential scan that
-- read ~60,000 rows for 300 sparse hits, or a bitmap of 50,000 index entries for a dense one),
-- 6-25 ms with 300 entries and 6-9 ms with 1,000 (docs/benchmarks.md, Catalog, session 9).
-- Planning costs ~0.3 ms more per search; ANALYZE samples 300,000 rows instead of 30,000.
ALTER TABLE products ALTER COLUMN search_text SET STATISTICS 1000;
ANALYZE products;
