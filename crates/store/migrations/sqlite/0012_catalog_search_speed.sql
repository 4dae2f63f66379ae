-- Search-as-you-type on a large catalog: the PostgreSQL migration of this number bounds the
-- trigram index's pending list. SQLite's FTS5 index has no such list; nothing to change here.
SELECT 1;
