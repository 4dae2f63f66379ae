-- PostgreSQL only (prefix indexes on the keys of the search text, read before the trigram
-- index); SQLite's search reads its FTS5 trigram index alone and is within its target
-- (docs/benchmarks.md, Catalog, session 8). The number is kept in step with migrations/postgres.
SELECT 1;
