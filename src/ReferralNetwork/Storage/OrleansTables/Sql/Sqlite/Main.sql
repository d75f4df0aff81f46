-- The named queries every Orleans ADO.NET provider loads from this table when it starts.
-- Each provider script upserts its own rows, so re-running a script replaces stale query text.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);
