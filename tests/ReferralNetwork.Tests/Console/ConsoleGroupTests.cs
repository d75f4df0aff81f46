using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Tests.Support;
using ReferralNetwork.WebConsole.Pages.Work;

namespace ReferralNetwork.Tests.Console;

/// <summary>
/// The return-group pages below the browser: the list, a group's page with the step each side may take now (offer,
/// accept or decline per person, verification per person, the plan with each person's document, each side's handover
/// with its exceptions), all through the API's own path, and the manifest to print, audited per person and never
/// cached. A group outside the caller's reach is the same 404 as one that does not exist; a role that may not act is
/// told so in the person's language.
/// </summary>
public sealed class ConsoleGroupTests(SharedPlatform platform)
{
    private PlatformFactory Platform => platform.Factory;

    [Fact]
    public async Task A_group_goes_from_offer_to_handover_on_its_pages_per_person_and_the_manifest_is_audited_and_not_cached()
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var members = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            members.Add(await ConsentedAsync(thailand));
        }

        var group = await CreateAsync(thailand, "Bus through Poipet, 3 March", members);
        var (thai, thaiHome) = await ConsoleSession.SignInAsync(Platform, "supervisor@th-focal-point");
        using var _ = thai;

        Assert.Contains("href=\"/console/groups\"", thaiHome.Html, StringComparison.Ordinal);
        var list = await thai.GetAsync("/console/groups");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Contains($"<a href=\"/console/groups/{group.Id}\">Bus through Poipet, 3 March</a>", list.Html, StringComparison.Ordinal);
        Assert.Contains("data-count=\"listed\">Listed: 3<", Row(list, group.Id), StringComparison.Ordinal);

        var page = await thai.GetAsync($"/console/groups/{group.Id}");
        Assert.Equal(3, Regex.Matches(page.Html, "data-field=\"member-status\">Listed<").Count);
        Assert.Contains(GroupModel.ShortRef(members[0]), page.Html, StringComparison.Ordinal);
        Assert.DoesNotMatch($@"\b{ReferralRequests.GivenName}\b", page.Html);
        Assert.DoesNotContain("data-link=\"manifest\"", page.Html, StringComparison.Ordinal);

        var offered = await thai.SubmitAsync(page, "handler=Offer", new Dictionary<string, string> { ["toOrganizationId"] = "vn-focal-point" });
        Assert.Equal(HttpStatusCode.OK, offered.Status);
        Assert.Equal($"/console/groups/{group.Id}", offered.Url.AbsolutePath); // a GET after the POST
        Assert.Contains("The group&#x27;s offer is on its way to each person", offered.Html, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Matches((await DoneAsync(thai, group.Id)).Html, "data-field=\"member-status\">Offered<").Count);

        // The origin answers per person: two accepted, one declined with a reason.
        var (viet, _) = await ConsoleSession.SignInAsync(Platform, "supervisor@vn-focal-point");
        using var __ = viet;
        var theirList = await viet.GetAsync("/console/groups");
        Assert.Contains("Offered to you by", Row(theirList, group.Id), StringComparison.Ordinal);
        var theirs = await viet.GetAsync($"/console/groups/{group.Id}");
        var accepted = await viet.SubmitAsync(theirs, "handler=Accept", new Dictionary<string, string>
        {
            ["referrals[0]"] = members[0].ToString(), ["referrals[1]"] = members[1].ToString(),
        });
        Assert.Contains("Your acceptance is on its way", accepted.Html, StringComparison.Ordinal);
        theirs = await DoneAsync(viet, group.Id);
        var noReason = await viet.SubmitAsync(theirs, "handler=Decline", new Dictionary<string, string> { ["referrals[0]"] = members[2].ToString() });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.Status);
        Assert.Contains("role=\"alert\"", noReason.Html, StringComparison.Ordinal);
        await viet.SubmitAsync(noReason, "handler=Decline", new Dictionary<string, string> { ["referrals[0]"] = members[2].ToString(), ["reason"] = "Not on our list yet." });
        theirs = await DoneAsync(viet, group.Id);
        Assert.Equal(["Accepted", "Accepted", "Declined"], Statuses(theirs, members));

        // Verification per person: each line its own outcome; a line left at "not now" is not verified.
        var verified = await viet.SubmitAsync(theirs, "handler=Verify", new Dictionary<string, string>
        {
            ["verify[0].outcome"] = "Confirmed", ["verify[1].outcome"] = "Confirmed",
        });
        Assert.Equal(HttpStatusCode.OK, verified.Status);
        Assert.Equal(["Nationality confirmed", "Nationality confirmed", "Declined"], Statuses(await DoneAsync(viet, group.Id), members));

        // The plan, each person with their own travel document.
        page = await thai.GetAsync($"/console/groups/{group.Id}");
        var planned = await thai.SubmitAsync(page, "handler=Plan", new Dictionary<string, string>
        {
            ["plannedFor"] = "2027-03-03", ["crossingPoint"] = "Poipet", ["escort"] = "Two officers",
            ["plan[0].travelDocument"] = "Passport", ["plan[1].travelDocument"] = "EmergencyTravelDocument",
        });
        Assert.Equal(HttpStatusCode.OK, planned.Status);
        page = await DoneAsync(thai, group.Id);
        Assert.Equal(["Return planned", "Return planned", "Declined"], Statuses(page, members));
        Assert.Equal(TravelDocument.EmergencyTravelDocument, (await PartnerApi.GetReferralAsync(thailand, members[1]))!.ReturnPlan!.TravelDocument);

        // The manifest: the two planned, named as the handover needs, never cached, and each a read in that person's access log.
        Assert.Contains("data-link=\"manifest\"", page.Html, StringComparison.Ordinal);
        var manifest = await thai.GetAsync($"/console/groups/{group.Id}/manifest");
        Assert.Equal(HttpStatusCode.OK, manifest.Status);
        Assert.Equal("no-store", manifest.CacheControl);
        Assert.Equal(2, Regex.Matches(manifest.Html, $">{ReferralRequests.FamilyName}<").Count);
        Assert.Contains("data-field=\"crossing-point\">Poipet<", manifest.Html, StringComparison.Ordinal);
        Assert.Contains(">Emergency travel document<", manifest.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(members[2].ToString(), manifest.Html, StringComparison.Ordinal);
        var log = await thailand.GetFromJsonAsync<List<AccessLogEntry>>($"/api/v1/referrals/{members[0]}/access-log", Json.Options);
        var read = Assert.Single(log!);
        Assert.Equal(("th-focal-point", AccessPurpose.ReturnPlanning), (read.OrganizationId, read.Purpose));
        Assert.NotNull(read.Person);
        Assert.Empty((await thailand.GetFromJsonAsync<List<AccessLogEntry>>($"/api/v1/referrals/{members[2]}/access-log", Json.Options))!);

        // Each side's handover: one person handed over by both, the other missing at the crossing.
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture); // an English person's clock is UTC
        var sent = await thai.SubmitAsync(page, "handler=Handover", new Dictionary<string, string>
        {
            ["handedOverAt"] = now, ["handover[0].outcome"] = "HandedOver", ["handover[1].outcome"] = "Missing",
        });
        Assert.Equal(HttpStatusCode.OK, sent.Status);
        Assert.Equal(["Return planned", "Missing at the handover", "Declined"], Statuses(await DoneAsync(thai, group.Id), members));
        theirs = await viet.GetAsync($"/console/groups/{group.Id}");
        Assert.Contains("Handover (Receiving side)", theirs.Html, StringComparison.Ordinal);
        await viet.SubmitAsync(theirs, "handler=Handover", new Dictionary<string, string> { ["handedOverAt"] = now, ["handover[0].outcome"] = "HandedOver" });
        theirs = await DoneAsync(viet, group.Id);
        Assert.Equal(["Returned", "Missing at the handover", "Declined"], Statuses(theirs, members));
        Assert.DoesNotContain("handler=Handover", theirs.Html, StringComparison.Ordinal);
        Assert.Equal(Stage.Returned, (await PartnerApi.GetReferralAsync(thailand, members[0]))!.Stage);
    }

    [Fact]
    public async Task A_person_the_workflow_refuses_shows_why_on_their_own_line_and_a_group_offered_elsewhere_leaves_the_first_list()
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var willing = await ConsentedAsync(thailand);
        var unwilling = (await ReferralRequests.CreateAsync(thailand)).Id; // no consent to return: consent is each person's
        var group = await CreateAsync(thailand, "Charter flight BKK-SGN", [willing, unwilling]);
        var (thai, _) = await ConsoleSession.SignInAsync(Platform, "supervisor@th-focal-point");
        using var _ = thai;
        var (cambodia, _) = await ConsoleSession.SignInAsync(Platform, "supervisor@kh-focal-point");
        using var __ = cambodia;

        // Offered to the wrong country first: every person is refused, alone, and the group is in Cambodia's list.
        await thai.SubmitAsync(await thai.GetAsync($"/console/groups/{group.Id}"), "handler=Offer", new Dictionary<string, string> { ["toOrganizationId"] = "kh-focal-point" });
        var refused = await DoneAsync(thai, group.Id);
        Assert.Equal(["Not offered (refused)", "Not offered (refused)"], Statuses(refused, [willing, unwilling]));
        Assert.Contains("A return across the border goes to the focal point of the person&#x27;s own country.", refused.Html, StringComparison.Ordinal);
        Assert.Contains(group.Id.ToString(), (await cambodia.GetAsync("/console/groups")).Html, StringComparison.Ordinal);

        await thai.SubmitAsync(refused, "handler=Offer", new Dictionary<string, string> { ["toOrganizationId"] = "vn-focal-point" });
        var offered = await DoneAsync(thai, group.Id);

        Assert.Equal(["Offered", "Not offered (refused)"], Statuses(offered, [willing, unwilling]));
        Assert.Contains("The person has not agreed to return. This is never overridden.", Member(offered, unwilling), StringComparison.Ordinal);
        Assert.Contains($"href=\"/console/referrals/{unwilling}\"", Member(offered, unwilling), StringComparison.Ordinal);
        var theirs = await cambodia.GetAsync("/console/groups");
        Assert.Equal(HttpStatusCode.OK, theirs.Status);
        Assert.DoesNotContain(group.Id.ToString(), theirs.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await cambodia.GetAsync($"/console/groups/{group.Id}")).Status);

        // The flight is cancelled: the holder withdraws the group, the open offer is withdrawn, and no step is offered any more.
        var withdrawing = await thai.SubmitAsync(offered, "handler=Withdraw", new Dictionary<string, string> { ["reason"] = "The flight was cancelled." });
        Assert.Contains("The group is withdrawn", withdrawing.Html, StringComparison.Ordinal);
        var withdrawn = await DoneAsync(thai, group.Id);
        Assert.Equal(["Offer withdrawn with the group", "Not offered (refused)"], Statuses(withdrawn, [willing, unwilling]));
        Assert.Contains("data-field=\"withdrawn\"", withdrawn.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Withdraw", withdrawn.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Offer", withdrawn.Html, StringComparison.Ordinal);
        Assert.Equal(HandoffStatus.Withdrawn, Assert.Single((await PartnerApi.GetReferralAsync(thailand, willing))!.Handoffs).Status);
    }

    [Theory]
    [InlineData("officer@th-shelter-bangkok")]
    [InlineData("supervisor@kh-focal-point")]
    public async Task A_group_outside_the_callers_reach_is_the_same_not_found_as_one_that_does_not_exist(string person)
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var group = await CreateAsync(thailand, "Charter flight BKK-HAN", [await ConsentedAsync(thailand)]);
        var (session, home) = await ConsoleSession.SignInAsync(Platform, person);
        using var _ = session;
        var (holder, _) = await ConsoleSession.SignInAsync(Platform, "supervisor@th-focal-point");
        using var __ = holder;
        var holders = await holder.GetAsync($"/console/groups/{group.Id}");

        var other = await session.GetAsync($"/console/groups/{group.Id}");
        var missing = await session.GetAsync($"/console/groups/{Guid.NewGuid()}");
        var manifest = await session.GetAsync($"/console/groups/{group.Id}/manifest");
        var list = await session.GetAsync("/console/groups");
        // The holder's Offer form, sent with this person's cookie and anti-forgery token.
        var forged = holders with { Html = holders.Html.Replace(AntiForgeryOf(holders.Html), AntiForgeryOf(home.Html), StringComparison.Ordinal) };
        var offer = await session.SubmitAsync(forged, "handler=Offer", new Dictionary<string, string> { ["toOrganizationId"] = "vn-focal-point" });

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound), (other.Status, missing.Status, manifest.Status, offer.Status));
        Assert.Equal(MainContent(missing.Html), MainContent(other.Html));
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.DoesNotContain(group.Id.ToString(), list.Html, StringComparison.Ordinal);
        var unchanged = await thailand.GetFromJsonAsync<GroupView>($"/api/v1/groups/{group.Id}", Json.Options);
        Assert.Equal((1, null), (unchanged!.Version, unchanged.OfferedTo));
    }

    [Fact]
    public async Task An_officer_follows_a_group_but_its_steps_are_a_supervisors_and_are_refused_in_the_persons_language()
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var group = await CreateAsync(thailand, "Charter flight BKK-HAN", [await ConsentedAsync(thailand)]);
        var (officer, _) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point", "th");
        using var _ = officer;
        var (holder, _) = await ConsoleSession.SignInAsync(Platform, "supervisor@th-focal-point");
        using var __ = holder;

        var page = await officer.GetAsync($"/console/groups/{group.Id}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("data-field=\"no-actions\"", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Offer", page.Html, StringComparison.Ordinal);

        var holders = await holder.GetAsync($"/console/groups/{group.Id}");
        var forged = holders with { Html = holders.Html.Replace(AntiForgeryOf(holders.Html), AntiForgeryOf(page.Html), StringComparison.Ordinal) };
        var offer = await officer.SubmitAsync(forged, "handler=Offer", new Dictionary<string, string> { ["toOrganizationId"] = "vn-focal-point" });

        Assert.Equal(HttpStatusCode.Forbidden, offer.Status);
        Assert.Contains("บทบาทของท่านไม่มีสิทธิ์ดำเนินการนี้", offer.Html, StringComparison.Ordinal); // role-does-not-allow, in Thai
        Assert.Null((await thailand.GetFromJsonAsync<GroupView>($"/api/v1/groups/{group.Id}", Json.Options))!.OfferedTo);

        // An organization admin reads no referrals: neither the list nor the manifest (the API's 403 for the scope).
        var (admin, adminHome) = await ConsoleSession.SignInAsync(Platform, "admin@th-focal-point");
        using var ___ = admin;
        Assert.DoesNotContain("href=\"/console/groups\"", adminHome.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/console/groups")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync($"/console/groups/{group.Id}/manifest")).Status);
    }

    [Fact]
    public async Task A_supervisor_makes_a_group_on_its_page_from_people_of_one_nationality_by_reference_and_lands_on_it()
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var people = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            people.Add(await LaoAsync(thailand));
        }

        var (thai, _) = await ConsoleSession.SignInAsync(Platform, "supervisor@th-focal-point");
        using var _ = thai;
        var list = await thai.GetAsync("/console/groups");
        Assert.Contains("href=\"/console/groups/new\"", list.Html, StringComparison.Ordinal);

        var choose = await thai.GetAsync("/console/groups/new");
        Assert.Equal(HttpStatusCode.OK, choose.Status);
        Assert.Contains("<option value=\"LA\">Lao PDR</option>", choose.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<option value=\"TH\"", choose.Html, StringComparison.Ordinal); // no return across a border to plan
        Assert.DoesNotContain("handler=Create", choose.Html, StringComparison.Ordinal);

        // The people of the nationality, each on their own line by reference and never by name; "tick all" ticks them all.
        var lao = await Eventually.Until(() => thai.GetAsync("/console/groups/new?nationality=LA&all=true"), p => people.All(id => p.Html.Contains(id.ToString(), StringComparison.Ordinal)));
        foreach (var person in people)
        {
            Assert.Contains($"<input type=\"checkbox\" id=\"pick-{person:N}\" name=\"referrals\" value=\"{person}\" checked=\"checked\"><label for=\"pick-{person:N}\">Person {GroupModel.ShortRef(person)}</label>", lao.Html, StringComparison.Ordinal);
        }

        Assert.DoesNotMatch($@"\b{ReferralRequests.GivenName}\b", lao.Html);
        Assert.DoesNotContain($"value=\"{(await ReferralRequests.CreateAsync(thailand)).Id}\"", lao.Html, StringComparison.Ordinal); // Vietnamese: another group

        var made = await thai.SubmitAsync(lao, "handler=Create", Chosen("Bus Nong Khai, 9 March", people[0], people[1]));

        Assert.Equal(HttpStatusCode.OK, made.Status);
        var id = Guid.Parse(Regex.Match(made.Url.AbsolutePath, "^/console/groups/(?<id>[0-9a-f-]{36})$").Groups["id"].Value); // a GET after the POST
        Assert.Contains("The group is created.", made.Html, StringComparison.Ordinal);
        Assert.Equal(["Listed", "Listed"], Statuses(made, people.Take(2)));
        var group = await thailand.GetFromJsonAsync<GroupView>($"/api/v1/groups/{id}", Json.Options);
        Assert.Equal(("Bus Nong Khai, 9 March", "LA", "th-focal-point"), (group!.Label, group.Nationality, group.Holder));
        Assert.Equal(people.Take(2), group.Members.Select(m => m.ReferralId));

        // The two are in an open group now: no longer offered for another; the third still is.
        var after = await thai.GetAsync("/console/groups/new?nationality=LA");
        Assert.DoesNotContain($"value=\"{people[0]}\"", after.Html, StringComparison.Ordinal);
        Assert.Contains($"value=\"{people[2]}\"", after.Html, StringComparison.Ordinal);
        Assert.DoesNotContain($"value=\"{people[2]}\" checked", after.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_new_group_page_refuses_a_person_of_another_nationality_or_organization_on_their_line_and_creates_nothing()
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        using var cambodia = await Platform.ClientForAsync("kh-focal-point");
        var free = await LaoAsync(thailand);
        var grouped = await LaoAsync(thailand);
        await CreateAsync(thailand, "Bus Vientiane, 1 April", [grouped]);
        var vietnamese = (await ReferralRequests.CreateAsync(thailand)).Id;
        var cambodias = (await ReferralRequests.CreateAsync(cambodia, ReferralRequests.VietnameseWoman("KH") with
        {
            Subject = ReferralRequests.VietnameseWoman().Subject! with { Nationality = "LA", Languages = ["lo"] },
        })).Id;
        var (thai, _) = await ConsoleSession.SignInAsync(Platform, "supervisor@th-focal-point", "km");
        using var _ = thai;
        var page = await Eventually.Until(() => thai.GetAsync("/console/groups/new?nationality=LA"), p => p.Html.Contains(free.ToString(), StringComparison.Ordinal));
        var before = await GroupCountAsync(thailand);

        // A person of another nationality, and one of another organization, sent with the form: refused, the same as any.
        foreach (var other in new[] { vietnamese, cambodias })
        {
            var refused = await thai.SubmitAsync(page, "handler=Create", Chosen("Bus Vientiane, 2 April", free, other));
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Contains("role=\"alert\"", refused.Html, StringComparison.Ordinal);
            Assert.Contains("referrals[1]", refused.Html, StringComparison.Ordinal);
            Assert.Contains($"value=\"{free}\" checked", refused.Html, StringComparison.Ordinal); // the choice is kept
        }

        // A person in another open group is refused on their own line, in the person's language; the others are kept ticked.
        var inGroup = await thai.SubmitAsync(page, "handler=Create", Chosen("Bus Vientiane, 2 April", free, grouped));
        Assert.Equal(HttpStatusCode.BadRequest, inGroup.Status);
        var line = Regex.Match(inGroup.Html, $"<tr data-referral=\"{grouped}\">.*?</tr>", RegexOptions.Singleline).Value;
        Assert.Contains("data-field=\"refused\">បុគ្គលនេះស្ថិតនៅក្នុងក្រុមមាតុភូមិនិវត្តន៍មួយទៀតដែលកំពុងដំណើរការ។<", line, StringComparison.Ordinal);
        Assert.DoesNotContain("data-field=\"refused\"", Regex.Match(inGroup.Html, $"<tr data-referral=\"{free}\">.*?</tr>", RegexOptions.Singleline).Value, StringComparison.Ordinal);

        // Bad input: no label, or nobody ticked.
        var noLabel = await thai.SubmitAsync(page, "handler=Create", Chosen(" ", free));
        var nobody = await thai.SubmitAsync(page, "handler=Create", Chosen("Bus Vientiane, 2 April"));
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (noLabel.Status, nobody.Status));
        Assert.Contains("<code>label</code>", noLabel.Html, StringComparison.Ordinal);
        Assert.Contains("<code>referrals</code>", nobody.Html, StringComparison.Ordinal);

        Assert.Equal(before, await GroupCountAsync(thailand));
    }

    [Theory]
    [InlineData("officer@th-focal-point")]
    [InlineData("admin@th-focal-point")]
    public async Task The_new_group_page_is_refused_to_a_person_whose_role_does_not_do_group_operations(string person)
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var lao = await LaoAsync(thailand);
        var (session, home) = await ConsoleSession.SignInAsync(Platform, person);
        using var _ = session;
        var (supervisor, _) = await ConsoleSession.SignInAsync(Platform, "supervisor@th-focal-point");
        using var __ = supervisor;
        var theirs = await Eventually.Until(() => supervisor.GetAsync("/console/groups/new?nationality=LA"), p => p.Html.Contains(lao.ToString(), StringComparison.Ordinal));
        var before = await GroupCountAsync(thailand);

        var page = await session.GetAsync("/console/groups/new?nationality=LA");
        var forged = theirs with { Html = theirs.Html.Replace(AntiForgeryOf(theirs.Html), AntiForgeryOf(home.Html), StringComparison.Ordinal) };
        var post = await session.SubmitAsync(forged, "handler=Create", Chosen("Bus Vientiane, 3 April", lao));

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (page.Status, post.Status));
        Assert.Contains("role=\"alert\"", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(lao.ToString(), page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/console/groups/new\"", (await session.GetAsync("/console/groups")).Html, StringComparison.Ordinal);
        Assert.Equal(before, await GroupCountAsync(thailand));
    }

    /// <summary>A Lao person identified in Thailand (a nationality no other test of the shared platform groups).</summary>
    private static async Task<Guid> LaoAsync(HttpClient holder) =>
        (await ReferralRequests.CreateAsync(holder, ReferralRequests.VietnameseWoman() with
        {
            Subject = ReferralRequests.VietnameseWoman().Subject! with { Nationality = "LA", Languages = ["lo"] },
        })).Id;

    /// <summary>The new group's form: a label and the people ticked.</summary>
    internal static Dictionary<string, string> Chosen(string label, params IEnumerable<Guid> people) =>
        new[] { KeyValuePair.Create("label", label) }.Concat(people.Select((id, i) => KeyValuePair.Create($"referrals[{i}]", id.ToString()))).ToDictionary();

    private static async Task<int> GroupCountAsync(HttpClient holder) =>
        (await holder.GetFromJsonAsync<List<GroupSummary>>("/api/v1/groups", Json.Options))!.Count;

    private static async Task<Guid> ConsentedAsync(HttpClient holder)
    {
        var referral = await ReferralRequests.CreateAsync(holder);
        await PartnerApi.ChangeAsync(holder, $"/api/v1/referrals/{referral.Id}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
        await PartnerApi.ChangeAsync(holder, $"/api/v1/referrals/{referral.Id}/consents", new ConsentRequest(ConsentPurpose.Share, "vn-focal-point", true, ConsentMethod.Written));
        return referral.Id;
    }

    private static async Task<GroupView> CreateAsync(HttpClient client, string label, IReadOnlyList<Guid> members)
    {
        using var response = await PartnerApi.PostAsync(client, "/api/v1/groups", new CreateGroupRequest(label, members));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await PartnerApi.ReadAsync<GroupView>(response);
    }

    /// <summary>The group's page once its operation has reached every member (a flight of hundreds takes longer than a minute on a busy machine).</summary>
    internal static Task<TestBrowser.Page> DoneAsync(ConsoleSession session, Guid id, TimeSpan? timeout = null) =>
        Eventually.Until(() => session.GetAsync($"/console/groups/{id}"), page => !page.Html.Contains("data-field=\"operation\"", StringComparison.Ordinal), timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>Each member's status as the page shows it, in the order of <paramref name="members"/>.</summary>
    private static List<string> Statuses(TestBrowser.Page page, IEnumerable<Guid> members) =>
        [.. members.Select(id => Regex.Match(page.Html, $"<tr data-member=\"{id}\">.*?data-field=\"member-status\">(?<s>[^<]*)<", RegexOptions.Singleline) is { Success: true } m
            ? WebUtility.HtmlDecode(m.Groups["s"].Value) : $"{id} not on the page")];

    private static string Member(TestBrowser.Page page, Guid referral)
    {
        var start = page.Html.IndexOf($"<tr data-member=\"{referral}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{referral} is not on {page.Url}");
        return page.Html[start..page.Html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    private static string Row(TestBrowser.Page page, Guid group)
    {
        var start = page.Html.IndexOf($"data-group=\"{group}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"group {group} is not on {page.Url}");
        return page.Html[start..page.Html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    private static string AntiForgeryOf(string html)
    {
        var input = Regex.Match(html, "<input[^>]*name=\"__RequestVerificationToken\"[^>]*>");
        Assert.True(input.Success, "no anti-forgery token on the page");
        return Regex.Match(input.Value, "value=\"(?<v>[^\"]+)\"").Groups["v"].Value;
    }

    private static string MainContent(string html) => Regex.Match(html, "<main[^>]*>(?<m>.*)</main>", RegexOptions.Singleline).Groups["m"].Value;
}
