-- Nothing to change on SQLite: it has one writer at a time, so events commit in `seq` order
-- and readers go by `seq` alone (PostgreSQL's 0017 adds the inserting transaction's id).
-- Kept so that both migration folders stay numbered alike.
SELECT 1;
