using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ReferralNetwork.Tests.Helm;

/// <summary>One document printed by the renderer, under its <c># Source:</c> line.</summary>
/// <param name="Source">As Helm names it: <c>&lt;chart&gt;/templates/&lt;file&gt;</c>.</param>
/// <param name="Text">The document, without the <c>---</c> and <c># Source:</c> lines.</param>
internal sealed record RenderedDocument(string Source, string Text)
{
    /// <summary>The file name relative to templates/.</summary>
    public string File => Source[(Source.IndexOf("/templates/", StringComparison.Ordinal) + "/templates/".Length)..];
}

/// <summary>What <c>helm template</c> would print for a chart, plus its rendered NOTES.txt and warnings.</summary>
internal sealed record HelmRender(IReadOnlyList<RenderedDocument> Documents, string? Notes, IReadOnlyList<string> Warnings);

/// <summary>The chart failed to render; the message is the renderer's, worded as Helm words it.</summary>
internal sealed class HelmTemplateException(string message) : Exception(message);

/// <summary>
/// Renders Helm charts with tests/helm-render: Go's text/template, sprig and Helm's own functions,
/// the engine Helm itself runs, built from Debian's Go sources because no Helm binary can be
/// installed here. The program is built once per test run; each render is one short process.
/// </summary>
internal static class HelmTemplate
{
    /// <summary>Where Debian's golang-*-dev packages put their sources (GOPATH layout).</summary>
    private const string DebianGoPath = "/usr/share/gocode";

    private const string InstallHint =
        "run .ci/install-deps.sh as root, or: apt-get install -y golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev";

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan RenderTimeout = TimeSpan.FromMinutes(1);

    private static readonly Lazy<string> Renderer = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Renders <paramref name="chartDirectory"/> like <c>helm template RELEASE CHART -n NAMESPACE -f overrides</c>:
    /// <paramref name="overrides"/> are merged over the chart's values.yaml as Helm merges a values file
    /// (maps merge, other values replace, null deletes). Throws <see cref="HelmTemplateException"/> when
    /// Helm would fail.
    /// </summary>
    public static HelmRender Render(
        string chartDirectory,
        IReadOnlyDictionary<string, object?>? overrides = null,
        string releaseName = "release-name",
        string releaseNamespace = "default",
        bool isUpgrade = false,
        string? kubeVersion = null)
    {
        var arguments = new List<string> { "--notes", "--namespace", releaseNamespace, "-f", "-" };
        if (isUpgrade)
        {
            arguments.Add("--is-upgrade");
        }

        if (kubeVersion is not null)
        {
            arguments.AddRange(["--kube-version", kubeVersion]);
        }

        arguments.AddRange([releaseName, chartDirectory]);

        // JSON is YAML, and the renderer reads it with Helm's YAML library, so numbers arrive as
        // Helm's values files make them (float64), whatever .NET type they had here.
        var input = JsonSerializer.Serialize(overrides ?? new Dictionary<string, object?>());
        var (exitCode, stdout, stderr) = Run(Renderer.Value, arguments, input, environment: null, RenderTimeout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (exitCode != 0)
        {
            var error = lines.Where(l => !l.StartsWith("warning: ", StringComparison.Ordinal)).ToList();
            throw new HelmTemplateException(error.Count > 0 ? string.Join('\n', error) : $"helm-render exited with {exitCode} and no message");
        }

        var documents = ParseOutput(stdout);
        var notes = documents.LastOrDefault(d => d.Source.EndsWith("/templates/NOTES.txt", StringComparison.Ordinal));
        return new HelmRender(
            documents.Where(d => d != notes).ToList(),
            notes?.Text,
            lines.Where(l => l.StartsWith("warning: ", StringComparison.Ordinal)).ToList());
    }

    /// <summary>Splits <c>helm template</c> output at each <c>---</c> line that a <c># Source:</c> line follows.</summary>
    private static List<RenderedDocument> ParseOutput(string output)
    {
        var documents = new List<RenderedDocument>();
        var lines = output.Split('\n');
        string? source = null;
        var text = new StringBuilder();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i] == "---" && i + 1 < lines.Length && lines[i + 1].StartsWith("# Source: ", StringComparison.Ordinal))
            {
                Flush();
                source = lines[++i]["# Source: ".Length..];
                continue;
            }

            if (source is null)
            {
                if (lines[i].Length > 0)
                {
                    throw new HelmTemplateException($"helm-render printed text before its first document: {lines[i]}");
                }

                continue;
            }

            text.Append(lines[i]).Append('\n');
        }

        Flush();
        return documents;

        void Flush()
        {
            if (source is not null)
            {
                documents.Add(new RenderedDocument(source, text.ToString().TrimEnd('\n')));
            }

            text.Clear();
        }
    }

    private static string Build()
    {
        var source = Repository.PathOf("tests", "helm-render");
        var go = FindGo() ?? throw new InvalidOperationException(
            "The Helm chart tests render the chart with Go's text/template and sprig (tests/helm-render), but `go` is not on PATH: " + InstallHint);

        // Keyed by the sources, so that test runs of other work trees sharing this temp folder never
        // swap a binary built from different code under each other.
        var cache = Path.Combine(Path.GetTempPath(), "referral-network-helm-render");
        Directory.CreateDirectory(cache);
        var binary = Path.Combine(cache, $"helm-render-{SourceHash(source)}");
        var building = $"{binary}.{Environment.ProcessId}.tmp";
        var environment = new Dictionary<string, string?>
        {
            ["GO111MODULE"] = "off",
            ["GOPATH"] = DebianGoPath,
            ["GOCACHE"] = Path.Combine(cache, "go-build"),
            // Nothing from a developer's go env or GOFLAGS (e.g. -mod=vendor) may change the build,
            // and no C compiler is needed.
            ["GOENV"] = "off",
            ["GOFLAGS"] = "",
            ["CGO_ENABLED"] = "0",
        };
        var (exitCode, stdout, stderr) = Run(go, ["build", "-o", building, "."], input: null, environment, BuildTimeout, source);
        if (exitCode != 0)
        {
            File.Delete(building);
            throw new InvalidOperationException(
                $"`go build` of {source} failed (exit {exitCode}); are sprig and sigs.k8s.io/yaml under {DebianGoPath}? {InstallHint}\n{stdout}{stderr}");
        }

        File.Move(building, binary, overwrite: true);
        return binary;
    }

    private static string? FindGo()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/lib/go/bin")
            .Select(directory => Path.Combine(directory, "go"))
            .FirstOrDefault(File.Exists);
    }

    private static string SourceHash(string directory)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.GetFiles(directory, "*.go").Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file)));
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(
        string fileName,
        IEnumerable<string> arguments,
        string? input,
        IReadOnlyDictionary<string, string?>? environment,
        TimeSpan timeout,
        string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            // Bytes straight to the pipe, so that no text stays buffered in the writer should the pipe break.
            if (input is not null)
            {
                process.StandardInput.BaseStream.Write(Encoding.UTF8.GetBytes(input));
                process.StandardInput.BaseStream.Flush();
            }

            process.StandardInput.Close();
        }
        catch (IOException) when (process.WaitForExit(timeout))
        {
            // The renderer refused before it read its input (a chart check failing early) and closed the pipe:
            // its exit code and its error output below say why.
        }
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{fileName} {string.Join(' ', startInfo.ArgumentList)}` did not finish within {timeout.TotalSeconds:0} s.");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
