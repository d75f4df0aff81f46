using System.Security.Cryptography;
using ReferralNetwork.Hosting;
using ReferralNetwork.Matching.Encoding;

namespace ReferralNetwork.Matching;

/// <summary>
/// The <c>Matching</c> configuration section. <see cref="NetworkKey"/> is a secret of every silo (the HMAC key of the
/// encodings): read from configuration, never logged, never stored with the data. <see cref="ToString"/> names no value.
/// </summary>
public sealed class MatchingOptions
{
    public const string Section = "Matching";

    public const int MinimumKeyBytes = 32;

    /// <summary>Base64 of at least 32 random bytes, the same on every silo of the network. Unset in the embedded profile: a development key is generated into the data folder's <c>keys/</c>.</summary>
    public string? NetworkKey { get; set; }

    /// <summary>Names the key the encodings were made with; a new key gets a new id (the index holds the encodings of one key).</summary>
    public string? NetworkKeyId { get; set; }

    /// <summary>The Dice similarity from which a pair becomes a possible match (docs/matching.md §6–7: 0.85–0.90 at a million encodings).</summary>
    public double Threshold { get; set; } = ClkParameters.Default.MatchThreshold;

    /// <summary>From this similarity a match reads as <c>high</c>, below it as <c>medium</c>.</summary>
    public double HighSimilarity { get; set; } = 0.95;

    /// <summary>The most candidates one search turns into possible matches, best first.</summary>
    public int MaxCandidates { get; set; } = 20;

    /// <summary>How many referrals the encoding pass (<see cref="EncodingPassGrain"/>) takes from the referral index at a time; its progress is saved after each page.</summary>
    public int PassPageSize { get; set; } = 500;

    /// <summary>A pause between two pages of the encoding pass, to spare a busy cluster during a rotation (none by default).</summary>
    public TimeSpan PassPause { get; set; } = TimeSpan.Zero;

    public override string ToString() => $"{nameof(MatchingOptions)} {{ KeyId = {NetworkKeyId}, Threshold = {Threshold} }}";

    public static MatchingOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<MatchingOptions>() ?? new MatchingOptions();

    /// <summary>What is wrong with the settings other than the key, for every profile.</summary>
    public IEnumerable<string> Problems()
    {
        if (Threshold is not (> 0 and <= 1))
        {
            yield return $"{Section}:Threshold is {Threshold}; it is a Dice similarity above 0 and at most 1.";
        }

        if (HighSimilarity is not (> 0 and <= 1))
        {
            yield return $"{Section}:HighSimilarity is {HighSimilarity}; it is a Dice similarity above 0 and at most 1.";
        }

        if (MaxCandidates is < 1 or > 1000)
        {
            yield return $"{Section}:MaxCandidates is {MaxCandidates}; between 1 and 1000.";
        }

        if (PassPageSize is < 1 or > 10_000)
        {
            yield return $"{Section}:PassPageSize is {PassPageSize}; between 1 and 10000.";
        }

        if (PassPause < TimeSpan.Zero)
        {
            yield return $"{Section}:PassPause is {PassPause}; it cannot be negative.";
        }
    }
}

/// <summary>The network key of the encodings, as this process holds it: configured, or the embedded profile's development key.</summary>
public sealed class NetworkKey
{
    public const string DevelopmentFile = "matching-network-key";
    public const string DevelopmentKeyId = "development";

    private NetworkKey(byte[] key, string keyId)
    {
        Bytes = key;
        KeyId = keyId;
    }

    /// <summary>The key itself: only the encoder reads it.</summary>
    internal byte[] Bytes { get; }

    public string KeyId { get; }

    public override string ToString() => $"network key {KeyId}";

    /// <summary>What production refuses: no key, or one that is not base64 of at least 32 bytes. The reasons never quote the value.</summary>
    public static IEnumerable<string> ProductionRefusals(IConfiguration configuration)
    {
        var options = MatchingOptions.From(configuration);
        if (options.NetworkKey is not { Length: > 0 })
        {
            yield return $"{MatchingOptions.Section}:NetworkKey is not set: cross-border duplicates are found by encodings keyed with a network " +
                "secret that every silo holds (base64 of at least 32 random bytes, from a mounted secret; docs/matching.md).";
        }
        else if (Parse(options.NetworkKey) is null)
        {
            yield return $"{MatchingOptions.Section}:NetworkKey is not base64 of at least {MatchingOptions.MinimumKeyBytes} bytes.";
        }

        foreach (var problem in options.Problems())
        {
            yield return problem;
        }
    }

    /// <summary>
    /// The key of this process. Production: the configured one (a refused configuration never reaches a built host, so an
    /// ephemeral key stands in until the refusal is raised). Embedded: the configured one, or a development key generated
    /// once into <c>keys/</c> of the data folder, beside the development key ring.
    /// </summary>
    public static NetworkKey For(IConfiguration configuration, PlatformOptions platform)
    {
        var options = MatchingOptions.From(configuration);
        if (options.NetworkKey is { Length: > 0 } configured)
        {
            return Parse(configured) is { } key
                ? new NetworkKey(key, options.NetworkKeyId is { Length: > 0 } id ? id : "1")
                : platform.Profile == PlatformProfile.Production
                    ? new NetworkKey(RandomNumberGenerator.GetBytes(MatchingOptions.MinimumKeyBytes), "refused")
                    : throw new StartupRefusedException(
                        "ReferralNetwork refuses to start: the matching network key is unusable.",
                        [$"{MatchingOptions.Section}:NetworkKey is not base64 of at least {MatchingOptions.MinimumKeyBytes} bytes."],
                        "Remove the setting to use a development key, or set a key of 32 random bytes or more.");
        }

        return platform.Profile == PlatformProfile.Production
            ? new NetworkKey(RandomNumberGenerator.GetBytes(MatchingOptions.MinimumKeyBytes), "refused")
            : Development(Path.Combine(platform.FullDataPath, "keys", DevelopmentFile));
    }

    /// <summary>A development key in <paramref name="path"/>, generated on first use (development only: production refuses to start without its own).</summary>
    public static NetworkKey Development(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(MatchingOptions.MinimumKeyBytes));
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
                writer.Write(fresh);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process on the same folder wrote it first: use theirs.
            }
        }

        return new NetworkKey(Parse(File.ReadAllText(path).Trim()) ?? throw new InvalidOperationException($"The development network key {path} is damaged; delete it to generate another."), DevelopmentKeyId);
    }

    private static byte[]? Parse(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value.Trim(), buffer, out var written) && written >= MatchingOptions.MinimumKeyBytes ? buffer[..written] : null;
    }
}
