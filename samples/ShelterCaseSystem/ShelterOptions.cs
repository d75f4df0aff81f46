using System.Text.Json;
using ReferralNetwork.Client;
using ReferralNetwork.Contracts;

namespace ShelterCaseSystem;

/// <summary>The <c>Shelter</c> section: who the shelter is on the platform, where the platform reaches it, what it has.</summary>
public sealed class ShelterOptions
{
    public const string Section = "Shelter";

    public string OrganizationId { get; set; } = "";

    /// <summary>The address the platform posts webhooks to: this program as the platform sees it (behind a proxy, the proxy's https address).</summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>How many beds the shelter has.</summary>
    public int Beds { get; set; }

    /// <summary>The services it provides, as the API names them (<c>shelter</c>, <c>legal-aid</c>, …); an offer asking for anything else is declined.</summary>
    public List<string> Services { get; set; } = [];

    /// <summary><see cref="Services"/> read as the contract's values; a name the client does not know stops the program at start.</summary>
    public IReadOnlyList<ServiceKind> Provided() =>
    [
        .. Services.Select(name => JsonSerializer.Deserialize<ServiceKind>(JsonSerializer.Serialize(name), ClientJson.Options) is var service && ContractEnums.IsKnown(service)
            ? service
            : throw new InvalidOperationException($"Shelter:Services: '{name}' is not a service of the platform.")),
    ];

    public Uri WebhookUrl => new(PublicUrl ?? throw new InvalidOperationException("Shelter:PublicUrl is required."), ShelterApp.WebhookPath.TrimStart('/'));
}
