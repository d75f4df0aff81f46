using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using ReferralNetwork.Hosting;

namespace ReferralNetwork.Storage;

/// <summary>
/// The embedded profile's online backup (<c>backup &lt;folder&gt;</c>): each SQLite file of the data folder copied while the
/// platform runs, as one consistent snapshot of that file (<c>VACUUM INTO</c>, a read transaction that writers do not
/// wait for), without the keys. The platform's database goes first and the grains' second: a referral acknowledged
/// before the backup began is in both, and one made while it ran can be in the grains without being in the referral
/// index, never the other way (a listed referral whose state is missing).
/// </summary>
public static class EmbeddedBackup
{
    /// <summary>The files of a data folder that a backup holds, in the order they are copied.</summary>
    public static readonly IReadOnlyList<string> Files = ["platform.db", "grains.db"];

    public const string Manifest = "backup.json";

    public static async Task<int> RunAsync(PlatformOptions platform, string target, TextWriter output, CancellationToken cancellationToken = default)
    {
        if (platform.Profile != PlatformProfile.Embedded)
        {
            await output.WriteLineAsync("ReferralNetwork: backup copies the embedded profile's data folder; in production back up both PostgreSQL databases with pg_dump (docs/backups.md).");
            return 2;
        }

        var folder = Path.GetFullPath(target);
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
        {
            await output.WriteLineAsync($"ReferralNetwork: {folder} is not empty; a backup goes into a new or empty folder.");
            return 2;
        }

        var missing = Files.Where(f => !File.Exists(Path.Combine(platform.FullDataPath, f))).ToList();
        if (missing.Count > 0)
        {
            await output.WriteLineAsync($"ReferralNetwork: {platform.FullDataPath} holds no {string.Join(" or ", missing)}: is it the platform's data folder?");
            return 2;
        }

        Directory.CreateDirectory(folder);
        var copied = new List<object>();
        foreach (var file in Files)
        {
            var copy = Path.Combine(folder, file);
            var started = DateTimeOffset.UtcNow;
            await using (var source = new SqliteConnection($"Data Source={Path.Combine(platform.FullDataPath, file)};Default Timeout=30;Pooling=False"))
            {
                await source.OpenAsync(cancellationToken);
                await using var vacuum = source.CreateCommand();
                vacuum.CommandText = "VACUUM INTO $copy;";
                vacuum.Parameters.AddWithValue("$copy", copy);
                await vacuum.ExecuteNonQueryAsync(cancellationToken);
            }

            string sha256;
            long length;
            await using (var written = File.OpenRead(copy))
            {
                sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(written, cancellationToken));
                length = written.Length;
            }

            copied.Add(new { file, snapshotAt = started, bytes = length, sha256 });
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ReferralNetwork: {file} copied ({length / 1024.0 / 1024.0:0.0} MiB)."));
        }

        await File.WriteAllTextAsync(Path.Combine(folder, Manifest), JsonSerializer.Serialize(new
        {
            createdAt = DateTimeOffset.UtcNow,
            files = copied,
            keys = "not included: restore needs the data folder's keys/ from their own backup",
        }, new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        await output.WriteLineAsync(
            $"ReferralNetwork: backup in {folder}. It holds sealed rows only; the keys (keys/ of the data folder) are not in it: keep them in a backup of their own, never beside this one.");
        return 0;
    }
}
