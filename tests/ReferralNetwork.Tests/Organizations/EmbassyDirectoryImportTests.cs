using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Hosting;
using ReferralNetwork.Organizations;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Organizations;

/// <summary>import-directory registers embassies with the nationalities they handle, and refuses a file that gets them wrong.</summary>
public sealed class EmbassyDirectoryImportTests(OwnPlatform platform) : IClassFixture<OwnPlatform>, IDisposable
{
    private readonly TempFolder _folder = new();

    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task An_embassy_is_imported_with_the_nationalities_it_handles_and_shows_in_the_directory()
    {
        var file = Write("""
            { "organizations": [
                { "id": "th-embassy-et", "name": "Embassy of ET, Bangkok (test)", "country": "TH", "kind": "embassy", "nationalities": ["ET", "ER"] },
                { "id": "th-iom-test", "name": "IOM Bangkok (test)", "country": "TH", "kind": "international", "nationalities": ["ID"] } ] }
            """);

        await DirectoryImport.RunAsync(Factory.Services, file, TextWriter.Null);

        using var client = await Factory.ClientForAsync("th-shelter-bangkok");
        var thailand = (await client.GetFromJsonAsync<List<OrganizationView>>("/api/v1/organizations?country=TH", PlatformFactory.JsonOptions))!;
        var embassy = Assert.Single(thailand, o => o.Id == "th-embassy-et");
        var iom = Assert.Single(thailand, o => o.Id == "th-iom-test");
        Assert.Equal((OrganizationKind.Embassy, OrganizationKind.International), (embassy.Kind, iom.Kind));
        Assert.Equal(["ET", "ER"], embassy.Nationalities!);
        Assert.Equal(["ID"], iom.Nationalities!);
    }

    [Theory]
    [InlineData("""{ "id": "th-embassy-none", "name": "x", "country": "TH", "kind": "embassy" }""", "names no nationalities")]
    [InlineData("""{ "id": "th-embassy-made-up", "name": "x", "country": "TH", "kind": "embassy", "nationalities": ["XX"] }""", "not an assigned ISO 3166-1")]
    [InlineData("""{ "id": "th-shelter-with-nationalities", "name": "x", "country": "TH", "kind": "shelter", "nationalities": ["CN"] }""", "only an embassy or an international organization")]
    [InlineData("""{ "id": "regional-embassy", "name": "x", "country": "REGIONAL", "kind": "embassy", "nationalities": ["CN"] }""", "sits in REGIONAL")]
    public async Task A_file_that_gets_an_embassy_wrong_changes_nothing(string organization, string reason)
    {
        var good = """{ "id": "th-embassy-good-__", "name": "x", "country": "TH", "kind": "embassy", "nationalities": ["CN"] }""".Replace("__", Guid.NewGuid().ToString("N"), StringComparison.Ordinal);
        var file = Write($$"""{ "organizations": [ {{good}}, {{organization}} ] }""");

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => DirectoryImport.RunAsync(Factory.Services, file, TextWriter.Null));

        Assert.Contains(refused.Reasons, r => r.Contains(reason, StringComparison.Ordinal));
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        Assert.False(await db.Organizations.AnyAsync(o => o.Id.StartsWith("th-embassy-good-")));
    }

    public void Dispose() => _folder.Dispose();

    private string Write(string json)
    {
        var path = Path.Combine(_folder.Path, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }
}
