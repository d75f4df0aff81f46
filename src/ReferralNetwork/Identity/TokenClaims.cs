namespace ReferralNetwork.Identity;

/// <summary>What our access tokens carry besides scopes: claim types and the audience.</summary>
public static class TokenClaims
{
    public const string Organization = "org";
    public const string Country = "country";
    public const string OrganizationKind = "org_kind";

    /// <summary>Whose token it is: <see cref="PersonSubject"/> for a person; absent for a system (client credentials).</summary>
    public const string SubjectKind = "sub_kind";

    public const string PersonSubject = "person";

    /// <summary>A person's role in the organization (one claim per role): officer, supervisor, organization-admin, secretariat-admin.</summary>
    public const string PersonRole = "person_role";

    /// <summary>The audience of our access tokens; partners validating them check it too.</summary>
    public const string Audience = "referral-network-api";
}
