using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace ReferralNetwork.EndToEnd.Browser;

/// <summary>
/// What every console page is checked for in the browser: no axe-core violation, text drawn with the fonts the
/// platform serves (never a system fallback, which on a border post's machine may be boxes), no error in the
/// browser's console (a Content-Security-Policy refusal shows there), a full-page screenshot to look at, and its
/// weight on the wire.
/// </summary>
public sealed class ConsolePage
{
    private readonly List<string> _errors = [];

    private ConsolePage(IPage page)
    {
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => _errors.Add(error);
    }

    public IPage Page { get; }

    /// <summary>Folder of the screenshots and the weights: <c>TestResults/browser/</c> at the repository root.</summary>
    public static string Artifacts { get; } = Directory.CreateDirectory(Repository.PathOf("TestResults", "browser")).FullName;

    /// <summary>The family that draws a language's script (Latin and Vietnamese: Noto Sans).</summary>
    public static string FontFamilyOf(string language) => language switch
    {
        "km" => "Noto Sans Khmer",
        "lo" => "Noto Sans Lao",
        "my" => "Noto Sans Myanmar",
        "th" => "Noto Sans Thai",
        _ => "Noto Sans",
    };

    /// <summary>Opens <paramref name="path"/> in <paramref name="context"/> and waits until its fonts are in.</summary>
    public static async Task<ConsolePage> OpenAsync(IBrowserContext context, string path)
    {
        var page = new ConsolePage(await context.NewPageAsync());
        await page.Page.GotoAsync(path);
        await page.SettledAsync();
        return page;
    }

    /// <summary>Signs the demo person <paramref name="name"/> in, from the sign-in page the console leads to, and waits for the work waiting.</summary>
    public static async Task<ConsolePage> SignInAsync(IBrowserContext context, string name)
    {
        var page = await OpenAsync(context, "/console");
        Assert.Contains("/account/login", page.Page.Url, StringComparison.Ordinal);
        await page.Page.Locator("#name").FillAsync(name);
        await page.Page.Locator("#password").FillAsync("demo-password");
        await page.Page.Locator("main form button[type=submit]").ClickAsync();
        await page.ArrivedAsync(new Regex("/console$"));
        return page;
    }

    /// <summary>
    /// After a click or a key that navigates: the address matches <paramref name="url"/>, then the page has settled. Only
    /// the arrival is awaited, not the new document's load event: waiting for that event once hung for the whole 30 s on a
    /// saturated machine while the log showed the page's network going idle (a clean clone's run, ci40).
    /// </summary>
    public async Task ArrivedAsync(Regex url)
    {
        await Page.WaitForURLAsync(url, new() { WaitUntil = WaitUntilState.Commit });
        await SettledAsync();
    }

    /// <summary>After a navigation (a form post, say): the new document's fonts are in.</summary>
    public async Task SettledAsync()
    {
        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Page.EvaluateAsync("() => document.fonts.ready.then(() => true)");
    }

    public async Task<string> LanguageAsync() => await Page.Locator("html").GetAttributeAsync("lang") ?? "";

    public async Task AssertAccessibleAsync()
    {
        var result = await Page.RunAxe();
        var violations = result.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} — {string.Join("; ", v.Nodes.Select(n => n.Html))}").ToList();
        Assert.True(violations.Count == 0, $"axe-core on {Page.Url}:\n{string.Join("\n", violations)}");
    }

    public void AssertNoBrowserErrors() => Assert.True(_errors.Count == 0, $"{Page.Url}:\n{string.Join("\n", _errors)}");

    /// <summary>
    /// Every element <paramref name="selector"/> matches is drawn only with fonts the page loaded (Chromium's own
    /// account, through the DevTools protocol), <paramref name="family"/> among them, and that face is loaded.
    /// </summary>
    public async Task AssertDrawnWithServedFontsAsync(string selector, string family)
    {
        var loaded = await Page.EvaluateAsync<string[]>(
            "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family.replaceAll('\"', ''))");
        Assert.Contains(family, loaded);

        var cdp = await Page.Context.NewCDPSessionAsync(Page);
        await cdp.SendAsync("DOM.enable");
        await cdp.SendAsync("CSS.enable");
        var document = await cdp.SendAsync("DOM.getDocument", new() { ["depth"] = 0 });
        var nodes = await cdp.SendAsync("DOM.querySelectorAll", new()
        {
            ["nodeId"] = document!.Value.GetProperty("root").GetProperty("nodeId").GetInt32(),
            ["selector"] = selector,
        });
        var ids = nodes!.Value.GetProperty("nodeIds").EnumerateArray().Select(n => n.GetInt32()).ToList();
        Assert.True(ids.Count > 0, $"nothing matches {selector} on {Page.Url}");
        var used = new HashSet<string>();
        foreach (var id in ids)
        {
            var fonts = await cdp.SendAsync("CSS.getPlatformFontsForNode", new() { ["nodeId"] = id });
            foreach (var font in fonts!.Value.GetProperty("fonts").EnumerateArray())
            {
                var name = font.GetProperty("familyName").GetString()!;
                Assert.True(font.GetProperty("isCustomFont").GetBoolean(), $"{selector} on {Page.Url} falls back to the system font {name}");
                used.Add(name);
            }
        }

        Assert.Contains(used, name => name.StartsWith(family, StringComparison.Ordinal));
    }

    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(Artifacts, $"{name}.png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    /// <summary>Bytes the page cost on the wire (bodies as sent, compressed where they were), by kind, from the browser's resource timing.</summary>
    public async Task<PageWeight> WeightAsync()
    {
        var json = await Page.EvaluateAsync<JsonElement>("""
            () => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
                .map(e => ({ name: e.name, bytes: e.encodedBodySize }))
            """);
        var entries = json.EnumerateArray().Select(e => (Name: e.GetProperty("name").GetString()!, Bytes: e.GetProperty("bytes").GetInt64())).ToList();
        return new PageWeight(
            entries[0].Bytes,
            [.. entries.Where(e => e.Name.EndsWith(".css", StringComparison.Ordinal)).Select(e => e.Bytes)],
            [.. entries.Where(e => e.Name.EndsWith(".woff2", StringComparison.Ordinal)).Select(e => (Path.GetFileName(new Uri(e.Name).AbsolutePath), e.Bytes))]);
    }
}

public sealed record PageWeight(long Html, IReadOnlyList<long> Css, IReadOnlyList<(string File, long Bytes)> Fonts)
{
    public long Total => Html + Css.Sum() + Fonts.Sum(f => f.Bytes);

    public string Row(string language)
    {
        var fonts = string.Join(", ", Fonts.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.File} {Kb(f.Bytes)}")));
        return string.Create(CultureInfo.InvariantCulture, $"| {language} | {Kb(Html)} | {string.Join(" + ", Css.Select(Kb))} | {Kb(Fonts.Sum(f => f.Bytes))} ({fonts}) | {Kb(Total)} |");
    }

    private static string Kb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KB");

    public static void Write(string path, IEnumerable<string> rows)
    {
        var text = new StringBuilder("| language | HTML | CSS | fonts | total |\n|---|---|---|---|---|\n");
        foreach (var row in rows)
        {
            text.Append(row).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }
}
