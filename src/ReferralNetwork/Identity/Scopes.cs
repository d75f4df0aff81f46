namespace ReferralNetwork.Identity;

/// <summary>The scopes of DESIGN §3; each is also the name of the authorization policy that requires it.</summary>
public static class Scopes
{
    public const string ReferralsRead = "referrals.read";
    public const string ReferralsWrite = "referrals.write";
    public const string SubjectRead = "subject.read";
    public const string DashboardRead = "dashboard.read";
    public const string Admin = "admin";
    public const string WebhooksManage = "webhooks.manage";
    public const string DirectoryWrite = "directory.write";

    /// <summary>Lets a holder share the subject without a covering consent, with a written reason.</summary>
    public const string ConsentOverride = "consent-override";

    public static readonly IReadOnlyList<string> All = [ReferralsRead, ReferralsWrite, SubjectRead, DashboardRead, Admin, ConsentOverride, WebhooksManage, DirectoryWrite];

    /// <summary>What each scope lets a token do, as the API document tells partners.</summary>
    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>
    {
        [ReferralsRead] = "Read the referrals the organization holds or participates in, their history, and the offers waiting in its inbox.",
        [ReferralsWrite] = "Create referrals and move them through the workflow (screening, consents, handoffs, return, services, closing).",
        [SubjectRead] = "Read a person's identity in the subject compartment, for a stated purpose; every read is recorded.",
        [DashboardRead] = "Read the aggregate dashboards and, for the secretariat, the de-identified case export.",
        [Admin] = "Manage the organization's OAuth clients and people.",
        [ConsentOverride] = "Share the subject without a covering consent, with a written reason.",
        [WebhooksManage] = "Manage the organization's webhook subscriptions and their deliveries.",
        [DirectoryWrite] = "Report the organization's own service capacity.",
    };
}
