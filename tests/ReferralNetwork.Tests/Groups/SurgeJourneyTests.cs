using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Console;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Groups;

/// <summary>
/// Issue 17's done-when, end to end, once through the console's pages and once through the API: 1,000 people imported
/// in one go (20 bad rows reported, the rest created once however often the import is sent), screened, put into four
/// return groups of two nationalities, verified with two rejections, planned, and handed over with one person missing;
/// and each person's history as if they had gone through it alone. A platform of its own: the tests count what their
/// organization holds. The pages' journey is Thailand's (Cambodians and Myanmar nationals), the API's Viet Nam's (the
/// same nationalities), so that neither's counts or lists hold the other's people.
/// </summary>
public sealed partial class SurgeJourneyTests(OwnPlatform platform, ITestOutputHelper output) : IClassFixture<OwnPlatform>
{
    private const int Rows = 1000;
    private const int Good = 980;

    /// <summary>The focal point each nationality of the list returns to.</summary>
    private static readonly Dictionary<string, string> Origins = new() { ["KH"] = "kh-focal-point", ["MM"] = "mm-focal-point" };

    private PlatformFactory Platform => platform.Factory;

    [Fact]
    public async Task A_thousand_people_go_from_a_csv_file_to_four_returned_groups_through_the_pages_each_as_if_alone()
    {
        var clock = Stopwatch.StartNew();
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var (file, bad) = ConsoleIntakeTests.ThousandRows("Surge");
        var (thai, _) = await ConsoleSession.SignInAsync(Platform, "supervisor@th-focal-point");
        using var _ = thai;

        // Imported in one go, and again (the answer was lost): 980 created once, the same 20 rows reported both times.
        foreach (var (attempt, created, existing) in new[] { ("people.csv", Good, 0), ("people (1).csv", 0, Good) })
        {
            var imported = await ConsoleIntakeTests.ImportAsync(thai, await ConsoleIntakeTests.UploadAsync(thai, file, attempt));
            Assert.Equal((created, existing, Rows - Good), (ConsoleIntakeTests.Count(imported, "created"), ConsoleIntakeTests.Count(imported, "already-exists"), ConsoleIntakeTests.Count(imported, "refused")));
            Assert.Equal(bad.Order(), ConsoleIntakeTests.RefusedRows(imported).Keys.Order());
        }

        var people = await Eventually.Until(() => HeldAsync("th-focal-point"), p => p.Count >= Good, TimeSpan.FromSeconds(60));
        Assert.Equal(Good, people.Count);
        output.WriteLine($"imported twice: {clock.Elapsed}");

        // Screened: a sample through the queue's page, one post each; the rest through the API, one call each (980 page
        // posts would take minutes on their own here, and a queue page screens exactly as the API does).
        var queue = await thai.GetAsync("/console/screening");
        var screenedOnPage = new HashSet<Guid>();
        for (var i = 0; i < 20; i++)
        {
            screenedOnPage.Add(ConsoleScreeningQueueTests.Current(queue) ?? throw new InvalidOperationException("the screening queue is empty"));
            queue = await thai.SubmitAsync(queue, "/console/screening", new Dictionary<string, string> { ["indicators"] = "recruited-online-job-offer" });
            Assert.Equal(HttpStatusCode.OK, queue.Status);
        }

        await ScreenAsync(thailand, people.Keys.Where(id => !screenedOnPage.Contains(id)));
        // Consent is each person's, recorded with them on their own referral's page: here through the API, for all.
        await ConsentAsync(thailand, people);
        output.WriteLine($"screened and consented: {clock.Elapsed}");

        // Four groups made on the new-group page, two of each nationality: half of the people in each, as the page lists
        // them (the first half from the top of its list, then everyone it lists still).
        var groups = new List<Flight>();
        foreach (var nationality in Origins.Keys)
        {
            for (var half = 0; half < 2; half++)
            {
                var page = await thai.GetAsync($"/console/groups/new?nationality={nationality}");
                var listed = Listed(page);
                var members = half == 0 ? listed.Take((people.Values.Count(n => n == nationality) + 1) / 2).ToList() : listed;
                var creating = Stopwatch.StartNew();
                var made = await thai.SubmitAsync(page, "handler=Create", ConsoleGroupTests.Chosen($"Flight {nationality} {half + 1}, 3 March", members));
                output.WriteLine($"group of {members.Count} created in {creating.Elapsed}");
                Assert.Equal(HttpStatusCode.OK, made.Status);
                groups.Add(new(Guid.Parse(GroupPath().Match(made.Url.AbsolutePath).Groups["id"].Value), nationality, members));
            }
        }

        Assert.Equal(Good, groups.Sum(g => g.Members.Count));
        Assert.Equal(people.Keys.Order(), groups.SelectMany(g => g.Members).Order());

        // Each group offered to the focal point of its people's country, and accepted there on the group's page.
        var origins = new Dictionary<string, ConsoleSession>();
        foreach (var (nationality, origin) in Origins)
        {
            origins[nationality] = (await ConsoleSession.SignInAsync(Platform, $"supervisor@{origin}")).Session;
        }

        try
        {
            await StepAsync(groups, g => thai, (g, page) => new() { ["toOrganizationId"] = Origins[g.Nationality] }, "handler=Offer");
            await StepAsync(groups, g => origins[g.Nationality], (g, page) => Indexed("referrals[{0}]", g.Members.Select(m => m.ToString())), "handler=Accept");
            output.WriteLine($"offered and accepted: {clock.Elapsed}");

            // Verified on the origin's page, each person on their line: two rejected in the first group.
            var rejected = groups[0].Members.Take(2).ToHashSet();
            await StepAsync(groups, g => origins[g.Nationality], (g, page) => Lines(page, "verify").SelectMany(line => rejected.Contains(line.Referral)
                ? new[] { KeyValuePair.Create($"verify[{line.Index}].outcome", "Rejected"), KeyValuePair.Create($"verify[{line.Index}].reason", "Not found in the civil registry.") }
                : [KeyValuePair.Create($"verify[{line.Index}].outcome", "Confirmed")]).ToDictionary(), "handler=Verify");

            // Planned by the holder with each person's document; handed over by both sides, one person missing at the airport.
            await StepAsync(groups, g => thai, (g, page) => new Dictionary<string, string> { ["plannedFor"] = "2027-03-03", ["crossingPoint"] = $"Flight {g.Nationality}" }
                .Concat(Lines(page, "plan").Select(line => KeyValuePair.Create($"plan[{line.Index}].travelDocument", "EmergencyTravelDocument"))).ToDictionary(), "handler=Plan");
            var missing = groups[2].Members[0];
            var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture); // an English person's clock is UTC
            foreach (var side in new Func<Flight, ConsoleSession>[] { g => thai, g => origins[g.Nationality] })
            {
                await StepAsync(groups, side, (g, page) => new Dictionary<string, string> { ["handedOverAt"] = now }
                    .Concat(Lines(page, "handover").Select(line => KeyValuePair.Create($"handover[{line.Index}].outcome", line.Referral == missing ? "Missing" : "HandedOver"))).ToDictionary(), "handler=Handover");
            }

            output.WriteLine($"verified, planned, handed over: {clock.Elapsed}");
            await AssertSettledAsync(thailand, groups.Select(g => g.Id), rejected, missing);
            await AssertAsIfAloneAsync(thailand, groups[1].Members[0], "KH");
        }
        finally
        {
            foreach (var session in origins.Values)
            {
                session.Dispose();
            }
        }

