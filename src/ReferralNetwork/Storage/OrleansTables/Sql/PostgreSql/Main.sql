-- The named queries every Orleans ADO.NET provider loads from this table when it starts.
-- Each provider script upserts its own rows, so re-running a script replaces stale query text.
-- Query text is dollar-quoted ($q$ ... $q$) so it needs no escaping.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);
