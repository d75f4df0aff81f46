using System.Globalization;
using System.Net;
using System.Resources;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Tests.Support;
using ReferralNetwork.WebConsole;

namespace ReferralNetwork.Tests.Console;

/// <summary>
/// The signed-in console below the browser: sign-in through the console's own code flow, the work waiting, the pages of
/// a referral and its forms, refusals in the person's language, stale forms, the subject behind its purpose, the idle
/// timeout and signing out. The browser journeys (tests/ReferralNetwork.EndToEnd/Browser) look at the same pages.
/// </summary>
public sealed class ConsoleWorkTests(SharedPlatform platform)
{
    private PlatformFactory Platform => platform.Factory;

    [Fact]
    public async Task Signing_in_through_the_console_lands_on_the_work_waiting_with_a_console_cookie()
    {
        var (session, home) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point");
        using var _ = session;

        Assert.Equal(HttpStatusCode.OK, home.Status);
        Assert.Equal("/console", home.Url.AbsolutePath);
        Assert.Contains("<h1>Work waiting</h1>", home.Html, StringComparison.Ordinal);
        Assert.Contains(session.Browser.Cookies(new Uri(PlatformFactory.Issuer)).Cast<Cookie>(), c => c.Name == "rn.console" && c.HttpOnly);
    }

    [Fact]
    public async Task An_offer_made_to_the_organization_is_on_its_work_waiting_and_opens_only_the_offer()
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var referral = await ReferralRequests.CreateAsync(thailand);
        await GiveConsentsAsync(thailand, referral.Id, "vn-focal-point");
        var offer = await PartnerApi.ReadAsync<HandoffView>(await PartnerApi.PostAsync(thailand, $"/api/v1/referrals/{referral.Id}/handoffs",
            new HandoffRequest("vn-focal-point", HandoffKind.Custody, null, null, null, null)));

