using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Matching;
using ReferralNetwork.Referrals;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Matching;

/// <summary>
/// Issue 16's example through the API: the same woman identified in Thailand and in Cambodia is a possible match for
/// the two focal points and no one else; neither sees the other's referral until both confirm, and both can after.
/// </summary>
public sealed class MatchingApiTests(MatchingPlatform platform) : IClassFixture<MatchingPlatform>
{
    private static readonly DateOnly BornOn = new(2001, 3, 14);

    [Fact]
    public async Task The_same_woman_identified_in_Thailand_and_Cambodia_is_a_possible_match_for_both_focal_points_until_both_confirm()
    {
        using var thailand = await platform.Factory.ClientForAsync("th-focal-point");
        using var cambodia = await platform.Factory.ClientForAsync("kh-focal-point");
        using var shelter = await platform.Factory.ClientForAsync("th-shelter-bangkok");
        using var vietnam = await platform.Factory.ClientForAsync("vn-focal-point");
        using var secretariat = await platform.Factory.ClientForAsync("regional-secretariat");

        var inThailand = await ReferralRequests.CreateAsync(thailand, Woman("Thị Lan", "Nguyễn", BornOn, "TH"));
        var inCambodia = await ReferralRequests.CreateAsync(cambodia, Woman("Thi Lan", "Nguyen", BornOn, "KH"));

        var seenInThailand = await MatchOfAsync(thailand, inThailand.Id);
        var seenInCambodia = await MatchOfAsync(cambodia, inCambodia.Id);
        Assert.Equal(seenInThailand.Id, seenInCambodia.Id);
        Assert.Equal(("KH", MatchSimilarity.High, MatchStatus.Open), (seenInThailand.CounterpartCountry, seenInThailand.Similarity, seenInThailand.Status));
        Assert.Equal(("TH", MatchSimilarity.High, MatchStatus.Open), (seenInCambodia.CounterpartCountry, seenInCambodia.Similarity, seenInCambodia.Status));
        Assert.Null(seenInThailand.CounterpartReferralId);

        // Neither list names the other side's referral; no one else sees the match.
        Assert.DoesNotContain(inCambodia.Id.ToString(), await thailand.GetStringAsync("/api/v1/matches"), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(inThailand.Id.ToString(), await cambodia.GetStringAsync("/api/v1/matches"), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await MatchesAsync(shelter));
        Assert.Equal(HttpStatusCode.Forbidden, (await secretariat.GetAsync("/api/v1/matches")).StatusCode); // its tokens carry no referrals.read
        Assert.DoesNotContain(await MatchesAsync(vietnam), m => m.Id == seenInThailand.Id);
        Assert.Equal(HttpStatusCode.NotFound, (await PartnerApi.PostAsync(shelter, $"/api/v1/matches/{seenInThailand.Id}/confirm", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PartnerApi.PostAsync(vietnam, $"/api/v1/matches/{seenInThailand.Id}/dismiss", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await vietnam.GetAsync($"/api/v1/matches/{seenInThailand.Id}/audit")).StatusCode);

        // One side's confirmation opens nothing.
        var confirmedByThailand = await DecideAsync(thailand, seenInThailand.Id, "confirm");
        Assert.Equal(MatchStatus.ConfirmedByYou, confirmedByThailand.Status);
        Assert.Equal(MatchStatus.Open, (await MatchOfAsync(cambodia, inCambodia.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await cambodia.GetAsync($"/api/v1/referrals/{inThailand.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await thailand.GetAsync($"/api/v1/referrals/{inCambodia.Id}")).StatusCode);
        Assert.Equal(["ReferralIdentified"], (await HistoryAsync(thailand, inThailand.Id)).Select(e => e.Type));
        Assert.Equal(["ReferralIdentified"], (await HistoryAsync(cambodia, inCambodia.Id)).Select(e => e.Type));

        // Both confirmations link the referrals: each focal point reads the other's, and each history says so once.
        var confirmedByBoth = await DecideAsync(cambodia, seenInCambodia.Id, "confirm");
        Assert.Equal((MatchStatus.Confirmed, inThailand.Id), (confirmedByBoth.Status, confirmedByBoth.CounterpartReferralId));
        Assert.False(confirmedByBoth.ReIdentification); // both referrals were open: a duplicate, not a person found again
        Assert.Equal(HttpStatusCode.OK, (await cambodia.GetAsync($"/api/v1/referrals/{inThailand.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await thailand.GetAsync($"/api/v1/referrals/{inCambodia.Id}")).StatusCode);
        Assert.Contains("kh-focal-point", (await PartnerApi.GetReferralAsync(thailand, inThailand.Id))!.Participants);
        Assert.Equal(["ReferralIdentified", "ReferralLinked"], (await HistoryAsync(thailand, inThailand.Id)).Select(e => e.Type));
        Assert.Equal(["ReferralIdentified", "ReferralLinked"], (await HistoryAsync(cambodia, inCambodia.Id)).Select(e => e.Type));
        Assert.Equal(MatchStatus.Confirmed, (await DecideAsync(thailand, seenInThailand.Id, "confirm")).Status);
        Assert.Equal(["ReferralIdentified", "ReferralLinked"], (await HistoryAsync(thailand, inThailand.Id)).Select(e => e.Type));

        // A confirmed match is no longer dismissed; its audit is the two focal points'.
        using var late = await PartnerApi.PostAsync(thailand, $"/api/v1/matches/{seenInThailand.Id}/dismiss", null);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        var audit = (await thailand.GetFromJsonAsync<List<MatchAuditEntry>>($"/api/v1/matches/{seenInThailand.Id}/audit", Json.Options))!;
        Assert.Equal(
            [(MatchAuditAction.Found, null), (MatchAuditAction.Confirmed, "th-focal-point"), (MatchAuditAction.Confirmed, "kh-focal-point"), (MatchAuditAction.Linked, null)],
            audit.Where(a => a.Action != MatchAuditAction.Seen).Select(a => (a.Action, a.OrganizationId)));
        Assert.Equal(["kh-focal-point", "th-focal-point"], audit.Where(a => a.Action == MatchAuditAction.Seen).Select(a => a.OrganizationId).Order());
    }

    [Fact]
    public async Task A_match_confirmed_with_a_referral_already_closed_is_a_re_identification_for_both_focal_points_and_no_one_else()
    {
        using var thailand = await platform.Factory.ClientForAsync("th-focal-point");
        using var cambodia = await platform.Factory.ClientForAsync("kh-focal-point");
        using var shelter = await platform.Factory.ClientForAsync("th-shelter-bangkok");
        using var ngo = await platform.Factory.ClientForAsync("vn-ngo-reintegration");
        var bornOn = new DateOnly(2000, 7, 30);

        // The first case ended (contact lost, closed); months later the same woman is identified in Cambodia.
        var earlier = await ReferralRequests.CreateAsync(thailand, Woman("Chanthou", "Sok", bornOn, "TH"));
        await PartnerApi.ChangeAsync(thailand, $"/api/v1/referrals/{earlier.Id}/close", new CloseRequest(ClosureReason.LostContact), earlier.Version);
        await Eventually.Until(() => StageAsync(earlier.Id), stage => stage == Stage.Closed);
        var again = await ReferralRequests.CreateAsync(cambodia, Woman("Chanthou", "Sok", bornOn, "KH"));

        var match = await MatchOfAsync(cambodia, again.Id);
        Assert.False(match.ReIdentification); // nothing is said before both confirm
        Assert.DoesNotContain("\"reIdentification\":true", await cambodia.GetStringAsync("/api/v1/matches"), StringComparison.Ordinal);
        Assert.False((await DecideAsync(thailand, (await MatchOfAsync(thailand, earlier.Id)).Id, "confirm")).ReIdentification);
        var confirmed = await DecideAsync(cambodia, match.Id, "confirm");

        Assert.Equal(MatchStatus.Confirmed, confirmed.Status);
        Assert.True(confirmed.ReIdentification);
        Assert.True((await MatchOfAsync(thailand, earlier.Id)).ReIdentification);
        Assert.Contains("\"reIdentification\":true", await thailand.GetStringAsync("/api/v1/matches"), StringComparison.Ordinal);
        Assert.Empty(await MatchesAsync(shelter));
        Assert.Empty(await MatchesAsync(ngo));
        Assert.Equal(HttpStatusCode.NotFound, (await ngo.GetAsync($"/api/v1/matches/{match.Id}/audit")).StatusCode);
    }

    [Fact]
    public async Task A_similar_name_born_another_day_is_no_match_and_a_dismissed_match_stays_dismissed()
    {
        using var thailand = await platform.Factory.ClientForAsync("th-focal-point");
        using var cambodia = await platform.Factory.ClientForAsync("kh-focal-point");

        var first = await ReferralRequests.CreateAsync(thailand, Woman("Thị Mai", "Trần", new DateOnly(1999, 5, 20), "TH"));
        var similarName = await ReferralRequests.CreateAsync(cambodia, Woman("Thi Mai", "Tran", new DateOnly(1996, 11, 2), "KH"));
        var samePerson = await ReferralRequests.CreateAsync(cambodia, Woman("Thi Mai", "Tran", new DateOnly(1999, 5, 20), "KH"));

        // The index searched each encoding before its create answered: what it found is in the table now.
        await using (var scope = platform.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            Assert.False(await db.PossibleMatches.AnyAsync(m => m.ReferralA == similarName.Id || m.ReferralB == similarName.Id));
            Assert.True(await db.PossibleMatches.AnyAsync(m => m.ReferralA == samePerson.Id || m.ReferralB == samePerson.Id));
        }

        var match = await MatchOfAsync(cambodia, samePerson.Id);
        Assert.Equal("TH", match.CounterpartCountry);
        Assert.DoesNotContain(await MatchesAsync(cambodia), m => m.ReferralId == similarName.Id);

        Assert.Equal(MatchStatus.Dismissed, (await DecideAsync(cambodia, match.Id, "dismiss")).Status);
        Assert.Equal(MatchStatus.Dismissed, (await MatchOfAsync(thailand, first.Id)).Status);
        using var refused = await PartnerApi.PostAsync(thailand, $"/api/v1/matches/{match.Id}/confirm", null);
        var problem = await Problem.AssertAsync(refused, HttpStatusCode.Conflict, "transition-not-allowed");
        Assert.Equal(RefusalCode.MatchDecided, problem.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await cambodia.GetAsync($"/api/v1/referrals/{first.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_corrected_date_of_birth_is_searched_again_and_finds_the_match_the_wrong_one_hid()
    {
        using var thailand = await platform.Factory.ClientForAsync("th-focal-point");
        using var cambodia = await platform.Factory.ClientForAsync("kh-focal-point");
        var bornOn = new DateOnly(1997, 2, 23);
        var inCambodia = await ReferralRequests.CreateAsync(cambodia, Woman("Bopha", "Keo", bornOn, "KH"));
        var inThailand = await ReferralRequests.CreateAsync(thailand, Woman("Bopha", "Keo", new DateOnly(1989, 10, 5), "TH"));
        await using var scope = platform.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        Assert.False(await db.PossibleMatches.AnyAsync(m => m.ReferralA == inThailand.Id || m.ReferralB == inThailand.Id));

        using var corrected = await thailand.PutAsJsonAsync(
            $"/api/v1/referrals/{inThailand.Id}/subject", new SubjectCorrectionRequest("Bopha", "Keo", Sex.Female, bornOn, "VN", ["vi"], null), Json.Options);
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);

        var match = await MatchOfAsync(thailand, inThailand.Id);
        Assert.Equal("KH", match.CounterpartCountry);
        Assert.Equal(match.Id, (await MatchOfAsync(cambodia, inCambodia.Id)).Id);
    }

    [Fact]
    public async Task An_erased_subject_leaves_no_encoding_in_the_index_and_its_match_keeps_nothing_of_the_person()
    {
        using var thailand = await platform.Factory.ClientForAsync("th-focal-point");
        using var cambodia = await platform.Factory.ClientForAsync("kh-focal-point");
        var first = await ReferralRequests.CreateAsync(thailand, Woman("Sokha", "Chan", new DateOnly(2003, 8, 9), "TH"));
        var second = await ReferralRequests.CreateAsync(cambodia, Woman("Sokha", "Chan", new DateOnly(2003, 8, 9), "KH"));
        await using var scope = platform.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        Assert.True(await db.MatchEncodings.AnyAsync(r => r.ReferralId == first.Id));

        await platform.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IReferralGrain>(first.Id).EraseSubject();

        Assert.False(await db.MatchEncodings.AnyAsync(r => r.ReferralId == first.Id));
        Assert.True(await db.MatchEncodings.AnyAsync(r => r.ReferralId == second.Id));
        Assert.True(await db.PossibleMatches.AnyAsync(m => m.ReferralA == first.Id || m.ReferralB == first.Id));
    }

    [Fact]
    public async Task Two_referrals_of_one_woman_in_Thailand_are_a_match_for_its_focal_point_alone_who_links_them_and_the_duplicate_is_closed()
    {
        using var thailand = await platform.Factory.ClientForAsync("th-focal-point");
        using var shelter = await platform.Factory.ClientForAsync("th-shelter-bangkok");
        using var cambodia = await platform.Factory.ClientForAsync("kh-focal-point");
        var bornOn = new DateOnly(2000, 6, 11);

        // A surge: the focal point and a shelter each record her.
        var byFocalPoint = await ReferralRequests.CreateAsync(thailand, Woman("Ngoc Anh", "Phamvuthuy", bornOn, "TH"));
        var byShelter = await ReferralRequests.CreateAsync(shelter, Woman("Ngọc Anh", "Phạmvuthuy", bornOn, "TH"));

        // Both sides belong to Thailand's focal point: one match, shown once for each of its referrals.
        var first = await MatchOfAsync(thailand, byFocalPoint.Id);
        var second = await MatchOfAsync(thailand, byShelter.Id);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(("TH", MatchStatus.Open), (first.CounterpartCountry, first.Status));
        Assert.Null(first.CounterpartReferralId);
        Assert.Empty(await MatchesAsync(shelter));
        Assert.DoesNotContain(await MatchesAsync(cambodia), m => m.Id == first.Id);

        // One confirmation decides both sides, and links the referrals once each.
        var confirmed = await DecideAsync(thailand, first.Id, "confirm");
        Assert.Equal(MatchStatus.Confirmed, confirmed.Status);
        Assert.Contains(confirmed.CounterpartReferralId, new Guid?[] { byFocalPoint.Id, byShelter.Id });
        Assert.Equal(["ReferralIdentified", "ReferralLinked"], (await HistoryAsync(thailand, byFocalPoint.Id)).Select(e => e.Type));
        Assert.Equal(["ReferralIdentified", "ReferralLinked"], (await HistoryAsync(shelter, byShelter.Id)).Select(e => e.Type));
        Assert.Contains("th-focal-point", (await PartnerApi.GetReferralAsync(shelter, byShelter.Id))!.Participants);
        Assert.Equal(HttpStatusCode.OK, (await thailand.GetAsync($"/api/v1/referrals/{byShelter.Id}")).StatusCode);
        Assert.All(await MatchesAsync(thailand), m => Assert.True(m.Id != first.Id || m.Status == MatchStatus.Confirmed));
        var audit = (await thailand.GetFromJsonAsync<List<MatchAuditEntry>>($"/api/v1/matches/{first.Id}/audit", Json.Options))!;
        Assert.Equal(
            [(MatchAuditAction.Found, null), (MatchAuditAction.Confirmed, "th-focal-point"), (MatchAuditAction.Linked, null)],
            audit.Where(a => a.Action != MatchAuditAction.Seen).Select(a => (a.Action, a.OrganizationId)));

        // The shelter's record is the duplicate: its holder closes it as such.
        var current = (await PartnerApi.GetReferralAsync(shelter, byShelter.Id))!;
        var closed = await PartnerApi.ChangeAsync(shelter, $"/api/v1/referrals/{byShelter.Id}/close", new CloseRequest(ClosureReason.Duplicate), current.Version);
        Assert.Equal((Stage.Closed, ClosureReason.Duplicate), (closed.Stage, closed.ClosureReason));
        Assert.Equal(MatchStatus.Confirmed, (await MatchOfAsync(thailand, byShelter.Id)).Status);
        Assert.NotEqual(Stage.Closed, (await PartnerApi.GetReferralAsync(thailand, byFocalPoint.Id))!.Stage);
    }

    [Fact]
    public async Task The_index_refuses_an_encoding_of_another_key_and_compares_it_with_nothing()
    {
        var (_, row, index) = await StoredEncodingOfAsync("Vilayphonethe", "Keomanivongsa", new DateOnly(1990, 2, 2));
        await using var scope = platform.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var other = Guid.NewGuid();

        // The very bits of the stored encoding, labelled with another key: a perfect score if they were compared.
        await Assert.ThrowsAsync<InvalidOperationException>(() => index.Submit(other, "KH", new SubmittedEncoding("another-key", row.Scheme, row.Bits)));

        Assert.False(await db.MatchEncodings.AnyAsync(r => r.ReferralId == other));
        Assert.False(await db.PossibleMatches.AnyAsync(m => m.ReferralA == other || m.ReferralB == other));
    }

    [Fact]
    public async Task Encodings_submitted_at_once_are_saved_together_and_still_find_each_other()
    {
        var (existing, row, index) = await StoredEncodingOfAsync("Souksavanh", "Phommachanh", new DateOnly(1987, 7, 9));
        await using var scope = platform.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var same = new SubmittedEncoding(row.KeyId, row.Scheme, row.Bits);

        // Two referrals of the same person arrive at once among thirty of other people, one of them twice (encoded again
        // while it was corrected, say): whatever batches the index makes of them, each is searched against the ones before
        // it, those of its own batch included, and a pair found twice is one match.
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var strangers = Enumerable.Range(0, 30).Select(_ => Guid.NewGuid()).ToList();
        await Task.WhenAll(strangers.Select(id => index.Submit(id, "VN", new SubmittedEncoding(row.KeyId, row.Scheme, RandomNumberGenerator.GetBytes(row.Bits.Length))))
            .Append(index.Submit(a, "KH", same)).Append(index.Submit(b, "LA", same)).Append(index.Submit(a, "KH", same)));

        Guid[] person = [existing, a, b];
        var pairs = await db.PossibleMatches.AsNoTracking().Where(m => person.Contains(m.ReferralA) && person.Contains(m.ReferralB))
            .Select(m => new { m.ReferralA, m.ReferralB, m.CountryA, m.CountryB }).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(3, pairs.Count);
        Assert.Contains(pairs, p => new[] { p.CountryA, p.CountryB }.Order().SequenceEqual(["KH", "LA"]));
        Assert.Equal(32, await db.MatchEncodings.CountAsync(r => strangers.Contains(r.ReferralId) || r.ReferralId == a || r.ReferralId == b, TestContext.Current.CancellationToken));

        // An erasure goes through the same queue: the encoding is gone from the table and from the searches after it.
        await index.Forget(a);
        var c = Guid.NewGuid();
        await index.Submit(c, "VN", same);
        Assert.False(await db.MatchEncodings.AnyAsync(r => r.ReferralId == a, TestContext.Current.CancellationToken));
        var foundForC = await db.PossibleMatches.AsNoTracking().Where(m => m.ReferralA == c || m.ReferralB == c)
            .Select(m => m.ReferralA == c ? m.ReferralB : m.ReferralA).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(new[] { existing, b }.Order(), foundForC.Order());
    }

    /// <summary>A woman identified in Thailand, the encoding her compartment stored, and the match index.</summary>
    private async Task<(Guid Referral, MatchEncodingRow Encoding, IMatchIndexGrain Index)> StoredEncodingOfAsync(string givenName, string familyName, DateOnly bornOn)
    {
        using var thailand = await platform.Factory.ClientForAsync("th-focal-point");
        var existing = await ReferralRequests.CreateAsync(thailand, Woman(givenName, familyName, bornOn, "TH"));
        await using var scope = platform.Factory.Services.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().MatchEncodings.AsNoTracking()
            .SingleAsync(r => r.ReferralId == existing.Id, TestContext.Current.CancellationToken);
        return (existing.Id, row, platform.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IMatchIndexGrain>(0));
    }

    [Fact]
    public async Task A_match_that_does_not_exist_is_not_found()
    {
        using var thailand = await platform.Factory.ClientForAsync("th-focal-point");

        using var response = await PartnerApi.PostAsync(thailand, $"/api/v1/matches/{Guid.NewGuid()}/confirm", null);

        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not-found");
    }

    internal static CreateReferralRequest Woman(string givenName, string familyName, DateOnly bornOn, string country) => new(
        new SubjectInput(givenName, familyName, Sex.Female, bornOn, "VN", ["vi"]),
        country,
        DateTimeOffset.UtcNow.AddHours(-1),
        [ExploitationForm.ForcedCriminality],
        null);

    internal static async Task<List<MatchView>> MatchesAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<List<MatchView>>("/api/v1/matches", Json.Options))!;

    /// <summary>The match of <paramref name="referralId"/> once the caller sees it (the referral list, which places the referral in a country, follows events).</summary>
    internal static async Task<MatchView> MatchOfAsync(HttpClient client, Guid referralId)
    {
        var matches = await Eventually.Until(() => MatchesAsync(client), list => list.Any(m => m.ReferralId == referralId));
        return Assert.Single(matches, m => m.ReferralId == referralId);
    }

    private static async Task<MatchView> DecideAsync(HttpClient client, Guid matchId, string decision)
    {
        using var response = await PartnerApi.PostAsync(client, $"/api/v1/matches/{matchId}/{decision}", null);
        return await PartnerApi.ReadAsync<MatchView>(response);
    }

    private async Task<Stage?> StageAsync(Guid referralId)
    {
        await using var scope = platform.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        return await db.Referrals.Where(r => r.Id == referralId).Select(r => (Stage?)r.Stage).SingleOrDefaultAsync();
    }

    private static async Task<List<HistoryEntry>> HistoryAsync(HttpClient client, Guid referralId) =>
        (await client.GetFromJsonAsync<List<HistoryEntry>>($"/api/v1/referrals/{referralId}/history", Json.Options))!;
}
