-- Nothing to change on PostgreSQL: SQLite's 0022 makes its product rollups WITHOUT ROWID tables
-- (clustered by their key); PostgreSQL's tables are heaps with their primary-key index either way.
-- Kept so that both migration folders stay numbered alike.
SELECT 1;
