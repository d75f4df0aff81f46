namespace ReferralNetwork.Client;

/// <summary>Where the platform is, who the partner system is, and how patient the client is with it.</summary>
public sealed class ReferralNetworkClientOptions
{
    /// <summary>The platform's address, e.g. <c>https://referrals.example.org/</c>; the API and <c>/connect/token</c> are below it.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The OAuth client id an organization's admin created for this system (<c>POST /api/v1/clients</c>).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Its secret. Keep it in a secret store, never in source control or a URL.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>Scopes to ask for, space-separated; empty asks for every scope of the client but <c>admin</c>.</summary>
    public string? Scope { get; set; }

    /// <summary>A token is renewed this long before it expires, so that no request goes out with one about to lapse.</summary>
    public TimeSpan RenewBeforeExpiry { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Retries of a request that is safe to repeat (see the README) after a connection failure, a timeout, 408, 429 or 5xx.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first delay between retries; it doubles, with jitter, unless the platform says <c>Retry-After</c>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one attempt may take before it counts as failed (and, when safe, is retried).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock tokens are renewed by; tests move it.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal Uri TokenEndpoint => new(Root, "connect/token");

    internal Uri Root
    {
        get
        {
            var address = BaseAddress ?? throw new InvalidOperationException($"{nameof(ReferralNetworkClientOptions)}.{nameof(BaseAddress)} is required.");
            return address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
        }
    }

    internal void Validate()
    {
        _ = Root;
        if (string.IsNullOrWhiteSpace(ClientId) || string.IsNullOrEmpty(ClientSecret))
        {
            throw new InvalidOperationException($"{nameof(ReferralNetworkClientOptions)} needs {nameof(ClientId)} and {nameof(ClientSecret)}.");
        }
    }
}
