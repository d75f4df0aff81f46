using ReferralNetwork.Hosting;

namespace ReferralNetwork.Storage.Protection;

/// <summary>The <c>Protection</c> configuration section: where the key ring of encryption at rest is.</summary>
public sealed class ProtectionOptions
{
    public const string Section = "Protection";

    /// <summary>
    /// The key-ring file (production: a mounted secret, kept apart from every backup of the data). Unset in the
    /// embedded profile: a development ring is generated once into the data folder's <c>keys/</c>.
    /// </summary>
    public string? KeyRingPath { get; set; }
}

/// <summary>
/// Encryption at rest for every store the platform writes: the key ring is loaded once per process and serves the
/// grain storage (<see cref="ProtectedStateSerializer"/>) and the subject compartment's own envelope.
/// </summary>
public static class StorageProtection
{
    public const string DevelopmentRingFile = "key-ring.json";

    public static WebApplicationBuilder AddStorageProtection(this WebApplicationBuilder builder, PlatformOptions platform)
    {
        var protector = new EnvelopeProtector(RingFor(builder.Configuration, platform));
        ((IHostApplicationBuilder)builder).Properties[typeof(EnvelopeProtector)] = protector;
        builder.Services.AddSingleton(protector);
        return builder;
    }

    /// <summary>The process's protector, as <see cref="AddStorageProtection"/> made it.</summary>
    public static EnvelopeProtector Of(IHostApplicationBuilder builder) =>
        builder.Properties.TryGetValue(typeof(EnvelopeProtector), out var protector)
            ? (EnvelopeProtector)protector
            : throw new InvalidOperationException("AddStorageProtection must come before the silo.");

    /// <summary>The ring file the platform uses: configured, or the embedded profile's development one.</summary>
    public static string RingPath(IConfiguration configuration, PlatformOptions platform) =>
        Options(configuration).KeyRingPath is { Length: > 0 } path ? path : Path.Combine(platform.FullDataPath, "keys", DevelopmentRingFile);

    /// <summary>What production refuses: no ring, an unreadable one, or a development one.</summary>
    public static IEnumerable<string> ProductionRefusals(IConfiguration configuration)
    {
        var path = Options(configuration).KeyRingPath;
        if (path is not { Length: > 0 })
        {
            yield return $"{ProtectionOptions.Section}:KeyRingPath is not set: identities and free text are encrypted at rest under a key ring " +
                "that every silo loads from the same mounted secret (never generated on a silo, never stored with the data).";
            yield break;
        }

        KeyRing ring;
        string? problem = null;
        try
        {
            ring = KeyRing.Load(path);
            if (ring.IsDevelopment)
            {
                problem = $"{ProtectionOptions.Section}:KeyRingPath names a development key ring ({path}); create the production ring as the chart's README shows.";
            }
        }
        catch (KeyRingException e)
        {
            problem = $"{ProtectionOptions.Section}:KeyRingPath names '{path}', which is not a usable key ring: {string.Join(" ", e.Problems)}";
        }

        if (problem is not null)
        {
            yield return problem;
        }
    }

    private static KeyRing RingFor(IConfiguration configuration, PlatformOptions platform)
    {
        if (platform.Profile == PlatformProfile.Production)
        {
            // A refused configuration never reaches a built host (Program refuses it once every feature is added):
            // an ephemeral ring stands in until then, rather than failing before the refusal can say why.
            return ProductionRefusals(configuration).Any() ? KeyRing.Create() : KeyRing.Load(Options(configuration).KeyRingPath!);
        }

        var path = RingPath(configuration, platform);
        return Options(configuration).KeyRingPath is { Length: > 0 } ? KeyRing.Load(path) : KeyRing.GenerateDevelopment(path);
    }

    private static ProtectionOptions Options(IConfiguration configuration) =>
        configuration.GetSection(ProtectionOptions.Section).Get<ProtectionOptions>() ?? new ProtectionOptions();
}
