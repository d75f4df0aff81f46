using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Helm;

/// <summary>
/// The template language is Go's and sprig's own, but loading values, the built-in objects, the
/// split into documents and the error wording are tests/helm-render's code: these pin them to what
/// Helm does, on small charts written for the purpose.
/// </summary>
public sealed class HelmTemplateTests
{
    private const string ChartYaml = "apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: \"4.5\"\nkubeVersion: \">=1.25.0-0\"\n";

    [Fact]
    public void Overrides_MergeOverValuesYamlAsHelmMergesAValuesFile()
    {
        using var chart = Chart(
            ("values.yaml", "a:\n  b: 1\n  c: 2\nlist: [1, 2]\nkeep: x\ndrop: y\nbig: 1\n"),
            ("templates/values.yaml", "{{ toYaml .Values }}\n---\nbig: {{ .Values.big }}\n"));

        var documents = HelmTemplate.Render(chart.Path, new Dictionary<string, object?>
        {
            ["a"] = new Dictionary<string, object?> { ["c"] = 3L },
            ["list"] = new List<object?> { 9L },
            ["drop"] = null,
            ["added"] = "z",
            ["big"] = 1_000_000L,
        }).Documents;

        // Maps merge, lists replace, null deletes the default.
        var values = HelmYaml.LoadMap(documents[0].Text);
        Assert.Equal(new Dictionary<string, object?> { ["b"] = 1L, ["c"] = 3L }, values["a"]);
        Assert.Equal(new List<object?> { 9L }, values["list"]);
        Assert.Equal("x", values["keep"]);
        Assert.Equal("z", values["added"]);
        Assert.False(values.ContainsKey("drop"));
        // Numbers from a values file are float64 in Helm, which prints a million as 1e+06.
        Assert.Equal("big: 1e+06", documents[1].Text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BuiltInObjects_HaveHelmsFields(bool isUpgrade)
    {
        using var chart = Chart(("templates/objects.yaml", """
            chart: {{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Chart.APIVersion }}
            release: {{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.Service }} {{ .Release.Revision }}
            install: {{ .Release.IsInstall }} {{ .Release.IsUpgrade }}
            template: {{ .Template.Name }} {{ .Template.BasePath }}
            kube: {{ .Capabilities.KubeVersion.Major }}.{{ .Capabilities.KubeVersion.Minor }}
            """));

        var rendered = HelmTemplate.Render(chart.Path, releaseName: "rel", releaseNamespace: "ns", isUpgrade: isUpgrade, kubeVersion: "1.29.4");

        var objects = HelmYaml.LoadMap(Assert.Single(rendered.Documents).Text);
        Assert.Equal("demo 1.2.3 4.5 v2", objects["chart"]);
        Assert.Equal("rel ns Helm 1", objects["release"]);
        Assert.Equal(isUpgrade ? "false true" : "true false", objects["install"]);
        Assert.Equal("demo/templates/objects.yaml demo/templates", objects["template"]);
        Assert.Equal(1.29, objects["kube"]);
    }

    [Fact]
    public void Output_IsWhatHelmTemplatePrints()
    {
        using var chart = Chart(
            ("templates/_helpers.tpl", "{{- define \"demo.name\" -}}{{ .Chart.Name }}-{{ .Release.Name }}{{- end }}"),
            ("templates/NOTES.txt", "Installed {{ include \"demo.name\" . }}."),
            ("templates/two.yaml", "first: {{ include \"demo.name\" . }}\n---\n# only a comment\n---\nmissing: \"{{ .Values.nothing }}\"\n---\n"),
            ("templates/off.yaml", "{{- if .Values.nothing }}\nkind: Never\n{{- end }}\n"));

        var rendered = HelmTemplate.Render(chart.Path, releaseName: "rel");

        // Partials and NOTES.txt are no manifests, empty documents (a file rendering nothing, or after
        // a last "---") are dropped, a comment-only one is kept, and a missing value renders empty
        // rather than "<no value>".
        Assert.Equal(
            new[] { ("demo/templates/two.yaml", "first: demo-rel"), ("demo/templates/two.yaml", "# only a comment"), ("demo/templates/two.yaml", "missing: \"\"") },
            rendered.Documents.Select(d => (d.Source, d.Text)));
        Assert.Equal("Installed demo-rel.", rendered.Notes);
        Assert.Empty(rendered.Warnings);
    }

    [Theory]
    [InlineData("{{ .Values.absent.field }}", "nil pointer evaluating interface {}.field")]
    [InlineData("{{ .Chart.name }}", "can't evaluate field name in type")]
    [InlineData("a: {{ fail \"stop here\" }}", "Error: execution error at (demo/templates/t.yaml:1:6): stop here")]
    [InlineData("a: {{ required \"x is required\" .Values.x }}", "Error: execution error at (demo/templates/t.yaml:1:6): x is required")]
    [InlineData("a: {{ env \"HOME\" }}", "function \"env\" not defined")]
    [InlineData("a: [unclosed", "Error: YAML parse error on demo/templates/t.yaml")]
    [InlineData("{{ if }}", "Error: parse error at (demo/templates/t.yaml:1): missing value for if")]
    public void Failures_AreReportedAsHelmReportsThem(string template, string message)
    {
        using var chart = Chart(("templates/t.yaml", template));

        var error = Assert.Throws<HelmTemplateException>(() => HelmTemplate.Render(chart.Path));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AKubernetesVersionOutsideTheChartsRange_IsRefused()
    {
        using var chart = Chart(("templates/t.yaml", "a: b"));

        var error = Assert.Throws<HelmTemplateException>(() => HelmTemplate.Render(chart.Path, kubeVersion: "1.24.0"));

        Assert.Equal("Error: chart requires kubeVersion: >=1.25.0-0 which is incompatible with Kubernetes v1.24.0", error.Message);
    }

    private static TempFolder Chart(params (string Path, string Text)[] files)
    {
        var folder = new TempFolder();
        File.WriteAllText(System.IO.Path.Combine(folder.Path, "Chart.yaml"), ChartYaml);
        foreach (var (path, text) in files)
        {
            var full = System.IO.Path.Combine(folder.Path, path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }

        return folder;
    }
}
