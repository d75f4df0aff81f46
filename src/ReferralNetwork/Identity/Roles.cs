using System.Text.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Http;

namespace ReferralNetwork.Identity;

/// <summary>A person's roles in their organization (a person may hold several). Systems (OAuth clients) have none.</summary>
[Flags]
public enum PersonRoles
{
    None = 0,
    Officer = 1,
    Supervisor = 2,
    OrganizationAdmin = 4,
    SecretariatAdmin = 8,
}

/// <summary>What a role may be allowed to do: the rows of the roles table, one value per action a person can take.</summary>
public enum CaseAction
{
    ReadReferrals,
    Create,
    Screen,
    RecordConsent,
    RecordService,
    Offer,
    Answer,
    VerifyNationality,
    PlanReturn,
    ConfirmReturn,
    ReadSubject,
    CorrectSubject,
    AddDocument,
    ReadAccessLog,
    Withdraw,
    Close,
    ConsentOverride,
    EmergencyAccess,
    GroupOperations,
    ManagePeople,
    ManageClients,
    ManageWebhooks,
    ManageCapacity,
    ManageDirectory,
}

/// <summary>
/// The roles table: what each role of a person may do. A role narrows what the organization's kind allows (the
/// scopes its tokens may carry), never widens it; a system acting for the organization has no role and is bound by
/// its scopes only.
/// </summary>
public static class RolePermissions
{
    private static readonly CaseAction[] Officer =
    [
        CaseAction.ReadReferrals, CaseAction.Create, CaseAction.Screen, CaseAction.RecordConsent, CaseAction.RecordService,
        CaseAction.Offer, CaseAction.Answer, CaseAction.VerifyNationality, CaseAction.PlanReturn, CaseAction.ConfirmReturn,
        CaseAction.ReadSubject, CaseAction.CorrectSubject, CaseAction.AddDocument, CaseAction.ReadAccessLog,
    ];

    private static readonly CaseAction[] Supervisor =
        [.. Officer, CaseAction.Withdraw, CaseAction.Close, CaseAction.ConsentOverride, CaseAction.EmergencyAccess, CaseAction.GroupOperations];

    private static readonly CaseAction[] OrganizationAdmin =
        [CaseAction.ManagePeople, CaseAction.ManageClients, CaseAction.ManageWebhooks, CaseAction.ManageCapacity];

    private static readonly CaseAction[] SecretariatAdmin = [CaseAction.ManageDirectory];

    public static bool Allows(PersonRoles roles, CaseAction action) =>
        roles.HasFlag(PersonRoles.Officer) && Officer.Contains(action)
        || roles.HasFlag(PersonRoles.Supervisor) && Supervisor.Contains(action)
        || roles.HasFlag(PersonRoles.OrganizationAdmin) && OrganizationAdmin.Contains(action)
        || roles.HasFlag(PersonRoles.SecretariatAdmin) && SecretariatAdmin.Contains(action);

    /// <summary>The scopes a person's roles may use; a person's token carries those the organization's kind allows too.</summary>
    public static IEnumerable<string> ScopesFor(PersonRoles roles)
    {
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        if (roles.HasFlag(PersonRoles.Officer) || roles.HasFlag(PersonRoles.Supervisor))
        {
            scopes.UnionWith([Scopes.ReferralsRead, Scopes.ReferralsWrite, Scopes.SubjectRead, Scopes.DashboardRead]);
        }

        if (roles.HasFlag(PersonRoles.Supervisor))
        {
            scopes.Add(Scopes.ConsentOverride);
        }

        if (roles.HasFlag(PersonRoles.OrganizationAdmin))
        {
            scopes.UnionWith([Scopes.Admin, Scopes.WebhooksManage, Scopes.DirectoryWrite]);
        }

        if (roles.HasFlag(PersonRoles.SecretariatAdmin))
        {
            scopes.UnionWith([Scopes.DirectoryWrite, Scopes.DashboardRead]);
        }

        return scopes;
    }

    /// <summary>The roles' names as tokens and pages show them: <c>officer</c>, <c>organization-admin</c>, …</summary>
    public static IEnumerable<string> Names(PersonRoles roles) =>
        Enum.GetValues<PersonRoles>().Where(r => r != PersonRoles.None && roles.HasFlag(r)).Select(Name);

    public static string Name(PersonRoles role) => JsonNamingPolicy.KebabCaseLower.ConvertName(role.ToString());

    public static PersonRoles Parse(IEnumerable<string> names) =>
        names.Aggregate(PersonRoles.None, (all, name) =>
            all | (Enum.GetValues<PersonRoles>().FirstOrDefault(r => r != PersonRoles.None && Name(r) == name)));

    /// <summary>The lowest role that may do the action, for a refusal that says who can.</summary>
    public static PersonRoles LowestFor(CaseAction action) =>
        new[] { PersonRoles.Officer, PersonRoles.Supervisor, PersonRoles.OrganizationAdmin, PersonRoles.SecretariatAdmin }
            .FirstOrDefault(r => Allows(r, action));
}

public static class CallerPermissions
{
    /// <summary>
    /// Refuses a person whose roles do not allow <paramref name="action"/> (403, saying which role may). Check it
    /// after visibility: a referral the caller cannot see is still a 404.
    /// </summary>
    public static void Require(this Caller caller, CaseAction action)
    {
        if (caller.Person is not null && !RolePermissions.Allows(caller.Roles, action))
        {
            var needed = RolePermissions.LowestFor(action);
            throw ProblemException.OnlyMay(RefusalCode.RoleDoesNotAllow, needed == PersonRoles.None
                ? "No role of a person may do this."
                : $"Only a person with the role {RolePermissions.Name(needed)} (or above) may do this; your roles: {string.Join(", ", RolePermissions.Names(caller.Roles).DefaultIfEmpty("none"))}.");
        }
    }

    /// <summary>Whether the caller may do <paramref name="action"/> as far as its role goes (systems: always).</summary>
    public static bool May(this Caller caller, CaseAction action) => caller.Person is null || RolePermissions.Allows(caller.Roles, action);
}
