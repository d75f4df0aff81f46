using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Support;
using ReferralNetwork.WebConsole;

namespace ReferralNetwork.Tests.Console;

/// <summary>
/// The console's bulk intake below the browser (issue 17 item 1): a CSV list previewed with the API's validation in
/// the person's language, imported through the batch code path, imported again without creating anyone twice; files
/// that are not lists refused whole; the page refused to whoever may not create referrals; the names of the file in
/// no log; the offline queue's entries created once however often they are sent. A platform of its own, with its logs
/// captured: a thousand referrals would crowd the shared platform's lists.
/// </summary>
public sealed partial class ConsoleIntakeTests(ConsoleIntakeTests.IntakePlatform platform) : IClassFixture<ConsoleIntakeTests.IntakePlatform>
{
    private PlatformFactory Platform => platform.Factory;

    [Fact]
    public async Task A_thousand_rows_with_twenty_bad_ones_create_980_referrals_and_importing_again_creates_none()
    {
        // A canary in every name: a value that cannot occur by chance in anything the platform writes.
        var canary = "Qz" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..10];
        var (file, bad) = ThousandRows(canary);
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point");
        using var _ = session;

        var preview = await UploadAsync(session, file, "people.csv");

        Assert.Equal(HttpStatusCode.OK, preview.Status);
        Assert.Equal("1000 rows: 980 ready, 20 with problems. Rows with problems are not imported: correct them in the file and import it again.", ConsoleSession.Field(preview, "preview-summary"));
        Assert.Contains("<code>given_name</code>: Required.", Row(preview, 51), StringComparison.Ordinal);
        Assert.Contains("<code>nationality</code>: Not a country code", Row(preview, 101), StringComparison.Ordinal);
        Assert.Contains("<code>date_of_birth</code>: Not a date", Row(preview, 151), StringComparison.Ordinal);
        Assert.Contains("<code>exploitation</code>: Unknown form of exploitation", Row(preview, 201), StringComparison.Ordinal);
        Assert.Contains("<code>sex</code>: Write female, male, other or unknown.", Row(preview, 251), StringComparison.Ordinal);
        Assert.Contains("Ready", Row(preview, 2), StringComparison.Ordinal);
        Assert.DoesNotContain(canary, preview.Url.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(canary, Upload(preview), StringComparison.Ordinal); // the file travels sealed

        // This platform imports 500 rows a request: the first answer says where the import got to and continues it.
        var first = await session.SubmitAsync(preview, "handler=Import");
        Assert.Equal("500 of 980 people imported so far. The import goes on by itself.", ConsoleSession.Field(first, "importing"));
        Assert.Contains("data-continue", first.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(canary, first.Html, StringComparison.Ordinal); // what was done travels sealed, like the file
        var imported = await ImportAsync(session, first);

        Assert.Equal(HttpStatusCode.OK, imported.Status);
        Assert.Equal(980, Count(imported, "created"));
        Assert.Equal(0, Count(imported, "already-exists"));
        Assert.Equal(20, Count(imported, "refused"));
        var refusedRows = RefusedRows(imported);
        Assert.Equal(bad.Order(), refusedRows.Keys.Order());
        Assert.All(refusedRows.Values, reason => Assert.Matches("<code>[a-z_]+</code>: ", reason));
        Assert.Equal(980, await Eventually.Until(() => HeldByAsync("th-focal-point"), n => n >= 980, TimeSpan.FromSeconds(60)));

        // The connection dropped before the answer came: the same file chosen again and imported again.
        var again = await ImportAsync(session, await UploadAsync(session, file, "people (1).csv"));

        Assert.Equal(0, Count(again, "created"));
        Assert.Equal(980, Count(again, "already-exists"));
        Assert.Equal(20, Count(again, "refused"));
        Assert.Equal(bad.Order(), RefusedRows(again).Keys.Order());
        await Task.Delay(TimeSpan.FromSeconds(1)); // whatever a duplicate would have projected by now
        Assert.Equal(980, await HeldByAsync("th-focal-point"));

        Assert.Contains(platform.Logs.Entries, e => e.Text.Contains("Intake import of 1000 rows: 0 created, 980 already there, 20 refused", StringComparison.Ordinal));
        Assert.DoesNotContain(platform.Logs.Entries, e => e.Text.Contains(canary, StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("not-csv", "This is not a CSV file.")]
    [InlineData("too-large", "The file is too large: at most 4 MB and 10,000 people.")]
    [InlineData("no-header", "The first row must name the columns, with at least given_name, sex and nationality.")]
    [InlineData("empty", "The file holds no one: it is empty or has only its header row.")]
    [InlineData("unknown-column", "The header names a column this page does not know: gender.")]
    public async Task A_file_that_is_not_a_list_of_people_is_refused_whole_with_its_reason_and_creates_nobody(string problem, string message)
    {
        byte[] file = problem switch
        {
            "not-csv" => [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0xC3, 0x28, 0x00, 0xFF], // a spreadsheet's zip, not text
            "too-large" => Encoding.UTF8.GetBytes("given_name,sex,nationality\n" + string.Concat(Enumerable.Repeat("Dara,female,KH\n", 300_000))),
            "no-header" => Encoding.UTF8.GetBytes("Dara,female,KH\nSokha,male,KH\n"),
            "empty" => Encoding.UTF8.GetBytes("given_name,sex,nationality\r\n"),
            _ => Encoding.UTF8.GetBytes("given_name,gender,sex,nationality\nDara,f,female,KH\n"),
        };
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@kh-focal-point");
        using var _ = session;
        var before = await HeldByAsync("kh-focal-point");

        var refused = await UploadAsync(session, file, "people.csv");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains($"data-refused=\"{problem}\"", refused.Html, StringComparison.Ordinal);
        Assert.Contains(message, WebUtility.HtmlDecode(refused.Html), StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Import", refused.Html, StringComparison.Ordinal);
        Assert.Equal(before, await HeldByAsync("kh-focal-point"));
    }

    [Fact]
    public async Task The_problems_of_a_row_are_told_in_the_person_s_language()
    {
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@la-focal-point", "lo");
        using var _ = session;

        var preview = await UploadAsync(session, Encoding.UTF8.GetBytes("\uFEFFgiven_name;sex;nationality\nBounmy;female;LA\n;x;LA\n"), "people.csv");

        Assert.Equal(HttpStatusCode.OK, preview.Status);
        Assert.Contains("ຂຽນ female, male, other ຫຼື unknown.", Row(preview, 3), StringComparison.Ordinal);
        Assert.Contains("<code>given_name</code>: ຈຳເປັນ.", Row(preview, 3), StringComparison.Ordinal);
        Assert.Contains("ພ້ອມ", Row(preview, 2), StringComparison.Ordinal);
        Assert.Contains("ນຳເຂົ້າ 1 ຄົນ", preview.Html, StringComparison.Ordinal);
    }

    /// <summary>
    /// No demo shelter has a person without referrals:write (a shelter's only demo person is its officer): a focal
    /// point's administrator and the secretariat's officer are the people without it.
    /// </summary>
    [Theory]
    [InlineData("admin@th-focal-point", "th-focal-point")]
    [InlineData("officer@regional-secretariat", "regional-secretariat")]
    public async Task The_page_is_refused_to_a_person_who_may_not_create_referrals_and_not_in_their_navigation(string person, string organization)
    {
        var (refusedPerson, home) = await ConsoleSession.SignInAsync(Platform, person);
        using var _ = refusedPerson;
        var (officer, officerHome) = await ConsoleSession.SignInAsync(Platform, "officer@th-shelter-bangkok");
        using var __ = officer;
        var before = await HeldByAsync(organization);

        var page = await refusedPerson.GetAsync("/console/intake");
        using var forged = new MultipartFormDataContent
        {
            { new StringContent(AntiForgeryOf(home.Html)), "__RequestVerificationToken" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("given_name,sex,nationality\nMali,female,TH\n")), "file", "people.csv" },
        };
        var upload = await refusedPerson.Browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, ConsoleSession.Site("/console/intake?handler=Preview")) { Content = forged });

        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        Assert.Contains("role=\"alert\"", page.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, upload.Status);
        Assert.DoesNotContain("Mali", upload.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/console/intake\"", home.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"/console/intake\"", officerHome.Html, StringComparison.Ordinal);
        Assert.Equal(before, await HeldByAsync(organization));
    }

    [Fact]
    public async Task Entries_of_the_browser_s_queue_are_created_once_however_often_they_are_sent()
    {
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@mm-focal-point");
        using var _ = session;
        var page = await session.GetAsync("/console/intake");
        var entries = new[]
        {
            new { key = Guid.NewGuid().ToString(), givenName = "Unknown 1", sex = "female", nationality = "KH", typedAt = DateTimeOffset.UtcNow.AddMinutes(-3) },
            new { key = Guid.NewGuid().ToString(), givenName = "Unknown 2", sex = "male", nationality = "LA", typedAt = DateTimeOffset.UtcNow.AddMinutes(-2) },
        };

        var first = await SendQueueAsync(session, page, entries);
        var resent = await SendQueueAsync(session, page, entries); // the first answer was lost on the way

        Assert.Equal(["created", "created"], first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("status").GetString()));
        Assert.Equal(["already-exists", "already-exists"], resent.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("status").GetString()));
        Assert.Equal(entries.Select(e => e.key), resent.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key").GetString()));
        Assert.Equal(2, await Eventually.Until(() => HeldByAsync("mm-focal-point"), n => n >= 2));
    }