        output.WriteLine($"the whole journey through the pages: {clock.Elapsed}");
    }

    [Fact]
    public async Task A_thousand_people_go_from_a_batch_to_four_returned_groups_through_the_api_each_as_if_alone()
    {
        var clock = Stopwatch.StartNew();
        using var vietnam = await Platform.ClientForAsync("vn-focal-point");
        var items = ThousandItems();

        // Sent in batches of the most one batch takes, and all again (the answers were lost): 980 created once.
        var ids = new Dictionary<Guid, string>();
        foreach (var (created, existing) in new[] { (BatchItemStatus.Created, 0), (BatchItemStatus.AlreadyExists, 1) })
        {
            var results = new List<ReferralBatchItemResult>();
            foreach (var batch in items.Chunk(Limits.BatchItems))
            {
                results.AddRange((await PartnerApi.ReadAsync<ReferralBatchResult>(await PartnerApi.PostAsync(vietnam, "/api/v1/referrals/batch", new CreateReferralBatchRequest(batch)))).Items);
            }

            Assert.Equal(Good, results.Count(r => r.Status == created));
            Assert.Equal(Enumerable.Range(1, Rows).Where(i => i % 50 == 0), results.Select((r, i) => (r, i + 1)).Where(x => x.r.Status == BatchItemStatus.Refused).Select(x => x.Item2));
            foreach (var (result, item) in results.Zip(items).Where(x => x.First.Status != BatchItemStatus.Refused))
            {
                Assert.True(existing == 0 ? ids.TryAdd(result.Id!.Value, item.Referral!.Subject!.Nationality!) : ids.ContainsKey(result.Id!.Value), $"{result.Id} is not the referral of {item.IdempotencyKey} once");
            }
        }

        Assert.Equal(Good, ids.Count);
        Assert.Equal(Good, (await Eventually.Until(() => HeldAsync("vn-focal-point"), p => p.Count >= Good, TimeSpan.FromSeconds(60))).Count);
        output.WriteLine($"sent twice: {clock.Elapsed}");

        await ScreenAsync(vietnam, ids.Keys);
        await ConsentAsync(vietnam, ids);
        output.WriteLine($"screened and consented: {clock.Elapsed}");

        var groups = new List<Flight>();
        foreach (var nationality in Origins.Keys)
        {
            var theirs = ids.Where(p => p.Value == nationality).Select(p => p.Key).ToList();
            foreach (var half in new[] { theirs[..((theirs.Count + 1) / 2)], theirs[((theirs.Count + 1) / 2)..] })
            {
                var group = await PartnerApi.ReadAsync<GroupView>(await PartnerApi.PostAsync(vietnam, "/api/v1/groups", new CreateGroupRequest($"Flight {nationality} {groups.Count + 1}", half)));
                groups.Add(new(group.Id, nationality, half));
            }
        }

        var origins = new Dictionary<string, HttpClient>();
        foreach (var (nationality, origin) in Origins)
        {
            origins[nationality] = await Platform.ClientForAsync(origin);
        }

        try
        {
            // Each step sent for every group first (they reach their people side by side), then each group awaited.
            async Task AllAsync(Func<Flight, HttpClient> by, string step, Func<Flight, object> body)
            {
                foreach (var group in groups)
                {
                    using var response = await PartnerApi.PostAsync(by(group), $"/api/v1/groups/{group.Id}/{step}", body(group));
                    Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{step}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }

                foreach (var group in groups)
                {
                    var done = await Eventually.Until(() => by(group).GetFromJsonAsync<GroupView>($"/api/v1/groups/{group.Id}", Json.Options), v => v!.Operation is null, TimeSpan.FromMinutes(3));
                    Assert.Null(done!.Operation);
                    Assert.DoesNotContain(done.Members, m => m.Problem is not null);
                }
            }

            await AllAsync(g => vietnam, "offer", g => new GroupOfferRequest(Origins[g.Nationality], null, null));
            await AllAsync(g => origins[g.Nationality], "accept", g => new GroupAnswerRequest(null, null));
            output.WriteLine($"offered and accepted: {clock.Elapsed}");
            var rejected = groups[0].Members.Take(2).ToHashSet();
            await AllAsync(g => origins[g.Nationality], "nationality-verification", g => new GroupVerificationRequest([.. g.Members.Select(id => rejected.Contains(id)
                ? new GroupVerificationItem(id, NationalityOutcome.Rejected, "Not found in the civil registry.")
                : new GroupVerificationItem(id, NationalityOutcome.Confirmed, null))]));
            await AllAsync(g => vietnam, "return-plan", g => new GroupReturnPlanRequest(new DateOnly(2027, 3, 3), $"Flight {g.Nationality}", null,
                [.. g.Members.Where(id => !rejected.Contains(id)).Select(id => new GroupTravelDocument(id, TravelDocument.EmergencyTravelDocument))]));
            var missing = groups[2].Members[0];
            var at = DateTimeOffset.UtcNow;
            await AllAsync(g => vietnam, "handover", g => new GroupHandoverRequest(at, [.. g.Members.Where(id => !rejected.Contains(id))
                .Select(id => new GroupHandoverItem(id, id == missing ? HandoverOutcome.Missing : HandoverOutcome.HandedOver))]));
            await AllAsync(g => origins[g.Nationality], "handover", g => new GroupHandoverRequest(at, [.. g.Members.Where(id => !rejected.Contains(id) && id != missing)
                .Select(id => new GroupHandoverItem(id, HandoverOutcome.HandedOver))]));
            output.WriteLine($"verified, planned, handed over: {clock.Elapsed}");

            await AssertSettledAsync(vietnam, groups.Select(g => g.Id), rejected, missing);
            await AssertAsIfAloneAsync(vietnam, groups[1].Members[0], "KH");
        }
        finally
        {
            foreach (var client in origins.Values)
            {
                client.Dispose();
            }
        }

        output.WriteLine($"the whole journey through the API: {clock.Elapsed}");
    }

    /// <summary>
    /// One step for every group on its page, as the side that takes it: every form sent first (the groups reach their
    /// people in the background, side by side), then each group's page once its people are reached.
    /// </summary>
    private static async Task StepAsync(
        List<Flight> groups,
        Func<Flight, ConsoleSession> by,
        Func<Flight, TestBrowser.Page, Dictionary<string, string>> fields,
        string handler)
    {
        foreach (var group in groups)
        {
            var session = by(group);
            var page = await session.GetAsync($"/console/groups/{group.Id}");
            var sent = await session.SubmitAsync(page, handler, fields(group, page));
            Assert.True(sent.Status == HttpStatusCode.OK, $"{handler} of {group.Id}: {sent.Status}");
        }

        foreach (var group in groups)
        {
            var done = await ConsoleGroupTests.DoneAsync(by(group), group.Id, TimeSpan.FromMinutes(3));
            Assert.DoesNotContain("data-field=\"operation\"", done.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("data-field=\"member-problem\"", done.Html, StringComparison.Ordinal);
        }
    }

    /// <summary>Every group settled: 977 returned, the two rejected, the one missing; the referrals say the same.</summary>
    private async Task AssertSettledAsync(HttpClient holder, IEnumerable<Guid> groups, IReadOnlySet<Guid> rejected, Guid missing)
    {
        var members = new List<GroupMemberView>();
        foreach (var id in groups)
        {
            members.AddRange((await holder.GetFromJsonAsync<GroupView>($"/api/v1/groups/{id}", Json.Options))!.Members);
        }

        Assert.Equal(
            [(GroupMemberStatus.Rejected, 2), (GroupMemberStatus.Returned, Good - 3), (GroupMemberStatus.Missing, 1)],
            members.GroupBy(m => m.Status).OrderBy(g => g.Key).Select(g => (g.Key, g.Count())));
        Assert.Equal(rejected.Order(), members.Where(m => m.Status == GroupMemberStatus.Rejected).Select(m => m.ReferralId).Order());
        Assert.Equal(missing, Assert.Single(members, m => m.Status == GroupMemberStatus.Missing).ReferralId);
        var stages = await Eventually.Until(() => StagesAsync(members.Select(m => m.ReferralId)), s => s.GetValueOrDefault(Stage.Returned) == Good - 3, TimeSpan.FromSeconds(60));
        Assert.Equal(Good - 3, stages.GetValueOrDefault(Stage.Returned));
    }

    /// <summary>
    /// A returned member's history (event numbers and types, not times or ids) is that of a person of the same nationality
    /// taken through the same steps alone, by the single referral's routes.
    /// </summary>
    private async Task AssertAsIfAloneAsync(HttpClient holder, Guid member, string nationality)
    {
        using var origin = await Platform.ClientForAsync(Origins[nationality]);
        var identifiedIn = (await PartnerApi.GetReferralAsync(origin, member))!.IdentifiedIn;
        var alone = await ReferralRequests.CreateAsync(holder, ReferralRequests.VietnameseWoman(identifiedIn) with
        {
            Subject = ReferralRequests.VietnameseWoman().Subject! with { Nationality = nationality, Languages = [] },
        });
        var path = $"/api/v1/referrals/{alone.Id}";
        await PartnerApi.ChangeAsync(holder, $"{path}/screening", new ScreeningRequest(["recruited-online-job-offer"]));
        await PartnerApi.ChangeAsync(holder, $"{path}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
        await PartnerApi.ChangeAsync(holder, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, Origins[nationality], true, ConsentMethod.Written));
        var handoff = await PartnerApi.ReadAsync<HandoffView>(await PartnerApi.PostAsync(holder, $"{path}/handoffs", new HandoffRequest(Origins[nationality], HandoffKind.Custody, null, null, null, null)));
        await PartnerApi.ChangeAsync(origin, $"{path}/handoffs/{handoff.Id}/accept", null);
        await PartnerApi.ChangeAsync(origin, $"{path}/nationality-verification", new NationalityVerificationRequest(NationalityOutcome.Confirmed, null));
        await PartnerApi.ChangeAsync(holder, $"{path}/return-plan", new ReturnPlanRequest(TravelDocument.EmergencyTravelDocument, new DateOnly(2027, 3, 3), "Flight", null));
        await PartnerApi.ChangeAsync(holder, $"{path}/return-confirmation", new ReturnConfirmationRequest(DateTimeOffset.UtcNow));
        await PartnerApi.ChangeAsync(origin, $"{path}/return-confirmation", new ReturnConfirmationRequest(DateTimeOffset.UtcNow));

        var theirs = await origin.GetFromJsonAsync<List<HistoryEntry>>($"/api/v1/referrals/{member}/history", Json.Options);
        var lone = await origin.GetFromJsonAsync<List<HistoryEntry>>($"{path}/history", Json.Options);
        Assert.Equal(Stage.Returned, (await PartnerApi.GetReferralAsync(origin, alone.Id))!.Stage);
        Assert.Equal(lone!.Select(h => (h.Number, h.Type, h.ActingOrganizationId)), theirs!.Select(h => (h.Number, h.Type, h.ActingOrganizationId)));
    }

    private static async Task ScreenAsync(HttpClient holder, IEnumerable<Guid> people) =>
        await Parallel.ForEachAsync(people, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (id, _) =>
            await PartnerApi.ChangeAsync(holder, $"/api/v1/referrals/{id}/screening", new ScreeningRequest(["recruited-online-job-offer"])));

    /// <summary>Each person's consent to return, and to their file going to the focal point of their country.</summary>
    private static async Task ConsentAsync(HttpClient holder, IReadOnlyDictionary<Guid, string> people) =>
        await Parallel.ForEachAsync(people, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (person, _) =>
        {
            await PartnerApi.ChangeAsync(holder, $"/api/v1/referrals/{person.Key}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
            await PartnerApi.ChangeAsync(holder, $"/api/v1/referrals/{person.Key}/consents", new ConsentRequest(ConsentPurpose.Share, Origins[person.Value], true, ConsentMethod.Written));
        });

    /// <summary>
    /// The API's 1,000 people, as the CSV file's (<see cref="ConsoleIntakeTests.ThousandRows"/>): Cambodians and every third
    /// a Myanmar national, every 50th wrong (no given name, or no such country) and refused.
    /// </summary>
    private static List<ReferralBatchItem> ThousandItems() =>
        [.. Enumerable.Range(1, Rows).Select(i => new ReferralBatchItem($"row-{i}", ReferralRequests.VietnameseWoman("VN") with
        {
            Subject = ReferralRequests.VietnameseWoman().Subject! with
            {
                GivenName = i % 100 == 0 ? null : $"Surge{i}",
                Nationality = i % 100 == 50 ? "ZZ" : i % 3 == 0 ? "MM" : "KH",
                Languages = [],
            },
        }))];

    /// <summary>The referrals the organization holds (the list's read model), with each one's nationality.</summary>
    private async Task<Dictionary<Guid, string>> HeldAsync(string organization)
    {
        await using var scope = Platform.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Referrals.Where(r => r.Holder == organization).ToDictionaryAsync(r => r.Id, r => r.Nationality);
    }

    private async Task<Dictionary<Stage, int>> StagesAsync(IEnumerable<Guid> ids)
    {
        var wanted = ids.ToList();
        await using var scope = Platform.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Referrals.Where(r => wanted.Contains(r.Id)).Select(r => r.Stage).ToListAsync())
            .GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>The people the new-group page lists, in its order.</summary>
    private static List<Guid> Listed(TestBrowser.Page page) =>
        [.. Regex.Matches(page.Html, "name=\"referrals\" value=\"(?<id>[0-9a-f-]{36})\"").Select(m => Guid.Parse(m.Groups["id"].Value))];

    /// <summary>The lines of a group page's per-person form (<c>verify[i]</c>, <c>plan[i]</c>, <c>handover[i]</c>): index and person.</summary>
    private static IEnumerable<(int Index, Guid Referral)> Lines(TestBrowser.Page page, string form) =>
        Regex.Matches(page.Html, $"name=\"{form}\\[(?<i>\\d+)\\]\\.referralId\" value=\"(?<id>[0-9a-f-]{{36}})\"")
            .Select(m => (int.Parse(m.Groups["i"].Value, CultureInfo.InvariantCulture), Guid.Parse(m.Groups["id"].Value)));

    private static Dictionary<string, string> Indexed(string name, IEnumerable<string> values) =>
        values.Select((v, i) => KeyValuePair.Create(string.Format(CultureInfo.InvariantCulture, name, i), v)).ToDictionary();

    /// <summary>A return group of the journey: its people, of one nationality.</summary>
    private sealed record Flight(Guid Id, string Nationality, List<Guid> Members);

    [GeneratedRegex("^/console/groups/(?<id>[0-9a-f-]{36})$")]
    private static partial Regex GroupPath();
}