        var (session, home) = await ConsoleSession.SignInAsync(Platform, "officer@vn-focal-point");
        using var _ = session;
        var offerPage = await Eventually.Until(() => session.GetAsync($"/console/offers/{offer.Id}"), page => page.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        home = await session.GetAsync("/console");

        Assert.Contains($"/console/offers/{offer.Id}", home.Html, StringComparison.Ordinal);
        Assert.Equal("Offered", ConsoleSession.Field(offerPage, "handoff-status"));
        Assert.DoesNotMatch($@"\b{ReferralRequests.GivenName}\b", offerPage.Html);

        var accepted = await session.SubmitAsync(offerPage, "handler=Accept");

        Assert.Equal($"/console/referrals/{referral.Id}", accepted.Url.AbsolutePath);
        Assert.Equal("Return requested", ConsoleSession.Field(accepted, "stage"));
        Assert.Contains("You accepted the offer.", accepted.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_referral_of_another_country_is_the_same_not_found_page_as_one_that_does_not_exist()
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var thai = await ReferralRequests.CreateAsync(thailand);
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@kh-focal-point");
        using var __ = session;

        var other = await session.GetAsync($"/console/referrals/{thai.Id}");
        var missing = await session.GetAsync($"/console/referrals/{Guid.NewGuid()}");
        var otherSubject = await session.GetAsync($"/console/referrals/{thai.Id}/subject");

        Assert.Equal(HttpStatusCode.NotFound, other.Status);
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal(HttpStatusCode.NotFound, otherSubject.Status);
        Assert.Equal(MainContent(missing.Html), MainContent(other.Html));
        Assert.Contains("Not found", other.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_referral_created_in_the_console_shows_no_name_and_its_subject_page_asks_why_before_showing_it()
    {
        var name = $"Consolegiven{Guid.NewGuid():N}"[..24];
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point");
        using var __ = session;
        var form = await session.GetAsync("/console/referrals/new");

        var created = await session.SubmitAsync(form, "/console/referrals/new", new Dictionary<string, string>
        {
            ["Form.GivenName"] = name, ["Form.FamilyName"] = "Nguyen", ["Form.Sex"] = "Female", ["Form.DateOfBirth"] = "2001-03-14",
            ["Form.Nationality"] = "VN", ["Form.Languages"] = "vi", ["Form.IdentifiedAt"] = "2026-11-20T08:00", ["Form.Exploitation"] = "ForcedCriminality",
        });
        var id = ConsoleSession.ReferralOf(created);
        var subjectPage = await session.GetAsync($"/console/referrals/{id}/subject");
        var shown = await session.SubmitAsync(subjectPage, "handler=Read", new Dictionary<string, string> { ["purpose"] = "CaseWork", ["note"] = "checking the spelling" });
        var afterwards = await session.GetAsync($"/console/referrals/{id}/subject");

        Assert.Equal("Identified", ConsoleSession.Field(created, "stage"));
        Assert.DoesNotContain(name, created.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(name, created.Url.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(name, subjectPage.Html, StringComparison.Ordinal);
        Assert.Equal(name, ConsoleSession.Field(shown, "given-name"));
        Assert.DoesNotContain(name, shown.Url.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(name, afterwards.Html, StringComparison.Ordinal);
        Assert.Contains("checking the spelling", afterwards.Html, StringComparison.Ordinal); // the holder's access log
    }

    [Fact]
    public async Task A_date_of_birth_typed_in_the_Thai_console_is_a_Buddhist_era_date_and_makes_a_child_of_a_16_year_old()
    {
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point", "th");
        using var __ = session;
        var form = await session.GetAsync("/console/referrals/new");

        // 14/3/2553 in the Thai calendar is 14 March 2010: 16 at identification, a child, for whom no means is needed.
        var created = await session.SubmitAsync(form, "/console/referrals/new", new Dictionary<string, string>
        {
            ["Form.GivenName"] = "Child", ["Form.Sex"] = "Female", ["Form.DateOfBirth"] = "14/3/2553", ["Form.Nationality"] = "MM",
            ["Form.IdentifiedAt"] = "2026-11-20T08:00", ["Form.Exploitation"] = "ForcedCriminality",
        });
        var id = ConsoleSession.ReferralOf(created);
        var screening = await session.GetAsync($"/console/referrals/{id}/screening");
        var screened = await session.Browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, ConsoleSession.Site($"/console/referrals/{id}/screening"))
        {
            Content = new FormUrlEncodedContent([.. Hidden(screening.Html), new("indicators", "recruited-online-job-offer"), new("indicators", "forced-to-defraud-others")]),
        });

        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var subject = await PartnerApi.ReadAsync<SubjectView>(await thailand.GetAsync($"/api/v1/referrals/{id}/subject?purpose=case-work"));
        var referral = await PartnerApi.GetReferralAsync(thailand, id);
        Assert.Equal(new DateOnly(2010, 3, 14), subject.DateOfBirth);
        Assert.Equal(AgeBand.From12To17, referral!.AgeBand);
        Assert.Equal(ScreeningOutcome.PresumedVictim, referral.Screening!.Outcome);
        Assert.True(referral.Screening.Child);
        Assert.Contains(Text("th", "ScreeningOutcome.presumed-victim"), screened.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_document_opens_from_the_identity_page_for_its_purpose_and_the_opening_is_in_the_access_log()
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var referral = await ReferralRequests.CreateAsync(thailand);
        byte[] photo = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. System.Text.Encoding.UTF8.GetBytes($"photo {Guid.NewGuid():N}")];
        using var added = await thailand.PostAsync($"/api/v1/referrals/{referral.Id}/subject/documents?kind=photo", new ByteArrayContent(photo));
        var document = await PartnerApi.ReadAsync<DocumentView>(added);
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point");
        using var __ = session;
        var (stranger, ___) = await ConsoleSession.SignInAsync(Platform, "officer@kh-focal-point");
        using var ____ = stranger;

        var subject = await session.SubmitAsync(await session.GetAsync($"/console/referrals/{referral.Id}/subject"), "handler=Read", new Dictionary<string, string> { ["purpose"] = "NationalityVerification" });
        var link = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(subject.Html, $"href=\"(?<href>[^\"]+)\" data-document=\"{document.Id}\"").Groups["href"].Value);
        var bytes = await DownloadAsync(session, link);
        var strangers = await stranger.GetAsync(link);
        var log = await PartnerApi.ReadAsync<List<AccessLogEntry>>(await thailand.GetAsync($"/api/v1/referrals/{referral.Id}/access-log"));

        Assert.Contains("purpose=NationalityVerification", link, StringComparison.Ordinal);
        Assert.Equal(photo, bytes);
        Assert.Equal(HttpStatusCode.NotFound, strangers.Status);
        Assert.Contains(log, e => e.DocumentId == document.Id && e.Purpose == AccessPurpose.NationalityVerification);
    }

    [Fact]
    public async Task Submitting_the_same_new_referral_form_twice_records_one_referral()
    {
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point");
        using var __ = session;
        var form = await session.GetAsync("/console/referrals/new");
        var fields = new Dictionary<string, string>
        {
            ["Form.GivenName"] = "Twice", ["Form.Sex"] = "Male", ["Form.Nationality"] = "KH", ["Form.IdentifiedAt"] = "2026-11-21T09:30", ["Form.Exploitation"] = "ForcedLabour",
        };

        var first = await session.SubmitAsync(form, "/console/referrals/new", fields);
        var second = await session.SubmitAsync(form, "/console/referrals/new", fields);

        Assert.Equal(ConsoleSession.ReferralOf(first), ConsoleSession.ReferralOf(second));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("km")]
    [InlineData("th")]
    public async Task A_refusal_of_the_workflow_is_explained_in_the_persons_language(string? language)
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var referral = await ReferralRequests.CreateAsync(thailand);
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point", language);
        using var __ = session;
        var page = await session.GetAsync($"/console/referrals/{referral.Id}");

        // An officer may not close (a supervisor may); a return needs the person's consent, which is never overridden.
        var closing = await session.SubmitAsync(page, "handler=Close", new Dictionary<string, string> { ["reason"] = "DeclinedAssistance" });
        var offering = await session.SubmitAsync(page, "handler=Offer", new Dictionary<string, string> { ["toOrganizationId"] = "vn-focal-point", ["kind"] = "Custody" });

        Assert.Equal(HttpStatusCode.Forbidden, closing.Status);
        Assert.Contains(Text(language, $"Refusal.{RefusalCode.RoleDoesNotAllow}"), closing.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, offering.Status);
        Assert.Contains(Text(language, $"Refusal.{RefusalCode.ReturnConsentRequired}"), offering.Html, StringComparison.Ordinal);
        Assert.Equal(Stage.Identified, (await PartnerApi.GetReferralAsync(thailand, referral.Id))!.Stage);
    }

    [Fact]
    public async Task A_form_sent_after_someone_else_changed_the_referral_is_explained_and_the_page_shows_it_as_it_is_now()
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var referral = await ReferralRequests.CreateAsync(thailand);
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point");
        using var __ = session;
        var page = await session.GetAsync($"/console/referrals/{referral.Id}");
        await PartnerApi.ChangeAsync(thailand, $"/api/v1/referrals/{referral.Id}/consents", new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Verbal));

        var stale = await session.SubmitAsync(page, "handler=Consent", new Dictionary<string, string>
        {
            ["purpose"] = "Return", ["given"] = "true", ["method"] = "Written",
        });

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.Status);
        Assert.Contains(Text(null, "Refusal.stale"), stale.Html, StringComparison.Ordinal);
        Assert.Contains("Receiving services", stale.Html, StringComparison.Ordinal); // the other change, shown
        Assert.Single((await PartnerApi.GetReferralAsync(thailand, referral.Id))!.Consents);
    }

    [Fact]
    public async Task An_organization_admin_invites_a_person_sees_the_link_once_and_disables_the_account_and_an_officer_may_not()
    {
        var email = $"invited-{Guid.NewGuid():N}@th-focal-point.example";
        var (admin, home) = await ConsoleSession.SignInAsync(Platform, "admin@th-focal-point");
        using var __ = admin;
        var (officer, _) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point");
        using var ___ = officer;

        var people = await admin.GetAsync("/console/admin/people");
        var invited = await admin.SubmitAsync(people, "handler=Invite", new Dictionary<string, string> { ["email"] = email, ["roles"] = "officer", ["language"] = "th" });
        var listed = await admin.GetAsync("/console/admin/people");
        var row = PersonRow(listed, email);
        var disableAction = System.Text.RegularExpressions.Regex.Match(row, "action=\"(?<a>[^\"]*handler=Disable[^\"]*)\"").Groups["a"].Value;
        var disabled = await admin.SubmitAsync(listed, disableAction);
        var refused = await officer.GetAsync("/console/admin/people");

        Assert.Contains("href=\"/console/admin/people\"", home.Html, StringComparison.Ordinal);
        Assert.Contains("/account/invitation?token=", invited.Html, StringComparison.Ordinal); // no SMTP here: the link, once
        Assert.DoesNotContain("/account/invitation?token=", listed.Html, StringComparison.Ordinal);
        Assert.Contains("Invited, has not signed in yet", row, StringComparison.Ordinal);
        Assert.NotEmpty(disableAction);
        Assert.Contains("Disabled", PersonRow(disabled, email), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.DoesNotContain(email, refused.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/console/admin/people\"", refused.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_organization_admin_creates_a_client_whose_secret_is_shown_once_and_works_then_revokes_it()
    {
        var (admin, _) = await ConsoleSession.SignInAsync(Platform, "admin@vn-focal-point");
        using var __ = admin;
        var clients = await admin.GetAsync("/console/admin/clients");

        var created = await admin.SubmitAsync(clients, "handler=Create", new Dictionary<string, string> { ["name"] = "Hanoi case system", ["scopes"] = "referrals.read" });
        var clientId = ConsoleSession.Field(created, "client-id");
        var secret = System.Text.RegularExpressions.Regex.Match(created.Html, "id=\"client-secret\" readonly value=\"(?<s>[0-9a-f]{64})\"").Groups["s"].Value;
        using var granted = await Platform.Tokens.RequestAsync(clientId, secret);
        var listed = await admin.GetAsync("/console/admin/clients");
        var revokeAction = System.Text.RegularExpressions.Regex.Match(listed.Html, $"action=\"(?<a>[^\"]*id={clientId}[^\"]*handler=Revoke[^\"]*)\"").Groups["a"].Value;
        await admin.SubmitAsync(listed, revokeAction);
        using var refused = await Platform.Tokens.RequestAsync(clientId, secret);

        Assert.Equal(64, secret.Length);
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        Assert.DoesNotContain(secret, listed.Html, StringComparison.Ordinal); // shown once
        Assert.Contains($"data-client=\"{clientId}\"", listed.Html, StringComparison.Ordinal);
        Assert.Contains(refused.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized }); // OAuth 2.0 allows either for invalid_client
        Assert.Contains("invalid_client", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_signing_out_the_console_shows_nothing_and_asks_for_the_password_again()
    {
        // A person no other test signs in: signing out ends every session and token of the person, everywhere. (No
        // referral is made: other tests count Myanmar's.)
        var (session, home) = await ConsoleSession.SignInAsync(Platform, "officer@mm-focal-point");
        using var __ = session;
        var before = await session.GetAsync("/console/referrals");

        var signedOut = await session.SubmitAsync(home, "/console/sign-out");
        var back = await session.GetAsync("/console/referrals");

        Assert.Equal(HttpStatusCode.OK, before.Status);
        Assert.Contains("<h1>Referrals</h1>", before.Html, StringComparison.Ordinal);
        Assert.Equal("/account/login", signedOut.Url.AbsolutePath); // the platform's address leads to the sign-in again
        Assert.Equal("/account/login", back.Url.AbsolutePath);
        Assert.DoesNotContain("<h1>Referrals</h1>", back.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_idle_console_session_ends_after_30_minutes_and_an_active_one_does_not()
    {
        using var data = new TempFolder();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var idlePlatform = new PlatformFactory(data.Path)
        {
            TestServices = services => services.PostConfigure<CookieAuthenticationOptions>(ConsoleSignIn.Scheme, o => o.TimeProvider = clock),
        };
        var (session, _) = await ConsoleSession.SignInAsync(idlePlatform, "officer@th-focal-point");
        using var __ = session;

        clock.Advance(TimeSpan.FromMinutes(20));
        var active = await session.GetAsync("/console/referrals");
        clock.Advance(TimeSpan.FromMinutes(20));
        var stillActive = await session.GetAsync("/console/referrals");
        clock.Advance(ConsoleSignIn.IdleTimeout + TimeSpan.FromMinutes(1));
        var idle = await session.GetAsync("/console/referrals");

        Assert.Equal("/console/referrals", active.Url.AbsolutePath);
        Assert.Equal("/console/referrals", stillActive.Url.AbsolutePath);
        Assert.Equal("/account/login", idle.Url.AbsolutePath);
    }

    /// <summary>The bytes a link of the console answers with, fetched with the signed-in browser's cookies.</summary>
    private async Task<byte[]> DownloadAsync(ConsoleSession session, string path)
    {
        using var client = Platform.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", string.Join("; ", session.Browser.Cookies(new Uri(PlatformFactory.Issuer)).Cast<Cookie>().Select(c => $"{c.Name}={c.Value}")));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>The row of the people page that shows <paramref name="name"/>.</summary>
    private static string PersonRow(TestBrowser.Page page, string name) =>
        System.Text.RegularExpressions.Regex.Match(page.Html, $"<tr data-person=\"{System.Text.RegularExpressions.Regex.Escape(name)}\">.*?</tr>", System.Text.RegularExpressions.RegexOptions.Singleline).Value;

    /// <summary>The hidden fields of a page's forms (the antiforgery token and the version), as a browser posts them.</summary>
    private static IEnumerable<KeyValuePair<string, string>> Hidden(string html) =>
        System.Text.RegularExpressions.Regex.Matches(html, "<input[^>]*type=\"hidden\"[^>]*>").Select(m => m.Value)
            .Select(i => KeyValuePair.Create(Attribute(i, "name"), Attribute(i, "value")))
            .Where(p => p.Key is "__RequestVerificationToken" or "version").DistinctBy(p => p.Key);

    private static string Attribute(string element, string name) =>
        System.Text.RegularExpressions.Regex.Match(element, $"\\s{name}=\"(?<v>[^\"]*)\"") is { Success: true } m ? WebUtility.HtmlDecode(m.Groups["v"].Value) : "";

    private static async Task GiveConsentsAsync(HttpClient holder, Guid id, string organizationId)
    {
        await PartnerApi.ChangeAsync(holder, $"/api/v1/referrals/{id}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
        await PartnerApi.ChangeAsync(holder, $"/api/v1/referrals/{id}/consents", new ConsentRequest(ConsentPurpose.Share, organizationId, true, ConsentMethod.Written));
    }

    /// <summary>The page's main content: what differs between two pages, layout aside.</summary>
    private static string MainContent(string html) => html[html.IndexOf("<main", StringComparison.Ordinal)..html.IndexOf("</main>", StringComparison.Ordinal)];

    /// <summary>A console string as the resources hold it for <paramref name="language"/> (English when null).</summary>
    private static string Text(string? language, string key) =>
        new ResourceManager("ReferralNetwork.Console.Resources.WebConsole.ConsoleText", typeof(ConsoleText).Assembly)
            .GetString(key, language is null ? CultureInfo.InvariantCulture : CultureInfo.GetCultureInfo(language))!
            .Replace("'", "&#x27;", StringComparison.Ordinal);
}
