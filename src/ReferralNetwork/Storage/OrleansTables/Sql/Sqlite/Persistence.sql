-- Grain state for AdoNetGrainStorage (Orleans 10.4.x) on SQLite (invariant "System.Data.SQLite").
--
-- Contract with the provider (Orleans.Storage.AdoNetGrainStorage):
--   parameters  @GrainIdHash @GrainIdN0 @GrainIdN1 @GrainTypeHash @GrainTypeString
--               @GrainIdExtensionString @ServiceId, plus @GrainStateVersion and @PayloadBinary
--   results     read: PayloadBinary, Version; write: NewGrainStateVersion;
--               clear and delete: the new version in the first column.
--   Every write, clear and delete returns exactly one row; NULL there means "version
--   conflict", which the provider turns into InconsistentStateException. (Returning no row
--   would let a conflicting first write pass unnoticed when the grain's ETag is null.)
--
-- A missing key extension is stored as '' rather than NULL so that the primary key, where
-- NULLs never compare equal, can resolve a concurrent first write through ON CONFLICT.
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            INTEGER NOT NULL,
    GrainTypeHash          INTEGER NOT NULL,
    ServiceId              TEXT    NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainIdExtensionString TEXT    NOT NULL,
    PayloadBinary          BLOB    NULL,
    ModifiedOn             TEXT    NOT NULL,
    Version                INTEGER NOT NULL,
    PRIMARY KEY (GrainIdHash, GrainTypeHash, ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString)
);

-- Insert when the grain has never been written (@GrainStateVersion IS NULL), otherwise update
-- only the row still at @GrainStateVersion. One upsert statement, so changes() afterwards tells
-- whether the write happened and the new version follows from the expected one.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
INSERT INTO OrleansStorage
    (GrainIdHash, GrainTypeHash, ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString,
     PayloadBinary, ModifiedOn, Version)
SELECT
    @GrainIdHash, @GrainTypeHash, @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, IFNULL(@GrainIdExtensionString, ''''),
    @PayloadBinary, CURRENT_TIMESTAMP, 1
WHERE @GrainStateVersion IS NULL
    OR EXISTS
    (
        SELECT 1 FROM OrleansStorage
        WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND ServiceId = @ServiceId
            AND GrainTypeString = @GrainTypeString AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
            AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, '''')
    )
ON CONFLICT (GrainIdHash, GrainTypeHash, ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString)
DO UPDATE SET
    PayloadBinary = excluded.PayloadBinary,
    ModifiedOn = excluded.ModifiedOn,
    Version = OrleansStorage.Version + 1
WHERE OrleansStorage.Version = @GrainStateVersion;

SELECT CASE WHEN changes() = 1 THEN IFNULL(@GrainStateVersion, 0) + 1 END AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND ServiceId = @ServiceId
    AND GrainTypeString = @GrainTypeString AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
    AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, '''');
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- ClearStateAsync with DeleteStateOnClear = false (the default): keep the row, drop the payload
-- and bump the version, so a writer holding the old ETag still conflicts.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
UPDATE OrleansStorage
SET PayloadBinary = NULL, ModifiedOn = CURRENT_TIMESTAMP, Version = Version + 1
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND ServiceId = @ServiceId
    AND GrainTypeString = @GrainTypeString AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
    AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, '''')
    AND Version = @GrainStateVersion;

SELECT CASE WHEN changes() = 1 THEN @GrainStateVersion + 1 END AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- ClearStateAsync with DeleteStateOnClear = true (Orleans' own SQLite script has no such query,
-- so the provider refuses that option there). The provider only needs a value that differs from
-- the old ETag; it then forgets the ETag, and the next write inserts afresh at version 1.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', '
DELETE FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND ServiceId = @ServiceId
    AND GrainTypeString = @GrainTypeString AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
    AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, '''')
    AND Version = @GrainStateVersion;

SELECT CASE WHEN changes() = 1 THEN @GrainStateVersion + 1 END AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Event recovery (Referrals/EventRecovery.cs) looks for referrals written since its last sweep.
CREATE INDEX IF NOT EXISTS IX_OrleansStorage_ModifiedOn ON OrleansStorage (ModifiedOn);
