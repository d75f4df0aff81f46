using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Api;

/// <summary>
/// The OpenAPI document the platform serves passes two independent linters with no error: Spectral with its OpenAPI rules
/// and the OWASP API Security Top 10 rules, and Redocly's recommended rules. The linters are the versions pinned in
/// tests/openapi-lint (installed by its install.sh, which .ci/install-deps.sh runs too); their rulesets are there, with
/// the reason for every rule narrowed or turned off. Warnings are written to the test output, not failed on.
/// </summary>
public sealed class OpenApiLintTests(SharedPlatform platform)
{
    private static readonly string Folder = Repository.PathOf("tests", "openapi-lint");
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private static readonly SemaphoreSlim Installing = new(1, 1);

    [Fact]
    public async Task Spectral_with_the_owasp_rules_finds_no_error_in_the_served_document()
    {
        var document = await ServedDocumentAsync();

        var (exitCode, stdout, stderr) = await LintAsync(
            document, "spectral", ["--ruleset", ".spectral.yaml", "--format", "json", "--quiet", "--fail-severity", "error"]);

        var results = Parse(stdout, stderr, "spectral", exitCode);
        string[] severities = ["error", "warning", "information", "hint"];
        Report("Spectral", results.EnumerateArray().Select(r => (
            Severity: severities[r.GetProperty("severity").GetInt32()],
            Rule: r.GetProperty("code").GetString()!,
            Where: string.Join('/', r.GetProperty("path").EnumerateArray().Select(p => p.ToString())),
            Message: r.GetProperty("message").GetString()!)));
        Assert.True(exitCode == 0, $"spectral exited with {exitCode}: {stderr}");
    }

    [Fact]
    public async Task Redocly_finds_no_error_in_the_served_document()
    {
        var document = await ServedDocumentAsync();

        var (exitCode, stdout, stderr) = await LintAsync(document, "redocly", ["--config", "redocly.yaml", "--format", "json"]);

        var results = Parse(stdout, stderr, "redocly", exitCode);
        Report("Redocly", results.GetProperty("problems").EnumerateArray().Select(p => (
            Severity: p.GetProperty("severity").GetString() == "error" ? "error" : "warning",
            Rule: p.GetProperty("ruleId").GetString()!,
            Where: string.Join(", ", p.GetProperty("location").EnumerateArray().Select(l => l.GetProperty("pointer").GetString())),
            Message: p.GetProperty("message").GetString()!)));
        Assert.True(exitCode == 0, $"redocly exited with {exitCode}: {stderr}");
    }

    /// <summary>
    /// Why the ruleset turns off owasp:api8:2023-define-cors-origin: the platform allows no other origin to read its answers,
    /// so there is no Access-Control-Allow-Origin to document. Should CORS ever be turned on, this fails and the rule returns.
    /// </summary>
    [Fact]
    public async Task The_api_answers_no_other_origin_so_there_is_no_cors_header_to_document()
    {
        using var client = await platform.Factory.ClientForAsync("la-focal-point");
        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/v1/organizations");
        read.Headers.Add("Origin", "https://partner.example");
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/referrals");
        preflight.Headers.Add("Origin", "https://partner.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");

        using var answer = await client.SendAsync(read);
        using var preflightAnswer = await client.SendAsync(preflight);

        Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(preflightAnswer.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(preflightAnswer.Headers.Contains("Access-Control-Allow-Methods"));
    }

    /// <summary>The document as the platform serves it, in a file of its own for the linter to read.</summary>
    private async Task<string> ServedDocumentAsync()
    {
        await InstallAsync();
        using var client = platform.Factory.CreateClient();
        var text = await client.GetStringAsync("/swagger/v1/swagger.json");
        var path = Path.Combine(Path.GetTempPath(), $"referral-network-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> LintAsync(string document, string tool, string[] options)
    {
        try
        {
            return await RunAsync(Path.Combine(Folder, "node_modules", ".bin", tool), ["lint", document, .. options]);
        }
        finally
        {
            File.Delete(document);
        }
    }

    /// <summary>
    /// The pinned linters, installed with npm ci when they are not (quick when they are). A machine without Node.js or
    /// without the npm registry fails here, saying so: the test never passes without having linted.
    /// </summary>
    private static async Task InstallAsync()
    {
        await Installing.WaitAsync();
        try
        {
            var (exitCode, stdout, stderr) = await RunAsync("/bin/bash", [Path.Combine(Folder, "install.sh")]);
            Assert.True(exitCode == 0, $"The OpenAPI linters could not be installed (tests/openapi-lint/install.sh exited with {exitCode}):\n{stdout}{stderr}");
        }
        finally
        {
            Installing.Release();
        }
    }

    private static JsonElement Parse(string stdout, string stderr, string tool, int exitCode)
    {
        var start = stdout.IndexOfAny(['[', '{']);
        Assert.True(start >= 0, $"{tool} wrote no JSON (exit {exitCode}):\n{stdout}\n{stderr}");
        return JsonSerializer.Deserialize<JsonElement>(stdout[start..]);
    }

    /// <summary>Every finding in the test output, errors first; fails naming each error.</summary>
    private static void Report(string tool, IEnumerable<(string Severity, string Rule, string Where, string Message)> findings)
    {
        var all = findings.ToList();
        var errors = all.Where(f => f.Severity == "error").ToList();
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"{tool}: {errors.Count} errors, {all.Count(f => f.Severity == "warning")} warnings, {all.Count(f => f.Severity is "information" or "hint")} other");
        foreach (var group in all.Where(f => f.Severity != "error").GroupBy(f => (f.Severity, f.Rule)).OrderBy(g => g.Key.Rule, StringComparer.Ordinal))
        {
            output?.WriteLine($"  {group.Key.Severity} {group.Key.Rule}: {group.Count()}");
        }

        Assert.True(errors.Count == 0, $"{tool} found {errors.Count} errors in the served OpenAPI document:\n" +
            string.Join('\n', errors.Select(e => $"  {e.Rule} at {e.Where}: {e.Message}")));
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Folder,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Redocly would otherwise report usage to its vendor and look for a newer version on every run.
        startInfo.Environment["REDOCLY_TELEMETRY"] = "off";
        startInfo.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        startInfo.Environment["NO_COLOR"] = "1";

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"Could not run {fileName}: {e.Message}. Run tests/openapi-lint/install.sh (Node.js 20 or later and npm needed).");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"`{fileName} {string.Join(' ', startInfo.ArgumentList)}` did not finish within {Timeout.TotalMinutes:0} minutes.");
            }

            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
