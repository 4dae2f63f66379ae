-- Nothing to change on PostgreSQL: SQLite's 0023 replaces its movement index by (location,
-- product, at) with a chain of movements per level and an index by (location, at). PostgreSQL
-- keeps the index. Kept so that both migration folders stay numbered alike.
SELECT 1;
