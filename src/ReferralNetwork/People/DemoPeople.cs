using Microsoft.AspNetCore.Identity;
using ReferralNetwork.Contracts;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;

namespace ReferralNetwork.People;

/// <summary>
/// DEVELOPMENT ONLY: people of the demo organizations, all with the password <c>demo-password</c> and no second
/// factor: <c>officer@&lt;organization&gt;</c> everywhere, <c>supervisor@</c> and <c>admin@</c> of every focal point, and
/// <c>admin@regional-secretariat</c>, who keeps the directory.
/// </summary>
public static class DemoPeople
{
    public const string DemoPassword = "demo-password";

    public static IEnumerable<(string Name, PersonRoles Roles)> For(Organization organization)
    {
        yield return ($"officer@{organization.Id}", PersonRoles.Officer);
        if (organization.Kind == OrganizationKind.FocalPoint)
        {
            yield return ($"supervisor@{organization.Id}", PersonRoles.Supervisor);
            yield return ($"admin@{organization.Id}", PersonRoles.OrganizationAdmin);
        }

        if (organization.Country == Country.Regional)
        {
            yield return ($"admin@{organization.Id}", PersonRoles.SecretariatAdmin);
        }
    }

    public static async Task SeedAsync(UserManager<Person> people, IEnumerable<Organization> organizations)
    {
        // One hash for every demo person: hashing is slow on purpose, and the embedded profile seeds at each start.
        string? hash = null;
        foreach (var organization in organizations)
        {
            foreach (var (name, roles) in For(organization))
            {
                if (await people.FindByNameAsync(name) is not null)
                {
                    continue;
                }

                var person = new Person { OrganizationId = organization.Id, UserName = name, Email = name, EmailConfirmed = true, Roles = roles };
                person.PasswordHash = hash ??= people.PasswordHasher.HashPassword(person, DemoPassword);
                var created = await people.CreateAsync(person);
                if (!created.Succeeded)
                {
                    throw new InvalidOperationException($"Demo person {name} could not be created: {string.Join(" ", created.Errors.Select(e => e.Description))}");
                }
            }
        }
    }
}
