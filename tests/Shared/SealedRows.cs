using Microsoft.Data.Sqlite;
using ReferralNetwork.Storage.Protection;

namespace ReferralNetwork.Testing;

/// <summary>What the embedded profile's grain storage shows of its encryption without any key: the key id in each row's header.</summary>
public static class SealedRows
{
    /// <summary>The key id that sealed each grain row of the data folder (null for a row in plain text); read-only, so the platform may run.</summary>
    public static List<string?> KeyIds(string dataFolder)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataFolder, "grains.db")};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT PayloadBinary FROM OrleansStorage WHERE PayloadBinary IS NOT NULL";
        using var reader = command.ExecuteReader();
        var keys = new List<string?>();
        while (reader.Read())
        {
            keys.Add(ProtectedStateSerializer.KeyIdOf((byte[])reader[0]));
        }

        return keys;
    }
}
