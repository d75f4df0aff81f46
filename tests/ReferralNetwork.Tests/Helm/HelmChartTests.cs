using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Xunit;

namespace ReferralNetwork.Tests.Helm;

/// <summary>
/// Checks the Helm chart in helm/referral-network without a Helm binary or a cluster: the YAML files
/// parse, every value a template uses exists (and is documented), the templates render with Helm's
/// own template engine (<see cref="HelmTemplate"/>: Go's text/template, sprig and Helm's functions)
/// into Kubernetes objects, and the objects honour the application's contract (health endpoints,
/// Orleans Kubernetes hosting, migration hook, Secrets only by reference).
/// </summary>
public sealed partial class HelmChartTests
{
    private const string Issuer = "https://referrals.example.org/";

    private const string ReleaseName = "rn";

    private const string ReleaseNamespace = "referrals";

    private static readonly string ChartDirectory = FindChartDirectory();

    // Several tests check the same scenario; one render each is enough.
    private static readonly ConcurrentDictionary<string, Lazy<HelmRender>> Renders = new(StringComparer.Ordinal);

    /// <summary>Value sets the chart is rendered with: the defaults, everything optional on, and a minimal set-up.</summary>
    public static TheoryData<string> Scenarios => ["defaults", "everything-enabled", "single-silo"];

    // ------------------------------------------------------------------------------------------------
    // Files parse
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void ChartYaml_IsAnApiV2ApplicationChart()
    {
        var chart = HelmYaml.LoadMap(ReadChartFile("Chart.yaml"));

        Assert.Equal("v2", chart["apiVersion"]);
        Assert.Equal("referral-network", chart["name"]);
        Assert.Equal("application", chart["type"]);
        Assert.Matches(SemVer(), Assert.IsType<string>(chart["version"]));
        Assert.IsType<string>(chart["appVersion"]);
    }

    [Fact]
    public void ValuesYaml_ParsesAndSetsNoSecretValue()
    {
        var values = DefaultValues();

        Assert.Equal(2L, values["replicaCount"]);
        // Secrets are referenced by Secret name and key only: no value key may hold a password,
        // user name, token or connection string.
        var offending = Leaves(values)
            .Where(leaf => SecretValueKey().IsMatch(leaf.Path.Split('.')[^1]))
            .Select(leaf => leaf.Path)
            .ToList();
        Assert.Empty(offending);
    }

    [Fact]
    public void ValuesYaml_EveryKeyIsCommented()
    {
        var lines = File.ReadAllLines(Path.Combine(ChartDirectory, "values.yaml"));
        var undocumented = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var key = KeyLine().Match(lines[i]);
            if (!key.Success)
            {
                continue;
            }

            var previous = lines.Take(i).LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
            if (!previous.StartsWith('#'))
            {
                undocumented.Add($"line {i + 1}: {key.Groups["key"].Value}");
            }
        }

