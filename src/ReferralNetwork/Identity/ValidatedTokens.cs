using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using static OpenIddict.Validation.OpenIddictValidationEvents;

namespace ReferralNetwork.Identity;

/// <summary>
/// Access tokens already validated, by the SHA-256 of the token, for at most <see cref="Lifetime"/> and never past the
/// token's own expiry: a partner's system sends the same token with every call, and checking its RS256 signature and
/// parsing its JSON again each time is most of what authentication costs. Only the signature check and the parsing are
/// skipped: every other step of OpenIddict's validation (expiry, audience, token type) and the revocation list of people
/// and clients still run on each request, on a copy of the principal. A token is kept only once it has passed them all.
/// </summary>
public sealed class ValidatedTokens(TimeProvider time)
{
    /// <summary>How long a validated token is trusted without its signature being checked again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    /// <summary>Beyond this many tokens the expired ones are dropped, and if that is not enough, all of them.</summary>
    public const int Capacity = 20_000;

    private const string FromCache = ".rn_token_from_cache";
    private const string ValidatedPrincipal = ".rn_token_principal";

    private readonly ConcurrentDictionary<string, Entry> _tokens = new(StringComparer.Ordinal);
    private long _hits;

    /// <summary>How many validations were answered from here (for tests and the benchmark's notes).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    public ClaimsPrincipal? Find(string token)
    {
        if (!_tokens.TryGetValue(KeyOf(token), out var entry))
        {
            return null;
        }

        if (entry.Until <= time.GetUtcNow())
        {
            _tokens.TryRemove(KeyOf(token), out _);
            return null;
        }

        Interlocked.Increment(ref _hits);
        return Copy(entry.Principal);
    }

    /// <summary>Keeps <paramref name="principal"/> (as the signature check made it) until the earlier of the lifetime and <paramref name="expires"/>.</summary>
    public void Keep(string token, ClaimsPrincipal principal, DateTimeOffset? expires)
    {
        var now = time.GetUtcNow();
        var until = now + Lifetime;
        if (expires is { } expiry && expiry < until)
        {
            until = expiry;
        }

        if (until <= now)
        {
            return;
        }

        if (_tokens.Count >= Capacity)
        {
            Prune(now);
        }

        _tokens[KeyOf(token)] = new Entry(Copy(principal), until);
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, entry) in _tokens)
        {
            if (entry.Until <= now)
            {
                _tokens.TryRemove(key, out _);
            }
        }

        if (_tokens.Count >= Capacity)
        {
            _tokens.Clear();
        }
    }

    /// <summary>A deep copy: <see cref="ClaimsPrincipal.Clone"/> shares the identities, which later steps add claims to.</summary>
    private static ClaimsPrincipal Copy(ClaimsPrincipal principal) => new(principal.Identities.Select(i => i.Clone()));

    private static string KeyOf(string token) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private sealed record Entry(ClaimsPrincipal Principal, DateTimeOffset Until);

    /// <summary>Just before the signature check: a token validated lately gets a copy of its principal, and the check is skipped.</summary>
    internal sealed class Restore(ValidatedTokens tokens) : IOpenIddictValidationHandler<ValidateTokenContext>
    {
        public static int Order => OpenIddictValidationHandlers.Protection.ValidateIdentityModelToken.Descriptor.Order - 1;

        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (context.Principal is null && !string.IsNullOrEmpty(context.Token) && tokens.Find(context.Token) is { } principal)
            {
                context.Principal = principal;
                context.Transaction.Properties[FromCache] = true;
            }

            return default;
        }
    }

    /// <summary>Right after the signature check: the principal as the check made it, before the later steps add to it.</summary>
    internal sealed class Capture : IOpenIddictValidationHandler<ValidateTokenContext>
    {
        public static int Order => OpenIddictValidationHandlers.Protection.ValidateIdentityModelToken.Descriptor.Order + 1;

        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (context.Principal is { } principal && !context.Transaction.Properties.ContainsKey(FromCache))
            {
                context.Transaction.Properties[ValidatedPrincipal] = Copy(principal);
            }

            return default;
        }
    }

    /// <summary>At the end: a token that passed every step (the revocation list included) is kept.</summary>
    internal sealed class KeepValidated(ValidatedTokens tokens) : IOpenIddictValidationHandler<ValidateTokenContext>
    {
        public static int Order => int.MaxValue - 1_000;

        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (!context.IsRejected && !string.IsNullOrEmpty(context.Token)
                && context.Transaction.Properties.TryGetValue(ValidatedPrincipal, out var value) && value is ClaimsPrincipal principal)
            {
                tokens.Keep(context.Token, principal, context.Principal?.GetExpirationDate());
            }

            return default;
        }
    }
}
