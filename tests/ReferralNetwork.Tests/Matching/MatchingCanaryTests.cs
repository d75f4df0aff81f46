using System.Globalization;
using ReferralNetwork.Tests.Privacy;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Matching;

/// <summary>
/// The match index holds encodings, not people: after a match is found, neither database of the platform (the index's
/// tables among them), nor its data folder, nor its logs hold the names or the date of birth in any spelling searched.
/// </summary>
public sealed class MatchingCanaryTests(MatchingPlatform platform) : IClassFixture<MatchingPlatform>
{
    [Fact]
    public async Task Neither_the_names_nor_the_date_of_birth_of_a_matched_person_are_readable_where_the_platform_writes()
    {
        var bornOn = new DateOnly(2001, 3, 14);
        using (var thailand = await platform.Factory.ClientForAsync("th-focal-point"))
        using (var cambodia = await platform.Factory.ClientForAsync("kh-focal-point"))
        {
            var inThailand = await ReferralRequests.CreateAsync(thailand, MatchingApiTests.Woman("Thị Lan", "Nguyễn", bornOn, "TH"));
            var inCambodia = await ReferralRequests.CreateAsync(cambodia, MatchingApiTests.Woman("Thi Lan", "Nguyen", bornOn, "KH"));
            await MatchingApiTests.MatchOfAsync(thailand, inThailand.Id);
            await MatchingApiTests.MatchOfAsync(cambodia, inCambodia.Id);
        }

        var canaries = new[]
        {
            new Canary("names", "Nguyen Thi Lan",
                ["Nguyen Thi Lan", "Thi Lan Nguyen", "NguyenThiLan", "ThiLanNguyen", "Nguyen Thi", "nguyen thilan", "thilan nguyen", "nguyenthilan", "thilannguyen"],
                [new BinaryForm("utf-8 with diacritics", System.Text.Encoding.UTF8.GetBytes("Nguyễn")), new BinaryForm("utf-8 with diacritics", System.Text.Encoding.UTF8.GetBytes("Thị Lan")),
                 new BinaryForm("utf-16le with diacritics", System.Text.Encoding.Unicode.GetBytes("Nguyễn"))]),
            new Canary("dateOfBirth", "2001-03-14",
                [.. new[] { "yyyy-MM-dd", "dd/MM/yyyy", "MM/dd/yyyy", "dd.MM.yyyy", "yyyyMMdd" }.Select(f => bornOn.ToString(f, CultureInfo.InvariantCulture))],
                BinaryForm.OrleansDate(bornOn)),
        };

        var search = new CanarySearch(canaries);
        var cells = 0;
        foreach (var database in new[] { "grains.db", "platform.db" })
        {
            var path = Path.Combine(platform.DataPath, database);
            cells += search.AddSqliteRows(path, database);
        }

        search.AddFolder(platform.DataPath, "running");
        search.AddLogs(platform.Logs.Entries);

        // The index's own rows were searched, cell by cell: the encodings and the matches.
        Assert.Contains(search.Searched, s => s.Source.StartsWith("platform.db » MatchEncodings.Bits", StringComparison.Ordinal) && s.Length > 0);
        Assert.Contains(search.Searched, s => s.Source.StartsWith("platform.db » PossibleMatches.", StringComparison.Ordinal));
        Assert.True(cells > 0);
        Assert.True(search.Hits.Count == 0, search.Report());
    }
}
