using System.Text.RegularExpressions;
using Npgsql;
using ReferralNetwork.Hosting;

namespace ReferralNetwork.Subjects;

/// <summary>
/// The <c>Residency</c> configuration section: <c>Residency:&lt;country&gt;</c> is the connection string of the store that
/// keeps the subject compartments (identity and documents) of the people identified in that country. A country without
/// an entry keeps them in the shared grain store; the workflow (referrals, events, read models) is shared either way.
/// </summary>
public sealed partial class ResidencyOptions
{
    public const string Section = "Residency";

    private ResidencyOptions(IReadOnlyDictionary<string, string> stores, IReadOnlyList<string> refusals)
    {
        Stores = stores;
        Refusals = refusals;
    }

    /// <summary>Connection string by country code (ISO 3166-1 alpha-2, upper case).</summary>
    public IReadOnlyDictionary<string, string> Stores { get; }

    /// <summary>Why the section cannot be used as it is, each naming its setting; empty when it can.</summary>
    public IReadOnlyList<string> Refusals { get; }

    public static ResidencyOptions None { get; } = new(new Dictionary<string, string>(), []);

    /// <summary>Stores as given, unchecked (the grain test cluster's SQLite files).</summary>
    public static ResidencyOptions Of(IReadOnlyDictionary<string, string> stores) => new(stores, []);

    public static ResidencyOptions From(IConfiguration configuration, PlatformProfile profile)
    {
        var stores = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var refusals = new List<string>();
        foreach (var entry in configuration.GetSection(Section).GetChildren())
        {
            var setting = $"{Section}:{entry.Key}";
            if (entry.GetChildren().Any())
            {
                refusals.Add($"{setting} has settings under it; each entry is one country's connection string, e.g. {Section}:TH=\"Host=...;Database=...\".");
                continue;
            }

            if (!CountryCode().IsMatch(entry.Key))
            {
                refusals.Add($"{setting} does not name a country: the key is a country code of two letters (ISO 3166-1 alpha-2, e.g. {Section}:TH).");
                continue;
            }

            var country = entry.Key.ToUpperInvariant();
            if (string.IsNullOrWhiteSpace(entry.Value))
            {
                refusals.Add($"{setting} is empty: name the connection string of the store for {country}'s subject compartments, or remove the setting to keep them in the shared store.");
                continue;
            }

            if (profile == PlatformProfile.Embedded)
            {
                refusals.Add(
                    $"{setting} is set, but the embedded profile keeps every subject compartment in its data folder's grains.db, on the one machine " +
                    "it runs on: a store of a country's own needs the production profile (PostgreSQL). Remove the setting, or run the production profile.");
                continue;
            }

            if (UnusablePostgres(entry.Value) is { } problem)
            {
                refusals.Add($"{setting} is not a usable PostgreSQL connection string: {problem}");
                continue;
            }

            stores[country] = entry.Value;
        }

        return new ResidencyOptions(stores, refusals);
    }

    /// <summary>Stops start-up (and every command) on an unusable entry, naming it: a compartment must never land in the wrong store.</summary>
    public void ThrowIfUnusable()
    {
        if (Refusals.Count > 0)
        {
            throw new StartupRefusedException(
                "ReferralNetwork refuses to start: the Residency section is not usable.",
                Refusals,
                "Residency:<country> is the connection string of the store of that country's subject compartments (docs/residency.md).");
        }
    }

    /// <summary>The country whose store a compartment belongs in, or null for the shared store.</summary>
    public string? StoreOf(string? country) =>
        country is { Length: > 0 } && Stores.ContainsKey(country) ? country : null;

    private static string? UnusablePostgres(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(builder.Host) ? "it names no Host." : string.IsNullOrWhiteSpace(builder.Database) ? "it names no Database." : null;
        }
        catch (ArgumentException e)
        {
            // Npgsql names the unknown keyword, never a value (which may be a password).
            return e.Message;
        }
        catch (FormatException)
        {
            return "a value is not of its keyword's type (a number for Port, say).";
        }
    }

    [GeneratedRegex("^[A-Za-z]{2}$")]
    private static partial Regex CountryCode();
}
