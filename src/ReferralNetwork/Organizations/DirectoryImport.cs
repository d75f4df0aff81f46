using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using ReferralNetwork.Contracts;
using ReferralNetwork.Hosting;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Organizations;

/// <summary>
/// The <c>import-directory &lt;file&gt;</c> command: how an operator registers countries, organizations and
/// partner OAuth clients in a production database, which seeds nothing. Adds what is missing and leaves
/// what exists untouched, so the same file can be imported again. A client without a secret in the file
/// gets a generated one, printed once.
/// </summary>
/// <example>
/// <code>
/// {
///   "countries": [{ "code": "TH", "name": "Thailand" }],
///   "organizations": [{ "id": "th-focal-point", "name": "Thailand national focal point", "country": "TH", "kind": "focal-point",
///                       "services": [{ "service": "shelter", "capacity": 40 }] },
///                     { "id": "th-embassy-cn", "name": "Embassy of China, Bangkok", "country": "TH", "kind": "embassy", "nationalities": ["CN"] }],
///   "clients": [{ "clientId": "th-case-system", "organizationId": "th-focal-point" },
///               { "clientId": "th-case-web", "organizationId": "th-focal-point", "redirectUris": ["https://cases.example.org/signin-oidc"] }]
/// }
/// </code>
/// </example>
public static class DirectoryImport
{
    public sealed record DirectoryFile(List<Country>? Countries, List<Organization>? Organizations, List<ClientEntry>? Clients);

    /// <summary>A system's client (client credentials, secret generated when absent), or with <see cref="RedirectUris"/> a web application people sign in through (public, PKCE, for the organization's people only).</summary>
    public sealed record ClientEntry(string ClientId, string OrganizationId, string? Secret, List<Uri>? RedirectUris = null, List<Uri>? PostLogoutRedirectUris = null);

    /// <summary>
    /// An embassy sits in a tenant country and names the nationalities it handles; an international organization may
    /// name some; no other kind does (a focal point's nationality is its country).
    /// </summary>
    private static IEnumerable<string> NationalityFaults(Organization organization)
    {
        var nationalities = organization.Nationalities ?? [];
        if (organization.Kind == OrganizationKind.Embassy && nationalities.Count == 0)
        {
            yield return $"Embassy {organization.Id} names no nationalities: list the ones it handles, such as [\"CN\"].";
        }

        if (organization.Kind == OrganizationKind.Embassy && organization.Country == Country.Regional)
        {
            yield return $"Embassy {organization.Id} sits in {Country.Regional}: an embassy sits in a country of the platform.";
        }

        if (nationalities.Count > 0 && organization.Kind is not (OrganizationKind.Embassy or OrganizationKind.International))
        {
            yield return $"Organization {organization.Id} names nationalities, which only an embassy or an international organization handles.";
        }

        foreach (var nationality in nationalities.Where(n => n is null || !IsoCountries.Assigned.Contains(n)))
        {
            yield return $"Organization {organization.Id} names nationality {nationality}, which is not an assigned ISO 3166-1 alpha-2 code in capitals (such as CN).";
        }
    }

    public static async Task RunAsync(IServiceProvider services, string path, TextWriter output, CancellationToken cancellationToken = default)
    {
        DirectoryFile file;
        try
        {
            await using var stream = File.OpenRead(path);
            file = await JsonSerializer.DeserializeAsync<DirectoryFile>(stream, Json.Options, cancellationToken)
                ?? throw new JsonException("The file is empty.");
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new StartupRefusedException("import-directory changed nothing: its file cannot be used.", [$"{path} could not be read as a directory file: {e.Message}"]);
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();

        var countries = await db.Countries.Select(c => c.Code).ToListAsync(cancellationToken);
        var organizations = await db.Organizations.AsNoTracking().ToDictionaryAsync(o => o.Id, cancellationToken);

        // Every reference is checked before anything is written, so that a faulty file changes nothing.
        var knownCountries = countries.Concat((file.Countries ?? []).Select(c => c.Code)).ToHashSet();
        var knownOrganizations = organizations.Keys.Concat((file.Organizations ?? []).Select(o => o.Id)).ToHashSet();
        var faults = (file.Organizations ?? []).Where(o => !knownCountries.Contains(o.Country))
            .Select(o => $"Organization {o.Id} names country {o.Country}, which is neither in the database nor in the file.")
            .Concat((file.Organizations ?? []).SelectMany(NationalityFaults))
            .Concat((file.Clients ?? []).Where(c => !knownOrganizations.Contains(c.OrganizationId))
                .Select(c => $"Client {c.ClientId} names organization {c.OrganizationId}, which is neither in the database nor in the file."))
            .ToList();
        if (faults.Count > 0)
        {
            throw new StartupRefusedException("import-directory changed nothing: its file cannot be used.", faults);
        }

        foreach (var country in file.Countries ?? [])
        {
            var added = !countries.Contains(country.Code);
            if (added)
            {
                db.Countries.Add(country);
                countries.Add(country.Code);
            }

            output.WriteLine($"country {country.Code}: {(added ? "added" : "exists")}");
        }

        foreach (var organization in file.Organizations ?? [])
        {
            var added = organizations.TryAdd(organization.Id, organization);
            if (added)
            {
                db.Organizations.Add(organization);
            }

            output.WriteLine($"organization {organization.Id}: {(added ? "added" : "exists")}");
        }

        // Organizations first: a client is only useful once the organization it acts for exists.
        await db.SaveChangesAsync(cancellationToken);

        foreach (var client in file.Clients ?? [])
        {
            var organization = organizations[client.OrganizationId];
            if (client.RedirectUris is { Count: > 0 } redirects)
            {
                var registered = await PartnerClients.CreateSignInClientIfMissingAsync(
                    applications, client.ClientId, organization.Name, organization, redirects, client.PostLogoutRedirectUris ?? [], cancellationToken);
                output.WriteLine($"client {client.ClientId}: {(registered ? $"added for the people of {organization.Id} (sign-in, PKCE, {redirects.Count} redirect URIs)" : "exists")}");
                continue;
            }

            // Hex: a secret that needs no escaping in a form post or a shell.
            var secret = client.Secret ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
            var created = await PartnerClients.CreateIfMissingAsync(applications, client.ClientId, secret, organization, cancellationToken);
            output.WriteLine(created switch
            {
                false => $"client {client.ClientId}: exists (secret unchanged)",
                true when client.Secret is null => $"client {client.ClientId}: added for {organization.Id}, secret {secret} (shown once)",
                true => $"client {client.ClientId}: added for {organization.Id}",
            });
        }
    }
}
