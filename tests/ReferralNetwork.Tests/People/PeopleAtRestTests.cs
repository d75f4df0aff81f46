using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Identity;
using ReferralNetwork.People;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.People;

/// <summary>Staff are people too: their names, addresses and second-factor secrets are nowhere readable in the data folder.</summary>
public sealed class PeopleAtRestTests
{
    [Fact]
    public async Task A_persons_address_phone_and_authenticator_key_are_sealed_in_every_file_of_the_data_folder()
    {
        using var data = new TempFolder();
        var hex = Guid.NewGuid().ToString("N");
        var email = $"canary{hex}@example.org";
        var phone = $"+66{hex[..14].Select(c => (char)('0' + c % 10)).Aggregate("", (s, c) => s + c)}";
        string personId, key;
        await using (var factory = new PlatformFactory(data.Path))
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var people = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
            var person = new Person { OrganizationId = "th-focal-point", UserName = email, Email = email, PhoneNumber = phone, Roles = PersonRoles.Officer };
            Assert.True((await people.CreateAsync(person, "a long passphrase of words")).Succeeded);
            await people.ResetAuthenticatorKeyAsync(person);
            key = (await people.GetAuthenticatorKeyAsync(person))!;
            await people.GenerateNewTwoFactorRecoveryCodesAsync(person, 10);

            // Sign-in looks the sealed name up.
            Assert.Equal(person.Id, (await people.FindByNameAsync(email))?.Id);
            personId = person.Id;
        }

        var search = new CanarySearch(
        [
            Canary.Token("e-mail", $"canary{hex}"),
            Canary.Token("phone", phone[3..]),
            Canary.Token("authenticator key", key),
            Canary.Token("person id (positive control: ids are not sealed)", personId),
        ]);
        search.AddFolder(data.Path, "data folder");
        search.AddSqliteRows(Path.Combine(data.Path, "platform.db"), "platform.db rows");

        Assert.All(search.Hits, hit => Assert.StartsWith("person id", hit.Canary, StringComparison.Ordinal));
        Assert.Contains(search.Hits, hit => hit.Canary.StartsWith("person id", StringComparison.Ordinal));
    }
}
