namespace ReferralNetwork.Identity;

/// <summary>What our access tokens carry besides scopes: claim types and the audience.</summary>
public static class TokenClaims
{
    public const string Organization = "org";
    public const string Country = "country";
    public const string OrganizationKind = "org_kind";

    /// <summary>The audience of our access tokens; partners validating them check it too.</summary>
    public const string Audience = "referral-network-api";
}