    [Fact]
    public async Task The_quick_entry_form_without_script_records_one_person_however_often_it_is_posted()
    {
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@vn-focal-point");
        using var _ = session;
        var page = await session.GetAsync("/console/intake");
        var fields = new Dictionary<string, string> { ["QuickName"] = "Unknown 7", ["QuickSex"] = "female", ["QuickNationality"] = "KH" };

        var recorded = await session.SubmitAsync(page, "handler=Quick", fields);
        var again = await session.SubmitAsync(page, "handler=Quick", fields); // the same form, posted twice

        Assert.Equal(HttpStatusCode.OK, recorded.Status);
        Assert.Equal("/console/intake", recorded.Url.AbsolutePath); // a GET after the POST
        Assert.Contains("The person was recorded.", recorded.Html, StringComparison.Ordinal);
        Assert.Contains("The person was recorded.", again.Html, StringComparison.Ordinal);
        Assert.Equal(1, await Eventually.Until(() => HeldByAsync("vn-focal-point"), n => n >= 1));
        await Task.Delay(500);
        Assert.Equal(1, await HeldByAsync("vn-focal-point"));
    }

    /// <summary>
    /// 1,000 people, semicolon-separated with a byte order mark as a spreadsheet exports them; every 50th person (rows 51,
    /// 101, … as the spreadsheet numbers them) wrong in turn in the given name, nationality, date of birth, exploitation or sex.
    /// </summary>
    internal static (byte[] File, List<int> BadRows) ThousandRows(string canary)
    {
        var csv = new StringBuilder("\uFEFFgiven_name;family_name;sex;nationality;date_of_birth;exploitation\r\n");
        var bad = new List<int>();
        for (var i = 1; i <= 1000; i++)
        {
            var row = i + 1; // the header is row 1
            var name = $"{canary}{i.ToString(CultureInfo.InvariantCulture)}";
            var line = (i % 50, i / 50 % 5) switch
            {
                (0, 0) => $"{name};Keo;x;KH;;",
                (0, 1) => $";Keo;female;KH;;",
                (0, 2) => $"{name};Keo;female;ZZ;;",
                (0, 3) => $"{name};Keo;female;KH;31/31/2001;",
                (0, 4) => $"{name};Keo;female;KH;;kidnapping",
                _ => $"{name};\"Keo; Sok\";{(i % 2 == 0 ? "female" : "male")};{(i % 3 == 0 ? "MM" : "KH")};{1980 + (i % 25)}-0{1 + (i % 9)}-1{i % 10};{(i % 4 == 0 ? "forced-labour sexual-exploitation" : "")}",
            };
            if (i % 50 == 0)
            {
                bad.Add(row);
            }

            csv.Append(line).Append("\r\n");
        }

        return (Encoding.UTF8.GetBytes(csv.ToString()), bad);
    }

