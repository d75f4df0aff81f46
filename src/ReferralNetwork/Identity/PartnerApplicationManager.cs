using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;

namespace ReferralNetwork.Identity;

/// <summary>
/// OpenIddict's application manager, with one addition: after a secret rotation the previous secret (kept hashed
/// like the current one) is accepted too until its grace period ends, so a partner can roll the new one out to its
/// systems without an outage.
/// </summary>
public sealed class PartnerApplicationManager<TApplication>(
    IOpenIddictApplicationCache<TApplication> cache,
    ILogger<OpenIddictApplicationManager<TApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<TApplication> store,
    TimeProvider time)
    : OpenIddictApplicationManager<TApplication>(cache, logger, options, store)
    where TApplication : class
{
    public override async ValueTask<bool> ValidateClientSecretAsync(TApplication application, string secret, CancellationToken cancellationToken = default)
    {
        if (await base.ValidateClientSecretAsync(application, secret, cancellationToken))
        {
            return true;
        }

        var properties = await GetPropertiesAsync(application, cancellationToken);
        return PartnerApplicationManager.PreviousSecretUntil(properties) > time.GetUtcNow()
            && properties.GetValueOrDefault(PartnerApplicationManager.PreviousSecretProperty) is { ValueKind: JsonValueKind.String } previous
            && await ValidateClientSecretAsync(secret, previous.GetString()!, cancellationToken);
    }

    /// <summary>Replaces the client's secret; the one it had stays valid until <paramref name="until"/>.</summary>
    public async Task RotateSecretAsync(TApplication application, string secret, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var descriptor = new OpenIddictApplicationDescriptor();
        await PopulateAsync(descriptor, application, cancellationToken);
        descriptor.Properties[PartnerApplicationManager.PreviousSecretProperty] = JsonSerializer.SerializeToElement(descriptor.ClientSecret);
        descriptor.Properties[PartnerApplicationManager.PreviousSecretUntilProperty] = JsonSerializer.SerializeToElement(until.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        descriptor.ClientSecret = secret;
        await UpdateAsync(application, descriptor, cancellationToken);
    }
}

/// <summary>Where a rotated client keeps its previous secret (hashed) and until when it is accepted.</summary>
public static class PartnerApplicationManager
{
    public const string PreviousSecretProperty = "previous_secret";
    public const string PreviousSecretUntilProperty = "previous_secret_until";

    public static DateTimeOffset? PreviousSecretUntil(IReadOnlyDictionary<string, JsonElement> properties) =>
        properties.GetValueOrDefault(PreviousSecretUntilProperty) is { ValueKind: JsonValueKind.String } until
        && DateTimeOffset.TryParse(until.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;
}
