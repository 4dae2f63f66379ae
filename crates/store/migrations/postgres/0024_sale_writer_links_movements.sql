-- Nothing to change on PostgreSQL: SQLite's 0024 lets its sale writer link the movement chains
-- of 0023, which PostgreSQL does not have (it keeps an index). Kept so that both migration
-- folders stay numbered alike.
SELECT 1;
