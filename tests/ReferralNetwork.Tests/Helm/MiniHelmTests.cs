using Xunit;

namespace ReferralNetwork.Tests.Helm;

/// <summary>
/// The chart tests are only as good as <see cref="MiniHelm"/>: these pin the Go template and Helm
/// behaviours it must reproduce, and show that it fails where Helm fails.
/// </summary>
public sealed class MiniHelmTests
{
    private static string Render(string template, Dictionary<string, object?>? values = null)
    {
        var helm = MiniHelm.FromFiles("demo", "1.0.0", new Dictionary<string, string>
        {
            ["_helpers.tpl"] = "{{- define \"demo.name\" -}}\n{{ .Chart.Name }}-{{ .Release.Name }}\n{{- end }}",
            ["t.yaml"] = template,
        });
        return helm.Render("t.yaml", values ?? [], releaseName: "rel");
    }

    [Fact]
    public void TrimMarkers_RemoveWhitespaceOnTheirSideOnly()
    {
        Assert.Equal("a:b\n c", Render("a:  {{- \"b\" }}\n c"));
        Assert.Equal("a b", Render("a {{ \"b\" -}}\n\n"));
        Assert.Equal("x\ny", Render("x\n{{- /* a comment */}}\ny"));
    }

    [Fact]
    public void IncludeWithNindent_IndentsEveryLine()
    {
        Assert.Equal("k:\n  demo-rel\n  demo-rel", Render("k:\n  {{- include \"demo.name\" . | nindent 2 }}\n  {{- include \"demo.name\" . | nindent 2 }}"));
    }

    [Fact]
    public void RangeOverAMap_VisitsKeysInOrder_AndToYamlSortsKeys()
    {
        var values = new Dictionary<string, object?>
        {
            ["m"] = new Dictionary<string, object?> { ["b"] = 2L, ["a"] = "x: y", ["c"] = new List<object?> { "true" } },
        };

        Assert.Equal("a=x: y;b=2;c=[true];", Render("{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }}", values));
        Assert.Equal("a: \"x: y\"\nb: 2\nc:\n- \"true\"", Render("{{ toYaml .Values.m }}", values));
    }

    [Fact]
    public void IfElseIfElse_AndWith_FollowGoTruth()
    {
        var values = new Dictionary<string, object?> { ["zero"] = 0L, ["empty"] = new Dictionary<string, object?>(), ["s"] = "v" };

        Assert.Equal("second", Render("{{ if .Values.zero }}first{{ else if .Values.s }}second{{ else }}third{{ end }}", values));
        Assert.Equal("none", Render("{{ with .Values.empty }}some{{ else }}none{{ end }}", values));
        Assert.Equal("v", Render("{{ with .Values.s }}{{ . }}{{ end }}", values));
        Assert.Equal("d", Render("{{ .Values.missing | default \"d\" }}", values));
    }

    [Fact]
    public void AMisspeltValuesPath_FailsAsInHelm()
    {
        // A missing key is nil (as in Helm); a field of nil is an error, so a typo above a leaf fails
        // the render. (A typo in the leaf itself renders empty, which the values path test catches.)
        var values = new Dictionary<string, object?> { ["cluster"] = new Dictionary<string, object?> { ["serviceId"] = "s" } };

        var error = Assert.Throws<TemplateException>(() => Render("{{ .Values.clustr.serviceId }}", values));
        Assert.Contains(".Values.clustr.serviceId", error.Message, StringComparison.Ordinal);
        Assert.Equal("s", Render("{{ .Values.cluster.serviceId }}", values));
    }

    [Fact]
    public void UnknownFunctionsAndRequiredValues_Fail()
    {
        Assert.Throws<TemplateException>(() => Render("{{ lookup \"v1\" \"Secret\" \"ns\" \"name\" }}"));
        var error = Assert.Throws<RequiredValueException>(() => Render("{{ required \"x is required\" .Values.x }}"));
        Assert.Equal("x is required", error.Message);
    }
}
