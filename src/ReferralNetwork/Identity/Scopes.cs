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
}