        Assert.Empty(undocumented);
    }

    [Fact]
    public void Readme_DocumentsEveryValue()
    {
        var readme = ReadChartFile("README.md");

        var undocumented = Leaves(DefaultValues())
            .Select(leaf => leaf.Path)
            .Where(path => !readme.Contains($"| `{path}` |", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(undocumented);
    }

    // ------------------------------------------------------------------------------------------------
    // Values referenced by templates
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void EveryValuesPathInTheTemplates_ExistsInValuesYaml()
    {
        var missing = ValuesPaths.Missing(DefaultValues(), TemplateTexts());

        Assert.Empty(missing);
    }

    [Fact]
    public void ValuesPathCheck_ReportsATypo()
    {
        // The check above must be able to fail: a misspelt path, at any depth, is reported.
        var templates = new Dictionary<string, string>
        {
            ["typo.yaml"] = "replicas: {{ .Values.replicaCountt }}\nimage: {{ $.Values.image.tagg }}\nok: {{ .Values.image.tag }}",
        };

        var missing = ValuesPaths.Missing(DefaultValues(), templates);

        Assert.Equal(new[] { "typo.yaml: image.tagg", "typo.yaml: replicaCountt" }, missing);
    }

    [Fact]
    public void EveryValueInValuesYaml_IsUsedByATemplate()
    {
        // A value no template reads is a setting that silently does nothing.
        var referenced = TemplateTexts().Values.SelectMany(ValuesPaths.Referenced).ToHashSet(StringComparer.Ordinal);

        var unused = Leaves(DefaultValues())
            .Select(leaf => leaf.Path)
            .Where(path => !referenced.Any(r => path == r || path.StartsWith(r + ".", StringComparison.Ordinal)))
            .ToList();

        Assert.Empty(unused);
    }

    // ------------------------------------------------------------------------------------------------
    // Rendering
    // ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RenderingTheDefaults_RequiresTheIssuer(bool nullIssuer)
    {
        // identity.issuer has no usable default: installing without it (left empty, or removed with
        // null) must fail, with the message `required` gives and Helm's wording around it.
        var overrides = nullIssuer ? Overrides(("identity.issuer", null)) : [];

        var error = Assert.Throws<HelmTemplateException>(() => RenderChart(overrides));

        Assert.Matches(
            @"^Error: execution error at \(referral-network/templates/[a-z-]+\.yaml:\d+:\d+\): identity\.issuer is required: the public issuer URL of the OpenID Connect server",
            error.Message);
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void EveryTemplate_RendersToKubernetesObjects(string scenario)
    {
        var rendered = Rendered(scenario);

        foreach (var text in rendered.Documents.Select(d => d.Text).Append(rendered.Notes ?? ""))
        {
            Assert.DoesNotContain("{{", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<no value>", text, StringComparison.Ordinal);
        }

        Assert.False(string.IsNullOrWhiteSpace(rendered.Notes));
        // Helm warns, and keeps going, when an override's shape does not match values.yaml.
        Assert.Empty(rendered.Warnings);
        var manifests = Manifests(rendered);
        Assert.All(manifests, m =>
        {
            Assert.IsType<string>(m.Document["apiVersion"]);
            Assert.Matches(DnsLabel(), m.Name);
            Assert.True(m.Name.Length <= 63, $"{m.Kind} name {m.Name} is longer than 63 characters");
        });
        Assert.Equal(manifests.Count, manifests.Select(m => $"{m.Kind}/{m.Name}").Distinct().Count());

        var expectedKinds = scenario switch
        {
            "defaults" => new[] { "ConfigMap", "Deployment", "Job", "PodDisruptionBudget", "Role", "RoleBinding", "Service", "Service", "ServiceAccount" },
            "everything-enabled" => ["ConfigMap", "Deployment", "Ingress", "Job", "PodDisruptionBudget", "Role", "RoleBinding", "Service", "Service", "Service", "ServiceAccount", "ServiceMonitor"],
            _ => ["ConfigMap", "Deployment", "Service"],
        };
        Assert.Equal(expectedKinds, manifests.Select(m => m.Kind).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void LabelsAnnotationsConfigDataAndEnvValues_AreStrings(string scenario)
    {
        // Kubernetes rejects numbers or booleans where it expects strings (a classic unquoted "true"
        // or port number in a ConfigMap or label); YAML decides the type, so check it after parsing.
        var offending = new List<string>();
        foreach (var manifest in Render(scenario))
        {
            CollectNonStrings(manifest.Document, $"{manifest.Kind}/{manifest.Name}", offending);
        }

        Assert.Empty(offending);
    }

    // ------------------------------------------------------------------------------------------------
    // The application's contract
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void Deployment_ProbesPointAtTheHealthEndpoints()
    {
        var container = SiloContainer(Render("defaults"));

        Assert.Equal("/health/live", Get(container, "livenessProbe.httpGet.path"));
        Assert.Equal("/health/ready", Get(container, "readinessProbe.httpGet.path"));
        Assert.Equal("/health/live", Get(container, "startupProbe.httpGet.path"));
        Assert.All(new[] { "livenessProbe", "readinessProbe", "startupProbe" }, probe => Assert.Equal("http", Get(container, $"{probe}.httpGet.port")));
        var ports = AsList(container["ports"]).Select(AsMap).ToDictionary(p => (string)p["name"]!, p => p["containerPort"]);
        Assert.Equal(8080L, ports["http"]);
        Assert.Equal(11111L, ports["silo"]);
        Assert.Equal(30000L, ports["gateway"]);
    }

    [Fact]
    public void Deployment_RunsTwoHardenedSilosSpreadOverNodes()
    {
        var manifests = Render("defaults");
        var deployment = Single(manifests, "Deployment");
        var pod = AsMap(Get(deployment.Document, "spec.template.spec"));
        var container = SiloContainer(manifests);

        Assert.Equal(2L, Get(deployment.Document, "spec.replicas"));
        Assert.True(Get(pod, "securityContext.runAsNonRoot") is true);
        Assert.True(Get(container, "securityContext.readOnlyRootFilesystem") is true);
        Assert.True(Get(container, "securityContext.allowPrivilegeEscalation") is false);
        Assert.NotNull(Get(pod, "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution"));
        Assert.NotNull(Get(container, "resources.requests.cpu"));

        var volumes = AsList(pod["volumes"]).Select(AsMap).ToDictionary(v => (string)v["name"]!);
        var mounts = AsList(container["volumeMounts"]).Select(AsMap).ToDictionary(m => (string)m["name"]!);
        Assert.NotNull(volumes["tmp"]["emptyDir"]);
        Assert.Equal("/tmp", mounts["tmp"]["mountPath"]);
        Assert.Equal("referral-network-identity-certificates", Get(volumes["certificates"], "secret.secretName"));
        Assert.Equal("referral-network-key-ring", Get(volumes["key-ring"], "secret.secretName"));
        Assert.True(mounts["certificates"]["readOnly"] is true);
        Assert.True(mounts["key-ring"]["readOnly"] is true);

        // The selector (immutable) selects the pod template, and the Service and the budget select the same pods.
        var podLabels = AsMap(Get(deployment.Document, "spec.template.metadata.labels"));
        var selector = AsMap(Get(deployment.Document, "spec.selector.matchLabels"));
        Assert.All(selector, kv => Assert.Equal(kv.Value, podLabels.GetValueOrDefault(kv.Key)));
        Assert.Equal(selector, AsMap(Get(HttpService(manifests).Document, "spec.selector")));
        var budget = Single(manifests, "PodDisruptionBudget");
        Assert.Equal(1L, Get(budget.Document, "spec.minAvailable"));
        Assert.Equal(selector, AsMap(Get(budget.Document, "spec.selector.matchLabels")));
    }

    [Fact]
    public void Deployment_ProvidesWhatOrleansKubernetesHostingReads()
    {
        var manifests = Render("defaults");
        var deployment = Single(manifests, "Deployment");
        var podLabels = AsMap(Get(deployment.Document, "spec.template.metadata.labels"));
        var env = Env(SiloContainer(manifests));
        var config = AsMap(Single(manifests, "ConfigMap").Document["data"]);

        // Labels the silos select each other by (KubernetesHostingOptions.ServiceIdLabel/ClusterIdLabel).
        Assert.Equal("referral-network", podLabels["orleans/serviceId"]);
        Assert.Equal("rn-referral-network", podLabels["orleans/clusterId"]);
        Assert.Equal(podLabels["orleans/serviceId"], config["Cluster__ServiceId"]);
        Assert.Equal(podLabels["orleans/clusterId"], config["Cluster__ClusterId"]);
        Assert.Equal("true", config["Cluster__Kubernetes"]);

        // Downward API variables read by ConfigureKubernetesHostingOptions.
        Assert.Equal("metadata.name", Get(env["POD_NAME"], "valueFrom.fieldRef.fieldPath"));
        Assert.Equal("metadata.namespace", Get(env["POD_NAMESPACE"], "valueFrom.fieldRef.fieldPath"));
        Assert.Equal("status.podIP", Get(env["POD_IP"], "valueFrom.fieldRef.fieldPath"));
        Assert.Equal("metadata.labels['orleans/serviceId']", Get(env["ORLEANS_SERVICE_ID"], "valueFrom.fieldRef.fieldPath"));
        Assert.Equal("metadata.labels['orleans/clusterId']", Get(env["ORLEANS_CLUSTER_ID"], "valueFrom.fieldRef.fieldPath"));

        // The pods run as a ServiceAccount bound to a Role on pods with the verbs the agent uses.
        var serviceAccount = Single(manifests, "ServiceAccount");
        Assert.Equal(serviceAccount.Name, Get(deployment.Document, "spec.template.spec.serviceAccountName"));
        Assert.True(Get(deployment.Document, "spec.template.spec.automountServiceAccountToken") is true);
        var role = Single(manifests, "Role");
        var rule = Assert.Single(AsList(role.Document["rules"]).Select(AsMap));
        Assert.Equal(new object?[] { "" }, AsList(rule["apiGroups"]));
        Assert.Equal(new object?[] { "pods" }, AsList(rule["resources"]));
        Assert.Superset(new HashSet<object?> { "get", "list", "watch", "patch", "delete" }, AsList(rule["verbs"]).ToHashSet());
        var binding = Single(manifests, "RoleBinding");
        Assert.Equal(role.Name, Get(binding.Document, "roleRef.name"));
        Assert.Equal("Role", Get(binding.Document, "roleRef.kind"));
        var subject = AsMap(Assert.Single(AsList(binding.Document["subjects"])));
        Assert.Equal("ServiceAccount", subject["kind"]);
        Assert.Equal(serviceAccount.Name, subject["name"]);
    }

    [Fact]
    public void ConfigMap_CarriesTheApplicationsNonSecretSettings()
    {
        var manifests = Render("defaults");
        var config = AsMap(Single(manifests, "ConfigMap").Document["data"]);
        var deployment = Single(manifests, "Deployment");
        var container = SiloContainer(manifests);

        Assert.Equal("8080", config["ASPNETCORE_HTTP_PORTS"]);
        Assert.Equal("production", config["ReferralNetwork__Profile"]);
        Assert.Equal(Issuer, config["Identity__Issuer"]);
        Assert.Equal("rabbitmq", config["RabbitMq__Host"]);
        Assert.Equal("5672", config["RabbitMq__Port"]);
        Assert.Equal("/", config["RabbitMq__VirtualHost"]);
        Assert.Equal("Warning", config["Logging__LogLevel__Orleans"]);

        // Certificate paths point at the files the Secret volume projects.
        var mountPath = (string)AsList(container["volumeMounts"]).Select(AsMap).Single(m => (string?)m["name"] == "certificates")["mountPath"]!;
        var volume = AsList(Get(deployment.Document, "spec.template.spec.volumes")).Select(AsMap).Single(v => (string?)v["name"] == "certificates");
        var files = AsList(Get(volume, "secret.items")).Select(i => (object?)$"{mountPath}/{AsMap(i)["path"]}").ToList();
        Assert.Equal(new[] { config["Identity__SigningCertificate__Path"], config["Identity__EncryptionCertificate__Path"] }, files);

        // The silos load the ConfigMap, and a change to it rolls them.
        Assert.Equal(Single(manifests, "ConfigMap").Name, Get(AsList(container["envFrom"])[0], "configMapRef.name"));
        Assert.Matches("^[0-9a-f]{64}$", Assert.IsType<string>(Get(deployment.Document, "spec.template.metadata.annotations.checksum/config")));
    }

    [Fact]
    public void MatchingKeyRotation_ANewSecretAndKeyIdInOneUpgradeRollTheSilos_AndThePassSettingsReachTheConfigMap()
    {
        var before = Render("defaults");
        var after = Manifests(RenderChart(Overrides(
            ("identity.issuer", Issuer),
            ("matching.networkKey.existingSecret", "referral-network-matching-key-2"),
            ("matching.networkKey.keyId", "2"),
            ("matching.pass.pageSize", 200L),
            ("matching.pass.pause", "00:00:02"))));
        var configBefore = AsMap(Single(before, "ConfigMap").Document["data"]);
        var configAfter = AsMap(Single(after, "ConfigMap").Document["data"]);

        Assert.Equal(("1", "2"), (configBefore["Matching__NetworkKeyId"], configAfter["Matching__NetworkKeyId"]));
        Assert.Equal(
            ("referral-network-matching-key", "referral-network-matching-key-2"),
            (Get(Env(SiloContainer(before))["Matching__NetworkKey"], "valueFrom.secretKeyRef.name"), Get(Env(SiloContainer(after))["Matching__NetworkKey"], "valueFrom.secretKeyRef.name")));
        Assert.NotEqual(
            Get(Single(before, "Deployment").Document, "spec.template.metadata.annotations.checksum/config"),
            Get(Single(after, "Deployment").Document, "spec.template.metadata.annotations.checksum/config"));

        // The pass's settings are left out while empty (the application's defaults), and written as given otherwise.
        Assert.DoesNotContain(configBefore.Keys, k => k.StartsWith("Matching__Pass", StringComparison.Ordinal));
        Assert.Equal(("200", "00:00:02"), (configAfter["Matching__PassPageSize"], configAfter["Matching__PassPause"]));
    }

    [Fact]
    public void ExtraConfig_ReachesTheSilosAndTheMigrationAsWritten()
    {
        // Helm reads the numbers of a values file as float64, and Go prints a float64 of a million or
        // more as "1e+06", which .NET cannot bind to an integer setting: whole numbers keep their digits.
        var manifests = Manifests(RenderChart(Overrides(
            ("identity.issuer", Issuer),
            ("extraConfig", Map(("Kestrel__Limits__MaxRequestBodySize", 10_485_760L), ("Features__Ratio", 0.25), ("Swagger__Enabled", false), ("Workflow__DefaultResponseDeadline", "2.00:00:00"))))));
        var config = AsMap(Single(manifests, "ConfigMap").Document["data"]);
        var jobEnv = Env(AsMap(Assert.Single(AsList(Get(Single(manifests, "Job").Document, "spec.template.spec.containers")))));

        var expected = new Dictionary<string, string>
        {
            ["Kestrel__Limits__MaxRequestBodySize"] = "10485760",
            ["Features__Ratio"] = "0.25",
            ["Swagger__Enabled"] = "false",
            ["Workflow__DefaultResponseDeadline"] = "2.00:00:00",
        };
        Assert.All(expected, setting =>
        {
            Assert.Equal(setting.Value, config[setting.Key]);
            Assert.Equal(setting.Value, Get(jobEnv[setting.Key], "value"));
        });
    }

    [Fact]
    public void MigrationJob_IsAPreInstallAndPreUpgradeHookRunningMigrate()
    {
        var manifests = Render("defaults");
        var job = Single(manifests, "Job");
        var annotations = AsMap(Get(job.Document, "metadata.annotations"));
        var pod = AsMap(Get(job.Document, "spec.template.spec"));
        var container = AsMap(Assert.Single(AsList(pod["containers"])));

        Assert.Equal("pre-install,pre-upgrade", annotations["helm.sh/hook"]);
        Assert.Equal("before-hook-creation", annotations["helm.sh/hook-delete-policy"]);
        Assert.IsType<long>(Get(job.Document, "spec.backoffLimit"));
        Assert.Equal("Never", pod["restartPolicy"]);
        Assert.Equal(new object?[] { "dotnet", "ReferralNetwork.dll", "migrate" }, AsList(container["command"]).Concat(AsList(container["args"])));

        // The hook runs before the release's other objects exist: it must not need them.
        Assert.False(container.ContainsKey("envFrom"), "the Job must not read the ConfigMap, which a first install has not created yet");
        Assert.False(pod.ContainsKey("serviceAccountName"), "the Job must not use the chart's ServiceAccount, which a first install has not created yet");
        var env = Env(container);
        Assert.Equal(Issuer, Get(env["Identity__Issuer"], "value"));
        Assert.Equal("false", Get(env["Cluster__Kubernetes"], "value"));
        Assert.Equal("orleans-connection-string", Get(env["ConnectionStrings__Orleans"], "valueFrom.secretKeyRef.key"));
        Assert.Equal("platform-connection-string", Get(env["ConnectionStrings__Platform"], "valueFrom.secretKeyRef.key"));

        // Its pod is neither a silo for the Services and the budget, nor a cluster member for Orleans.
        var jobPodLabels = AsMap(Get(job.Document, "spec.template.metadata.labels"));
        var serviceSelector = AsMap(Get(HttpService(manifests).Document, "spec.selector"));
        Assert.False(serviceSelector.All(kv => Equals(jobPodLabels.GetValueOrDefault(kv.Key), kv.Value)));
        Assert.DoesNotContain(jobPodLabels.Keys, k => k.StartsWith("orleans/", StringComparison.Ordinal));
    }

    [Fact]
    public void Telemetry_TheMetricsPortIsOnThePodsAndOnAClusterIpServiceOfItsOwnNeverOnThePublicEntryPoints()
    {
        var manifests = Render("everything-enabled");
        var deployment = Single(manifests, "Deployment");
        var container = SiloContainer(manifests);
        var config = AsMap(Single(manifests, "ConfigMap").Document["data"]);

        var ports = AsList(container["ports"]).Select(AsMap).ToDictionary(p => (string)p["name"]!, p => p["containerPort"]);
        Assert.Equal(9464L, ports["metrics"]);
        Assert.Equal("9464", config["Telemetry__MetricsPort"]);
        Assert.Equal("json", config["Telemetry__LogFormat"]);
        Assert.Equal("http://otel-collector.monitoring:4317", config["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("grpc", config["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        var podAnnotations = AsMap(Get(deployment.Document, "spec.template.metadata.annotations"));
        Assert.Equal("true", podAnnotations["prometheus.io/scrape"]);
        Assert.Equal("9464", podAnnotations["prometheus.io/port"]);
        Assert.Equal("/metrics", podAnnotations["prometheus.io/path"]);

        // A Service of its own, ClusterIP whatever service.type says, selecting the silos by their metrics port's name.
        var metrics = Assert.Single(manifests, m => m.Kind == "Service" && m.Name == "referrals-metrics");
        Assert.Equal("ClusterIP", Get(metrics.Document, "spec.type"));
        var port = AsMap(Assert.Single(AsList(Get(metrics.Document, "spec.ports"))));
        Assert.Equal("metrics", port["name"]);
        Assert.Equal("metrics", port["targetPort"]);
        Assert.Equal(9464L, port["port"]);
        Assert.Equal(AsMap(Get(deployment.Document, "spec.selector.matchLabels")), AsMap(Get(metrics.Document, "spec.selector")));
        Assert.Equal("operators", AsMap(Get(metrics.Document, "metadata.annotations"))["example.org/team"]);

        // The public entry points lead to the HTTP port only.
        var http = HttpService(manifests);
        Assert.Equal(new object?[] { "http" }, AsList(Get(http.Document, "spec.ports")).Select(p => AsMap(p)["targetPort"]));
        var backend = AsMap(Get(AsMap(AsList(Get(AsMap(AsList(Get(Single(manifests, "Ingress").Document, "spec.rules"))[0]), "http.paths"))[0]), "backend.service"));
        Assert.Equal(http.Name, backend["name"]);
        Assert.Equal("http", Get(backend, "port.name"));

        // The ServiceMonitor selects the metrics Service, and not the public one.
        var monitor = Single(manifests, "ServiceMonitor");
        var matchLabels = AsMap(Get(monitor.Document, "spec.selector.matchLabels"));
        var metricsLabels = AsMap(Get(metrics.Document, "metadata.labels"));
        var httpLabels = AsMap(Get(http.Document, "metadata.labels"));
        Assert.All(matchLabels, kv => Assert.Equal(kv.Value, metricsLabels.GetValueOrDefault(kv.Key)));
        Assert.False(matchLabels.All(kv => Equals(httpLabels.GetValueOrDefault(kv.Key), kv.Value)), "the ServiceMonitor would scrape the public Service");
        var endpoint = AsMap(Assert.Single(AsList(Get(monitor.Document, "spec.endpoints"))));
        Assert.Equal("metrics", endpoint["port"]);
        Assert.Equal("/metrics", endpoint["path"]);
        Assert.Equal("prometheus", Get(monitor.Document, "metadata.labels.release"));
    }

    [Fact]
    public void Telemetry_MetricsPortZeroTurnsOffTheListenerItsServiceAndItsAnnotations()
    {
        var manifests = Render("single-silo");
        var deployment = Single(manifests, "Deployment");
        var config = AsMap(Single(manifests, "ConfigMap").Document["data"]);

        Assert.DoesNotContain(AsList(SiloContainer(manifests)["ports"]).Select(AsMap), p => Equals(p["name"], "metrics"));
        Assert.DoesNotContain("Telemetry__MetricsPort", config.Keys);
        Assert.DoesNotContain("OTEL_EXPORTER_OTLP_ENDPOINT", config.Keys);
        Assert.DoesNotContain(AsMap(Get(deployment.Document, "spec.template.metadata.annotations")).Keys, k => k.StartsWith("prometheus.io/", StringComparison.Ordinal));
        Assert.Single(manifests, m => m.Kind == "Service");
    }

    [Fact]
    public void Telemetry_AServiceMonitorWithoutTheMetricsServiceIsRefused()
    {
        var error = Assert.Throws<HelmTemplateException>(() => RenderChart(Overrides(
            ("identity.issuer", Issuer), ("telemetry.serviceMonitor.enabled", true), ("telemetry.metricsService.enabled", false))));

        Assert.Contains("telemetry.serviceMonitor.enabled needs telemetry.metricsPort and telemetry.metricsService.enabled", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void NoSecretValueIsInline(string scenario)
    {
        var manifests = Render(scenario);

        Assert.DoesNotContain(manifests, m => m.Kind == "Secret");
        foreach (var manifest in manifests.Where(m => m.Kind is "Deployment" or "Job"))
        {
            foreach (var container in AsList(Get(manifest.Document, "spec.template.spec.containers")).Select(AsMap))
            {
                foreach (var (name, variable) in Env(container).Where(e => SecretLikeName().IsMatch(e.Key)))
                {
                    Assert.False(variable.ContainsKey("value"), $"{manifest.Kind}: {name} has an inline value");
                    Assert.NotNull(Get(variable, "valueFrom.secretKeyRef.name"));
                    Assert.NotNull(Get(variable, "valueFrom.secretKeyRef.key"));
                }
            }
        }

        var config = AsMap(Single(manifests, "ConfigMap").Document["data"]);
        Assert.DoesNotContain(config.Keys, k => SecretLikeName().IsMatch(k));
        Assert.DoesNotContain(config.Values, v => v is string s && s.Contains("Password=", StringComparison.OrdinalIgnoreCase));

        var secretEnv = Env(SiloContainer(manifests));
        Assert.Equal("referral-network-postgresql", Get(secretEnv["ConnectionStrings__Orleans"], "valueFrom.secretKeyRef.name"));
        Assert.Equal("referral-network-rabbitmq", Get(secretEnv["RabbitMq__Password"], "valueFrom.secretKeyRef.name"));
        Assert.Equal("signing-password", Get(secretEnv["Identity__SigningCertificate__Password"], "valueFrom.secretKeyRef.key"));
    }

    // ------------------------------------------------------------------------------------------------
    // Residency, SMTP, webhooks, federation: settings in the ConfigMap, secrets only by reference
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void Residency_EachCountrysConnectionStringComesFromItsSecret_OnTheSilosAndTheMigration()
    {
        var manifests = Render("everything-enabled");
        var config = AsMap(Single(manifests, "ConfigMap").Document["data"]);

        foreach (var env in new[] { Env(SiloContainer(manifests)), Env(MigrationContainer(manifests)) })
        {
            AssertFromSecret(env, "Residency__TH", "referrals-residency", "th-connection-string");
            AssertFromSecret(env, "Residency__VN", "referrals-residency-vn", "connection-string");
            Assert.Equal(2, env.Keys.Count(k => k.StartsWith("Residency__", StringComparison.Ordinal)));
        }

        Assert.DoesNotContain(config.Keys, k => k.StartsWith("Residency", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("th")]
    [InlineData("THA")]
    public void Residency_ACountryThatIsNotAnUpperCaseIsoCodeIsRefused(string country)
    {
        var error = Assert.Throws<HelmTemplateException>(() => RenderChart(Overrides(
            ("identity.issuer", Issuer), ("residency", Map((country, Map(("existingSecret", "s"), ("connectionStringKey", "k"))))))));

        Assert.Contains($"residency.{country}: a country is its ISO 3166 alpha-2 code in upper case", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Residency_ACountryWithoutItsSecretIsRefused()
    {
        var error = Assert.Throws<HelmTemplateException>(() => RenderChart(Overrides(
            ("identity.issuer", Issuer), ("residency", Map(("TH", Map(("connectionStringKey", "k"))))))));

        Assert.Contains("residency.TH.existingSecret is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Smtp_ServerSettingsAreInTheConfigMap_TheCredentialsComeFromTheSecret_OnTheSilosOnly()
    {
        var manifests = Render("everything-enabled");
        var config = AsMap(Single(manifests, "ConfigMap").Document["data"]);
        var silo = Env(SiloContainer(manifests));
        var migration = Env(MigrationContainer(manifests));

        Assert.Equal("smtp.example.org", config["Smtp__Host"]);
        Assert.Equal("2525", config["Smtp__Port"]);
        Assert.Equal("false", config["Smtp__EnableSsl"]);
        Assert.Equal("no-reply@referrals.example.org", config["Smtp__From"]);
        AssertFromSecret(silo, "Smtp__UserName", "referrals-smtp", "username");
        AssertFromSecret(silo, "Smtp__Password", "referrals-smtp", "password");
        Assert.DoesNotContain(config.Keys, k => k is "Smtp__UserName" or "Smtp__Password");
        // The migration needs no mail server's password.
        Assert.DoesNotContain(migration.Keys, k => k is "Smtp__UserName" or "Smtp__Password");
    }

    [Fact]
    public void Smtp_AHostWithoutASenderIsRefused()
    {
        var error = Assert.Throws<HelmTemplateException>(() => RenderChart(Overrides(("identity.issuer", Issuer), ("smtp.host", "smtp.example.org"))));

        Assert.Contains("smtp.from is required with smtp.host", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Smtp_AServerWithoutCredentialsGetsNoCredentialVariables()
    {
        var manifests = Manifests(RenderChart(Overrides(("identity.issuer", Issuer), ("smtp.host", "smtp.example.org"), ("smtp.from", "no-reply@example.org"))));

        Assert.Equal("smtp.example.org", AsMap(Single(manifests, "ConfigMap").Document["data"])["Smtp__Host"]);
        Assert.DoesNotContain(Env(SiloContainer(manifests)).Keys, k => k.StartsWith("Smtp__", StringComparison.Ordinal));
    }

    [Fact]
    public void Webhooks_TheEgressAllowListAndTheOperatorsOptionsAreInTheConfigMap_ForTheSilosAndTheMigration()
    {
        var manifests = Render("everything-enabled");
        var config = AsMap(Single(manifests, "ConfigMap").Document["data"]);
        var migration = Env(MigrationContainer(manifests));

        var expected = new Dictionary<string, string>
        {
            ["Webhooks__AllowedTargets__0"] = "receiver.partners.svc.cluster.local",
            ["Webhooks__AllowedTargets__1"] = "10.20.0.0/16",
            ["Webhooks__RetrySchedule"] = "0s, 1m, 1h",
            ["Webhooks__Timeout"] = "00:00:30",
            ["Webhooks__DisableAfter"] = "2.00:00:00",
            ["Webhooks__RotationOverlap"] = "12:00:00",
            ["Webhooks__MaxSubscriptionsPerOrganization"] = "50",
        };
        Assert.Equal(expected.OrderBy(e => e.Key), config.Where(c => c.Key.StartsWith("Webhooks__", StringComparison.Ordinal)).Select(c => new KeyValuePair<string, string>(c.Key, (string)c.Value!)).OrderBy(e => e.Key));
        Assert.All(expected, setting => Assert.Equal(setting.Value, Get(migration[setting.Key], "value")));
    }

    [Fact]
    public void Federation_EachProvidersSettingsAreInTheConfigMap_ItsClientSecretComesFromTheSecret()
    {
        var manifests = Render("everything-enabled");
        var config = AsMap(Single(manifests, "ConfigMap").Document["data"]);
        var silo = Env(SiloContainer(manifests));

        var expected = new Dictionary<string, string>
        {
            ["Identity__Federation__th-gov__DisplayName"] = "ThaiD",
            ["Identity__Federation__th-gov__Authority"] = "https://idp.example.go.th/",
            ["Identity__Federation__th-gov__ClientId"] = "referral-network",
            ["Identity__Federation__th-gov__Countries__0"] = "TH",
            ["Identity__Federation__th-gov__PersonClaim"] = "staff_email",
            ["Identity__Federation__th-gov__Scopes__0"] = "email",
            ["Identity__Federation__th-gov__Scopes__1"] = "staff",
            ["Identity__Federation__th-gov__SecondFactorMethods__0"] = "mfa",
            ["Identity__Federation__th-gov__SecondFactorMethods__1"] = "hwk",
            ["Identity__Federation__th-gov__PasswordsToo"] = "false",
            // A public client, with only what is required: the application's defaults apply to the rest.
            ["Identity__Federation__kh-gov__DisplayName"] = "CamDigiKey",
            ["Identity__Federation__kh-gov__Authority"] = "https://idp.example.gov.kh/",
            ["Identity__Federation__kh-gov__ClientId"] = "referral-network",
            ["Identity__Federation__kh-gov__Countries__0"] = "KH",
        };
        Assert.Equal(expected.OrderBy(e => e.Key), config.Where(c => c.Key.StartsWith("Identity__Federation__", StringComparison.Ordinal)).Select(c => new KeyValuePair<string, string>(c.Key, (string)c.Value!)).OrderBy(e => e.Key));
        AssertFromSecret(silo, "Identity__Federation__th-gov__ClientSecret", "referrals-federation", "th-gov-client-secret");
        Assert.DoesNotContain("Identity__Federation__kh-gov__ClientSecret", silo.Keys);
        Assert.DoesNotContain(Env(MigrationContainer(manifests)).Keys, k => k.EndsWith("__ClientSecret", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ThaiD", "identity.federation.ThaiD: a provider's name is lower-case letters, digits and dashes")]
    [InlineData("th_gov", "identity.federation.th_gov: a provider's name is lower-case letters, digits and dashes")]
    public void Federation_AProviderNameTheApplicationRefusesIsRefused(string name, string message)
    {
        var provider = Map(("displayName", "X"), ("authority", "https://idp.example/"), ("clientId", "c"), ("countries", new List<object?> { "TH" }));

        var error = Assert.Throws<HelmTemplateException>(() => RenderChart(Overrides(("identity.issuer", Issuer), ("identity.federation", Map((name, provider))))));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("authority", "identity.federation.th-gov.authority is required")]
    [InlineData("clientId", "identity.federation.th-gov.clientId is required")]
    [InlineData("countries", "identity.federation.th-gov.countries is required")]
    public void Federation_AProviderWithoutARequiredSettingIsRefused(string left, string message)
    {
        var provider = Map(("displayName", "ThaiD"), ("authority", "https://idp.example.go.th/"), ("clientId", "c"), ("countries", new List<object?> { "TH" }));
        provider.Remove(left);

        var error = Assert.Throws<HelmTemplateException>(() => RenderChart(Overrides(("identity.issuer", Issuer), ("identity.federation", Map(("th-gov", provider))))));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retention_EachCountrysAgeAndTheCheckPeriodAreInTheConfigMap()
    {
        var config = AsMap(Single(Render("everything-enabled"), "ConfigMap").Document["data"]);

        Assert.Equal("1825.00:00:00", config["Retention__After__TH"]);
        Assert.Equal("3650.00:00:00", config["Retention__After__VN"]);
        Assert.Equal("00:10:00", config["Retention__CheckPeriod"]);
    }

    [Theory]
    [InlineData("th", "1825.00:00:00", "retention.after.th: a country is its ISO 3166 alpha-2 code in upper case")]
    [InlineData("TH", 1825L, "retention.after.TH: the age is a duration string")]
    public void Retention_ALowerCaseCountryOrAnAgeThatIsNotADurationStringIsRefused(string country, object age, string message)
    {
        var error = Assert.Throws<HelmTemplateException>(() => RenderChart(Overrides(("identity.issuer", Issuer), ("retention.after", Map((country, age))))));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OmittedResidencyRetentionSmtpWebhookAndFederationValues_RenderNothing()
    {
        var manifests = Render("defaults");
        var config = AsMap(Single(manifests, "ConfigMap").Document["data"]);
        string[] added = ["Residency__", "Retention__", "Smtp__", "Webhooks__", "Identity__Federation__"];

        Assert.DoesNotContain(config.Keys, k => added.Any(prefix => k.StartsWith(prefix, StringComparison.Ordinal)));
        foreach (var env in new[] { Env(SiloContainer(manifests)), Env(MigrationContainer(manifests)) })
        {
            Assert.DoesNotContain(env.Keys, k => added.Any(prefix => k.StartsWith(prefix, StringComparison.Ordinal)));
        }

        Assert.DoesNotContain("SMTP", Rendered("defaults").Notes!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void NoSecretReferencedByTheValues_IsWrittenIntoTheConfigMap()
    {
        // Whatever the values name as a Secret's key must reach the pods by secretKeyRef only: neither the key's name
        // nor a setting of that name may appear among the ConfigMap's settings.
        var manifests = Render("everything-enabled");
        var config = AsMap(Single(manifests, "ConfigMap").Document["data"]);
        var fromSecrets = Env(SiloContainer(manifests))
            .Where(e => Get(e.Value, "valueFrom.secretKeyRef") is not null)
            .ToDictionary(e => e.Key, e => (string)Get(e.Value, "valueFrom.secretKeyRef.key")!);

        Assert.Superset(
            new HashSet<string> { "Residency__TH", "Residency__VN", "Smtp__UserName", "Smtp__Password", "Identity__Federation__th-gov__ClientSecret" },
            fromSecrets.Keys.ToHashSet());
        Assert.DoesNotContain(config.Keys, fromSecrets.ContainsKey);
        Assert.DoesNotContain(config.Values, v => fromSecrets.Values.Contains(v as string));
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------

    private static Dictionary<string, object?> MigrationContainer(List<Manifest> manifests) =>
        AsMap(Assert.Single(AsList(Get(Single(manifests, "Job").Document, "spec.template.spec.containers"))));

    private static void AssertFromSecret(Dictionary<string, Dictionary<string, object?>> env, string name, string secret, string key)
    {
        Assert.True(env.TryGetValue(name, out var variable), $"{name} is not in the container's environment");
        Assert.False(variable.ContainsKey("value"), $"{name} has an inline value");
        Assert.Equal(secret, Get(variable, "valueFrom.secretKeyRef.name"));
        Assert.Equal(key, Get(variable, "valueFrom.secretKeyRef.key"));
    }

    /// <summary>One object rendered by the chart.</summary>
    private sealed record Manifest(string File, string Kind, string Name, Dictionary<string, object?> Document);

    private static string FindChartDirectory() => Repository.PathOf("helm", "referral-network");

    private static string ReadChartFile(string name) => File.ReadAllText(Path.Combine(ChartDirectory, name));

    private static Dictionary<string, object?> DefaultValues() => HelmYaml.LoadMap(ReadChartFile("values.yaml"));

    private static Dictionary<string, string> TemplateTexts()
    {
        var templates = Path.Combine(ChartDirectory, "templates");
        return Directory.GetFiles(templates, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(templates, f).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);
    }

    /// <summary>What each scenario sets over values.yaml, as a values file given to helm with -f would.</summary>
    private static Dictionary<string, object?> ScenarioOverrides(string scenario) => scenario switch
    {
        "defaults" => Overrides(("identity.issuer", Issuer)),
        "everything-enabled" => Overrides(
            ("identity.issuer", Issuer),
            ("fullnameOverride", "referrals"),
            ("image.tag", "1.2.3"),
            ("imagePullSecrets", new List<object?> { Map(("name", "regcred")) }),
            ("ingress.enabled", true),
            ("ingress.className", "nginx"),
            ("ingress.tlsSecretName", "referrals-tls"),
            ("ingress.annotations", Map(("cert-manager.io/cluster-issuer", "letsencrypt"))),
            ("orleansService.enabled", true),
            ("service.annotations", Map(("example.org/scrape", "true"))),
            ("serviceAccount.annotations", Map(("example.org/role", "referrals"))),
            ("podLabels", Map(("team", "referrals"))),
            ("podAnnotations", Map(("example.org/owner", "referrals"))),
            ("nodeSelector", Map(("kubernetes.io/os", "linux"))),
            ("tolerations", new List<object?> { Map(("key", "dedicated"), ("operator", "Equal"), ("value", "referrals"), ("effect", "NoSchedule")) }),
            ("affinity", Map(("nodeAffinity", Map(("preferredDuringSchedulingIgnoredDuringExecution", new List<object?>
            {
                Map(("weight", 1L), ("preference", Map(("matchExpressions", new List<object?> { Map(("key", "pool"), ("operator", "In"), ("values", new List<object?> { "apps" })) })))),
            }))))),
            ("telemetry.serviceMonitor.enabled", true),
            ("telemetry.serviceMonitor.labels", Map(("release", "prometheus"))),
            ("telemetry.metricsService.annotations", Map(("example.org/team", "operators"))),
            ("telemetry.otlpEndpoint", "http://otel-collector.monitoring:4317"),
            ("extraConfig", Map(("Swagger__Enabled", false), ("Features__Limit", 10L))),
            ("extraEnv", new List<object?> { Map(("name", "DOTNET_gcServer"), ("value", "1")) }),
            ("residency", Map(
                ("TH", Map(("existingSecret", "referrals-residency"), ("connectionStringKey", "th-connection-string"))),
                ("VN", Map(("existingSecret", "referrals-residency-vn"), ("connectionStringKey", "connection-string"))))),
            ("retention.after", Map(("TH", "1825.00:00:00"), ("VN", "3650.00:00:00"))),
            ("retention.checkPeriod", "00:10:00"),
            ("smtp.host", "smtp.example.org"),
            ("smtp.port", 2525L),
            ("smtp.enableSsl", false),
            ("smtp.from", "no-reply@referrals.example.org"),
            ("smtp.credentials.existingSecret", "referrals-smtp"),
            ("webhooks.allowedTargets", new List<object?> { "receiver.partners.svc.cluster.local", "10.20.0.0/16" }),
            ("webhooks.retrySchedule", "0s, 1m, 1h"),
            ("webhooks.timeout", "00:00:30"),
            ("webhooks.disableAfter", "2.00:00:00"),
            ("webhooks.rotationOverlap", "12:00:00"),
            ("webhooks.maxSubscriptionsPerOrganization", 50L),
            ("identity.federation", Map(
                ("th-gov", Map(
                    ("displayName", "ThaiD"),
                    ("authority", "https://idp.example.go.th/"),
                    ("clientId", "referral-network"),
                    ("countries", new List<object?> { "TH" }),
                    ("clientSecret", Map(("existingSecret", "referrals-federation"), ("key", "th-gov-client-secret"))),
                    ("personClaim", "staff_email"),
                    ("scopes", new List<object?> { "email", "staff" }),
                    ("secondFactorMethods", new List<object?> { "mfa", "hwk" }),
                    ("passwordsToo", false))),
                ("kh-gov", Map(
                    ("displayName", "CamDigiKey"),
                    ("authority", "https://idp.example.gov.kh/"),
                    ("clientId", "referral-network"),
                    ("countries", new List<object?> { "KH" })))))),
        "single-silo" => Overrides(
            ("identity.issuer", Issuer),
            ("replicaCount", 1L),
            ("cluster.kubernetesHosting", false),
            ("cluster.clusterId", "blue"),
            ("serviceAccount.create", false),
            ("migration.enabled", false),
            ("telemetry.metricsPort", 0L)),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };

    /// <summary>A values tree from dotted paths, like <c>helm --set a.b=c</c> (each value keeps its .NET type).</summary>
    private static Dictionary<string, object?> Overrides(params (string Path, object? Value)[] settings)
    {
        var root = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (path, value) in settings)
        {
            var parts = path.Split('.');
            var current = root;
            foreach (var part in parts[..^1])
            {
                if (!current.TryGetValue(part, out var next) || next is not Dictionary<string, object?> map)
                {
                    map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    current[part] = map;
                }

                current = map;
            }

            current[parts[^1]] = value;
        }

        return root;
    }

    private static HelmRender RenderChart(Dictionary<string, object?> overrides) =>
        HelmTemplate.Render(ChartDirectory, overrides, ReleaseName, ReleaseNamespace);

    private static HelmRender Rendered(string scenario) =>
        Renders.GetOrAdd(scenario, s => new Lazy<HelmRender>(() => RenderChart(ScenarioOverrides(s)))).Value;

    private static List<Manifest> Render(string scenario) => Manifests(Rendered(scenario));

    private static List<Manifest> Manifests(HelmRender rendered)
    {
        var manifests = new List<Manifest>();
        foreach (var rendering in rendered.Documents)
        {
            object? parsed;
            try
            {
                parsed = HelmYaml.Load(rendering.Text);
            }
            catch (YamlDotNet.Core.YamlException e)
            {
                throw new Xunit.Sdk.XunitException($"{rendering.File} does not render to valid YAML: {e.Message}\n{rendering.Text}");
            }

            var document = parsed as Dictionary<string, object?>
                ?? throw new Xunit.Sdk.XunitException($"{rendering.File} renders a YAML document that is not a mapping:\n{rendering.Text}");
            var kind = document.GetValueOrDefault("kind") as string;
            var name = Get(document, "metadata.name") as string;
            Assert.False(string.IsNullOrEmpty(kind), $"{rendering.File}: a document has no kind");
            Assert.False(string.IsNullOrEmpty(name), $"{rendering.File}: {kind} has no metadata.name");
            manifests.Add(new Manifest(rendering.File, kind!, name!, document));
        }

        return manifests;
    }

    private static Manifest Single(List<Manifest> manifests, string kind) => Assert.Single(manifests, m => m.Kind == kind);

    /// <summary>The public HTTP Service (the Ingress's backend), among the Orleans and metrics ones.</summary>
    private static Manifest HttpService(List<Manifest> manifests) =>
        Assert.Single(manifests, m => m.Kind == "Service" && AsList(Get(m.Document, "spec.ports")).Select(AsMap).Any(p => Equals(p["name"], "http")));

    private static Dictionary<string, object?> SiloContainer(List<Manifest> manifests) =>
        AsList(Get(Single(manifests, "Deployment").Document, "spec.template.spec.containers")).Select(AsMap).Single(c => (string?)c["name"] == "silo");

    private static Dictionary<string, Dictionary<string, object?>> Env(Dictionary<string, object?> container) =>
        AsList(container["env"]).Select(AsMap).ToDictionary(e => (string)e["name"]!, StringComparer.Ordinal);

    private static object? Get(object? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node is Dictionary<string, object?> map ? map.GetValueOrDefault(part) : null;
        }

        return node;
    }

    private static Dictionary<string, object?> AsMap(object? node) => Assert.IsType<Dictionary<string, object?>>(node);

    private static List<object?> AsList(object? node) => Assert.IsType<List<object?>>(node);

    private static Dictionary<string, object?> Map(params (string Key, object? Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    private static IEnumerable<(string Path, object? Value)> Leaves(Dictionary<string, object?> map, string prefix = "")
    {
        foreach (var (key, value) in map)
        {
            var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
            if (value is Dictionary<string, object?> { Count: > 0 } child)
            {
                foreach (var leaf in Leaves(child, path))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return (path, value);
            }
        }
    }

    private static void CollectNonStrings(object? node, string path, List<string> offending)
    {
        switch (node)
        {
            case Dictionary<string, object?> map:
                foreach (var (key, value) in map)
                {
                    if (key is "labels" or "annotations" or "matchLabels" or "selector" or "data" && value is Dictionary<string, object?> entries
                        && !entries.ContainsKey("matchLabels"))
                    {
                        offending.AddRange(entries.Where(e => e.Value is not string).Select(e => $"{path}.{key}.{e.Key}"));
                    }

                    if (key == "env" && value is List<object?> env)
                    {
                        offending.AddRange(env.OfType<Dictionary<string, object?>>()
                            .Where(e => e.ContainsKey("value") && e["value"] is not string)
                            .Select(e => $"{path}.env.{e.GetValueOrDefault("name")}"));
                    }

                    CollectNonStrings(value, $"{path}.{key}", offending);
                }

                break;
            case List<object?> list:
                for (var i = 0; i < list.Count; i++)
                {
                    CollectNonStrings(list[i], $"{path}[{i}]", offending);
                }

                break;
        }
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")]
    private static partial Regex SemVer();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    /// <summary>Names of settings that hold secrets (not the names of Secrets or of keys inside them).</summary>
    [GeneratedRegex(@"(password|passwd|secret|token|username|connectionstring)s?(__|$)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLikeName();

    /// <summary>Keys of values.yaml that would hold a secret itself (names like passwordKey or existingSecret are fine).</summary>
    [GeneratedRegex(@"(password|passwd|token|username|connectionstring|credentials?)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretValueKey();

    /// <summary>A mapping key line of values.yaml (list items excluded).</summary>
    [GeneratedRegex(@"^\s*(?<key>[A-Za-z_][\w./-]*):(\s|$)")]
    private static partial Regex KeyLine();
}

/// <summary>Finds the <c>.Values.a.b</c> paths a template reads and checks them against values.yaml.</summary>
internal static partial class ValuesPaths
{
    /// <summary>Paths (without ".Values.") referenced as .Values.x.y or $.Values.x.y.</summary>
    public static IEnumerable<string> Referenced(string templateText) =>
        Reference().Matches(templateText).Select(m => m.Groups["path"].Value);

    /// <summary>"file: path" for every referenced path that values.yaml does not define, sorted.</summary>
    public static List<string> Missing(Dictionary<string, object?> values, IReadOnlyDictionary<string, string> templates) =>
        templates
            .SelectMany(t => Referenced(t.Value).Where(path => !Exists(values, path)).Select(path => $"{t.Key}: {path}"))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    private static bool Exists(Dictionary<string, object?> values, string path)
    {
        object? node = values;
        foreach (var part in path.Split('.'))
        {
            if (node is not Dictionary<string, object?> map || !map.TryGetValue(part, out node))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@"\.Values\.(?<path>[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)")]
    private static partial Regex Reference();
}
