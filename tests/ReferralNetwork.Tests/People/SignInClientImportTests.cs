using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using ReferralNetwork.Organizations;
using ReferralNetwork.Tests.Support;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ReferralNetwork.Tests.People;

public sealed class SignInClientImportTests(SharedPlatform platform)
{
    [Fact]
    public async Task A_directory_file_registers_a_partner_web_application_as_a_public_PKCE_client_with_exact_redirects()
    {
        using var folder = new TempFolder();
        var clientId = $"th-case-web-{Guid.NewGuid():N}";
        var file = Path.Combine(folder.Path, "directory.json");
        await File.WriteAllTextAsync(file, $$"""
            { "clients": [{ "clientId": "{{clientId}}", "organizationId": "th-focal-point", "redirectUris": ["https://cases.example.org/signin-oidc"] }] }
            """);
        using var output = new StringWriter();

        await DirectoryImport.RunAsync(platform.Factory.Services, file, output);

        await using var scope = platform.Factory.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var client = await applications.FindByClientIdAsync(clientId);
        Assert.NotNull(client);
        Assert.Equal(ClientTypes.Public, await applications.GetClientTypeAsync(client));
        Assert.Equal(["https://cases.example.org/signin-oidc"], await applications.GetRedirectUrisAsync(client));
        Assert.Contains(Requirements.Features.ProofKeyForCodeExchange, await applications.GetRequirementsAsync(client));
        Assert.Equal("th-focal-point", await ReferralNetwork.Identity.PartnerClients.OrganizationOfAsync(applications, client, CancellationToken.None));
        Assert.Contains("sign-in, PKCE", output.ToString(), StringComparison.Ordinal);
    }
}