    internal static async Task<TestBrowser.Page> UploadAsync(ConsoleSession session, byte[] file, string name)
    {
        var page = await session.GetAsync("/console/intake");
        var form = Regex.Match(page.Html, "<form[^>]*handler=Preview[^>]*>.*?</form>", RegexOptions.Singleline);
        Assert.True(form.Success, $"no upload form on {page.Url} ({page.Status})");
        using var content = new MultipartFormDataContent
        {
            { new StringContent(AntiForgeryOf(form.Value)), "__RequestVerificationToken" },
        };
        var bytes = new ByteArrayContent(file);
        bytes.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        content.Add(bytes, "file", name);
        return await session.Browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, ConsoleSession.Site("/console/intake?handler=Preview")) { Content = content });
    }

    /// <summary>
    /// Imports a previewed file, or goes on with an import under way: each answer of a long list carries a form that
    /// continues it (the page's script sends it at once), until the result. Gives the result.
    /// </summary>
    internal static async Task<TestBrowser.Page> ImportAsync(ConsoleSession session, TestBrowser.Page page)
    {
        for (var turn = 0; turn < (IntakeUpload.MaxRows / 500) + 1; turn++)
        {
            page = await session.SubmitAsync(page, "handler=Import");
            if (!page.Html.Contains("data-continue", StringComparison.Ordinal))
            {
                return page;
            }
        }

        Assert.Fail($"The import did not finish: {page.Html}");
        return page;
    }

    private static async Task<JsonElement> SendQueueAsync(ConsoleSession session, TestBrowser.Page page, object entries)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ConsoleSession.Site("/console/intake?handler=Queue")) { Content = JsonContent.Create(new { items = entries }) };
        request.Headers.Add("RequestVerificationToken", AntiForgeryOf(page.Html));
        var answer = await session.Browser.SendAsync(request);
        Assert.True(answer.Status == HttpStatusCode.OK, $"{answer.Status}: {answer.Html}");
        return JsonDocument.Parse(answer.Html).RootElement;
    }

    private async Task<int> HeldByAsync(string organization)
    {
        await using var scope = Platform.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Referrals.CountAsync(r => r.Holder == organization);
    }

    /// <summary>The preview's row as the spreadsheet numbers it.</summary>
    private static string Row(TestBrowser.Page page, int number)
    {
        var row = Regex.Match(page.Html, $"<tr data-row=\"{number}\"[^>]*>.*?</tr>", RegexOptions.Singleline);
        Assert.True(row.Success, $"no row {number} on {page.Url}");
        return row.Value;
    }

    internal static int Count(TestBrowser.Page page, string status)
    {
        var item = Regex.Match(page.Html, $"<li data-count=\"{status}\">[^<]*?(?<n>\\d+)</li>");
        Assert.True(item.Success, $"no count of {status} on {page.Url} ({page.Status}):\n{page.Html}");
        return int.Parse(item.Groups["n"].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>The rows of the result's table of refusals: number, and what the page says of it.</summary>
    internal static Dictionary<int, string> RefusedRows(TestBrowser.Page page)
    {
        var table = Regex.Match(page.Html, "<table data-table=\"refused\">.*?</table>", RegexOptions.Singleline);
        Assert.True(table.Success, "no table of refused rows");
        return Regex.Matches(table.Value, "<tr data-row=\"(?<n>\\d+)\">(?<r>.*?)</tr>", RegexOptions.Singleline)
            .ToDictionary(m => int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture), m => m.Groups["r"].Value);
    }

    private static string Upload(TestBrowser.Page page) =>
        Regex.Match(page.Html, "<input[^>]*name=\"Upload\"[^>]*>").Value;

    private static string AntiForgeryOf(string html)
    {
        var input = Regex.Match(html, "<input[^>]*name=\"__RequestVerificationToken\"[^>]*>");
        Assert.True(input.Success, "no anti-forgery token on the page");
        return Regex.Match(input.Value, "value=\"(?<v>[^\"]+)\"").Groups["v"].Value;
    }

    /// <summary>A platform for these tests alone, its logs captured (the file's names must be in none).</summary>
    public sealed class IntakePlatform : OwnPlatform
    {
        public LogCapture Logs { get; } = new();

        protected override ValueTask<PlatformFactory> CreateAsync(string data) =>
            ValueTask.FromResult(new PlatformFactory(data) { Logs = Logs, Settings = new Dictionary<string, string> { ["Intake:RowsPerRequest"] = "500" } });
    }
}
