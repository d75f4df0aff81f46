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

    /// <summary>The services it provides; an offer asking for anything else is declined.</summary>
    public List<ServiceKind> Services { get; set; } = [];

    public Uri WebhookUrl => new(PublicUrl ?? throw new InvalidOperationException("Shelter:PublicUrl is required."), ShelterApp.WebhookPath.TrimStart('/'));
}
