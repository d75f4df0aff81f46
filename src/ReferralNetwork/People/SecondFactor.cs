using System.Text.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Hosting;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;

namespace ReferralNetwork.People;

/// <summary>Who must sign in with a second factor (<c>Identity:RequireSecondFactorFor</c>).</summary>
public sealed class SecondFactorPolicy(IReadOnlySet<string> required)
{
    public static readonly IReadOnlyList<string> ProductionDefault = ["focal-point", "organization-admin", "secretariat-admin"];

    public static SecondFactorPolicy From(TokenServerOptions options, PlatformProfile profile) =>
        new(new HashSet<string>(options.RequireSecondFactorFor ?? (profile == PlatformProfile.Production ? ProductionDefault : []), StringComparer.OrdinalIgnoreCase));

    public bool IsRequiredFor(Person person, Organization organization) =>
        required.Contains(KindName(organization.Kind)) || RolePermissions.Names(person.Roles).Any(required.Contains);

    public static string KindName(OrganizationKind kind) => JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString());
}

/// <summary>What the production profile refuses of the people part of the configuration.</summary>
internal static class PeopleProductionChecks
{
    public static IEnumerable<string> Refusals(IConfiguration configuration)
    {
        if (PlatformOptions.From(configuration).SeedDemoData == true)
        {
            yield return $"The demo people that seed would create all share the password \"{DemoPeople.DemoPassword}\" and have no second factor.";
        }

        if (TokenServerOptions.From(configuration).RequireSecondFactorFor is { } listed)
        {
            var missing = SecondFactorPolicy.ProductionDefault.Except(listed, StringComparer.OrdinalIgnoreCase).ToList();
            if (missing.Count > 0)
            {
                yield return $"{TokenServerOptions.Section}:RequireSecondFactorFor leaves out {string.Join(", ", missing)}: focal points and admins must sign in with a second factor in production.";
            }
        }
    }
}
