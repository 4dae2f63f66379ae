-- PostgreSQL only (a larger statistics sample for the search text, 1,000); SQLite keeps no such
-- statistics. The number is kept in step with migrations/postgres.
SELECT 1;
