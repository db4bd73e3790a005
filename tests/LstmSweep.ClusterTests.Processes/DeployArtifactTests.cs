using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace LstmSweep.ClusterTests.Processes;

/// <summary>
/// deploy/ checked without a node: the Prometheus configs and alert rules with promtool, the Grafana provisioning
/// and dashboards as JSON and YAML. There is no Grafana here; DashboardQueryTests runs every panel's query against
/// a real Prometheus scraping a real node.
/// </summary>
public sealed class DeployArtifactTests
{
    public const string Promtool = "/usr/bin/promtool";
    static readonly string Root = CliProcess.RepositoryRoot;
    static readonly string PrometheusFolder = PrometheusServer.DeployFolder;
    static readonly string DatasourceFile = Path.Combine(Root, "deploy", "grafana", "provisioning", "datasources", "prometheus.yml");
    static readonly string ProviderFile = Path.Combine(Root, "deploy", "grafana", "provisioning", "dashboards", "lstmsweep.yml");
    static readonly Regex MetricName = new(@"\b(lstmsweep_[a-z_]+|process_[a-z_]+|dotnet_[a-z_]+)");
    static readonly string[] HistogramSuffixes = ["_bucket", "_sum", "_count"];
    static readonly string[] Alerts = ["LstmSweepNodeDown", "LstmSweepSweepStalled", "LstmSweepTrialFailureRateHigh"];

    public static IEnumerable<object[]> DashboardFiles() => DashboardExpressions.Files().Select(f => new object[] { Path.GetFileName(f) });

    // ---- Prometheus

    [Fact]
    public void PromtoolAcceptsTheComposeConfigAndItsRuleFile()
    {
        var (exit, output) = RunPromtool("check", "config", Path.Combine(PrometheusFolder, "prometheus.yml"));
        Assert.True(exit == 0, output);
        Assert.Contains("SUCCESS: 1 rule files found", output);
        var job = LstmSweepJob(LoadYaml(Path.Combine(PrometheusFolder, "prometheus.yml")));
        Assert.Equal("15s", Scalar(Get(LoadYaml(Path.Combine(PrometheusFolder, "prometheus.yml")), "global")!, "scrape_interval"));
        var targets = ((YamlSequenceNode)Get(((YamlSequenceNode)Get(job, "static_configs")!)[0], "targets")!).Select(t => ((YamlScalarNode)t).Value).ToList();
        Assert.Contains("coordinator:5080", targets);
    }

    [Fact]
    public void PromtoolAcceptsTheKubernetesConfig()
    {
        var file = Path.Combine(PrometheusFolder, "prometheus-kubernetes.yml");
        var job = LstmSweepJob(LoadYaml(file));
        var sd = Assert.IsType<YamlSequenceNode>(Get(job, "kubernetes_sd_configs"));
        Assert.Equal("pod", Scalar(Assert.Single(sd), "role"));

        var (exit, output) = RunPromtool("check", "config", file);
        if (exit != 0 && output.Contains("field kubernetes_sd_configs not found"))
        {
            // Debian's prometheus package is built without Kubernetes discovery: check everything else of the file
            // (rule files, relabelling) with the pods coming from a file instead.
            using var scratch = new ScratchDirectory();
            var copy = WithFileDiscovery(file, scratch.Path, "[]");
            (exit, output) = RunPromtool("check", "config", copy);
        }
        Assert.True(exit == 0, output);
        Assert.Contains("SUCCESS: 1 rule files found", output);
    }

    [Fact]
    public async Task TheKubernetesRelabellingKeepsAnnotatedLstmsweepPodsAndScrapesTheirAnnotatedPort()
    {
        // Pods as Kubernetes discovery would describe them, fed to the config's own relabelling through a file.
        static JsonObject Pod(string address, string name, string app, string? scrape, string? port)
        {
            var labels = new JsonObject
            {
                ["__meta_kubernetes_pod_name"] = name, ["__meta_kubernetes_namespace"] = "ml",
                ["__meta_kubernetes_pod_label_app_kubernetes_io_name"] = app,
            };
            if (scrape is not null) labels["__meta_kubernetes_pod_annotation_prometheus_io_scrape"] = scrape;
            if (port is not null) labels["__meta_kubernetes_pod_annotation_prometheus_io_port"] = port;
            return new JsonObject { ["targets"] = new JsonArray(address), ["labels"] = labels };
        }
        var pods = new JsonArray(
            Pod("127.0.0.1:8080", "lstmsweep-coordinator-0", "lstmsweep", "true", "5080"),
            Pod("127.0.0.4", "lstmsweep-worker-0", "lstmsweep", "true", "5081"), // a pod without a declared port
            Pod("127.0.0.2:8080", "lstmsweep-worker-1", "lstmsweep", null, "5080"), // not asking to be scraped
            Pod("127.0.0.3:8080", "other-app-0", "other-app", "true", "5080")).ToJsonString();
        var file = Path.Combine(PrometheusFolder, "prometheus-kubernetes.yml");
        using var prometheus = new PrometheusServer(folder => File.ReadAllText(WithFileDiscovery(file, folder, pods)));

        JsonElement data = default;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            data = (await prometheus.GetAsync("api/v1/targets?state=any")).GetProperty("data");
            if (data.GetProperty("activeTargets").GetArrayLength() + data.GetProperty("droppedTargets").GetArrayLength() >= 4) break;
            await Task.Delay(200);
        }
        var active = data.GetProperty("activeTargets").EnumerateArray()
            .Select(t => (Url: t.GetProperty("scrapeUrl").GetString(), Instance: t.GetProperty("labels").GetProperty("instance").GetString(),
                Job: t.GetProperty("labels").GetProperty("job").GetString()))
            .OrderBy(t => t.Url).ToList();
        Assert.Equal([("http://127.0.0.1:5080/metrics", "lstmsweep-coordinator-0", "lstmsweep"), ("http://127.0.0.4:5081/metrics", "lstmsweep-worker-0", "lstmsweep")], active);
        Assert.Equal(2, data.GetProperty("droppedTargets").GetArrayLength());
    }

    [Fact]
    public void PromtoolAcceptsTheAlertRulesAndTheyAreTheThreeAlerts()
    {
        var (exit, output) = RunPromtool("check", "rules", Path.Combine(PrometheusFolder, "alerts.yml"));
        Assert.True(exit == 0, output);
        Assert.Contains("SUCCESS: 3 rules found", output);
        Assert.Equal(Alerts.Order(), AlertNames().Order());
    }

    [Fact]
    public void TheAlertRulesPassTheirPromtoolUnitTestsWhichShowEachAlertFiringAndQuiet()
    {
        var testFile = Path.Combine(PrometheusFolder, "alerts.test.yml");
        var (exit, output) = RunPromtool("test", "rules", testFile);
        Assert.True(exit == 0, output);
        Assert.Contains("SUCCESS", output);

        // Each alert has an evaluation where it fires and one where it is expected quiet.
        var checks = ((YamlSequenceNode)Get(LoadYaml(testFile), "tests")!)
            .SelectMany(t => Get(t, "alert_rule_test") is YamlSequenceNode s ? s : [])
            .Select(c => (Name: Scalar(c, "alertname"), Fires: Get(c, "exp_alerts") is YamlSequenceNode { Children.Count: > 0 }))
            .ToList();
        foreach (var alert in AlertNames())
        {
            Assert.True(checks.Any(c => c.Name == alert && c.Fires), $"alerts.test.yml never shows {alert} firing");
            Assert.True(checks.Any(c => c.Name == alert && !c.Fires), $"alerts.test.yml never shows {alert} quiet");
        }
    }

    // ---- Grafana

    [Fact]
    public void TheProvisionedDatasourceIsOnePrometheusWithAFixedUid()
    {
        var datasources = Assert.IsType<YamlSequenceNode>(Get(LoadYaml(DatasourceFile), "datasources"));
        var datasource = Assert.Single(datasources);
        Assert.Equal("prometheus", Scalar(datasource, "type"));
        Assert.Equal("lstmsweep-prometheus", Scalar(datasource, "uid"));
        Assert.Equal("http://prometheus:9090", Scalar(datasource, "url"));
        Assert.Equal("1", Scalar(LoadYaml(DatasourceFile), "apiVersion"));
    }

    [Fact]
    public void TheDashboardProviderLoadsTheShippedDashboardsFromTheDocumentedFolder()
    {
        var provider = Assert.Single(Assert.IsType<YamlSequenceNode>(Get(LoadYaml(ProviderFile), "providers")));
        Assert.Equal("file", Scalar(provider, "type"));
        Assert.Equal("LstmSweep", Scalar(provider, "folder"));
        var path = Scalar(Get(provider, "options")!, "path");
        Assert.Equal("/var/lib/grafana/dashboards", path);
        // The folder mounted there is deploy/grafana/dashboards, as the README says.
        Assert.NotEmpty(DashboardExpressions.Files());
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        Assert.Matches(@"deploy/grafana/dashboards`?[^\n]*" + Regex.Escape(path!), readme);
        Assert.Matches(@"deploy/grafana/provisioning`?[^\n]*/etc/grafana/provisioning", readme);
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void ADashboardIsAValidGrafanaDashboardOnTheProvisionedDatasource(string file)
    {
        var dashboard = DashboardExpressions.Load(Path.Combine(DashboardExpressions.Folder, file));
        var problems = DashboardLint.Problems(dashboard, ProvisionedDatasourceUid());
        Assert.True(problems.Count == 0, $"{file}:\n" + string.Join("\n", problems));
        Assert.StartsWith("lstmsweep-", dashboard.GetProperty("uid").GetString());
        Assert.StartsWith("LstmSweep / ", dashboard.GetProperty("title").GetString());
    }

    [Fact]
    public void TheDashboardsAreTheSweepAndClusterDashboardsWithDistinctUids()
    {
        var dashboards = DashboardExpressions.Files().Select(DashboardExpressions.Load).ToList();
        Assert.Equal(["lstmsweep-cluster", "lstmsweep-sweep"], dashboards.Select(d => d.GetProperty("uid").GetString()).Order());
    }

    /// <summary>Each rule of the lint catches the dashboard broken that way (so a passing lint means something).</summary>
    [Theory]
    [InlineData("duplicate nested panel id", "is also the id of panel")]
    [InlineData("foreign datasource uid", "is not {\"type\": \"prometheus\"")]
    [InlineData("target without datasource", "target A: no datasource")]
    [InlineData("variable on another datasource", "$.templating.list[0].datasource")]
    [InlineData("no gridPos", "no gridPos")]
    [InlineData("panel without a query", "no query")]
    [InlineData("fixed rate window in a time series", "use [$__rate_interval]")]
    [InlineData("filter dropping series", "a comparison filter drops series")]
    [InlineData("old schema", "schemaVersion")]
    [InlineData("no uid", "no uid")]
    public void The_lint_catches_a_broken_dashboard(string breakage, string expected)
    {
        var sweep = JsonNode.Parse(File.ReadAllText(Path.Combine(DashboardExpressions.Folder, "sweep.json")))!.AsObject();
        var cluster = JsonNode.Parse(File.ReadAllText(Path.Combine(DashboardExpressions.Folder, "cluster.json")))!.AsObject();
        var dashboard = breakage == "duplicate nested panel id" ? cluster : sweep;
        var panels = dashboard["panels"]!.AsArray();
        var timeseries = panels.First(p => (string?)p!["type"] == "timeseries")!;
        switch (breakage)
        {
            case "duplicate nested panel id":
                var row = panels.Last(p => (string?)p!["type"] == "row")!;
                row["panels"]![0]!["id"] = panels[1]!["id"]!.GetValue<int>();
                break;
            case "foreign datasource uid": timeseries["datasource"]!["uid"] = "another"; break;
            case "target without datasource": timeseries["targets"]![0]!.AsObject().Remove("datasource"); break;
            case "variable on another datasource": dashboard["templating"]!["list"]![0]!["datasource"] = "Prometheus"; break;
            case "no gridPos": timeseries.AsObject().Remove("gridPos"); break;
            case "panel without a query": timeseries.AsObject().Remove("targets"); break;
            case "fixed rate window in a time series":
                timeseries["targets"]![0]!["expr"] = "sum(rate(lstmsweep_epochs_total{sweep=\"$sweep\"}[5m]))";
                break;
            case "filter dropping series":
                timeseries["targets"]![0]!["expr"] = "sum(rate(lstmsweep_trials_failed_total{sweep=\"$sweep\"}[$__rate_interval])) > 0";
                break;
            case "old schema": dashboard["schemaVersion"] = 27; break;
            case "no uid": dashboard.Remove("uid"); break;
        }
        var problems = DashboardLint.Problems(JsonDocument.Parse(dashboard.ToJsonString()).RootElement, ProvisionedDatasourceUid());
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void TheSweepDashboardFiltersEveryQueryByItsSweepVariable()
    {
        var queries = DashboardExpressions.Extract(DashboardExpressions.Load(Path.Combine(DashboardExpressions.Folder, "sweep.json")), "sweep.json").ToList();
        var variable = Assert.Single(queries, q => q.IsVariable);
        Assert.Equal("variable sweep", variable.Panel);
        Assert.Equal(("lstmsweep_sweep_trials_remaining", "sweep"), variable.LabelValues);
        var panels = queries.Where(q => !q.IsVariable).ToList();
        Assert.True(panels.Count >= 15, $"only {panels.Count} panel queries");
        var unfiltered = panels.Where(q => !Regex.IsMatch(q.Expression, @"sweep=""\$(sweep|\{sweep\})""")).ToList();
        Assert.True(unfiltered.Count == 0, "not filtered by sweep=\"$sweep\":\n" + string.Join("\n", unfiltered));
    }

    [Fact]
    public void EveryMetricADashboardOrAlertUsesIsDocumentedInDocsMetricsMd()
    {
        var documented = DocumentedMetrics();
        var used = DashboardExpressions.All().Select(q => (Where: q.ToString(), Text: q.Expression))
            .Concat(new[] { "alerts.yml", "alerts.test.yml" }.Select(f => (Where: f, Text: File.ReadAllText(Path.Combine(PrometheusFolder, f)))))
            .ToList();
        Assert.True(used.SelectMany(u => MetricName.Matches(u.Text)).Select(m => m.Value).Distinct().Count() >= 25, "the name check found too few names to mean anything");
        var undocumented = used.SelectMany(u => UndocumentedNames(u.Text, documented).Select(name => $"{name} ({u.Where})")).Distinct().ToList();
        Assert.True(undocumented.Count == 0, "not in docs/metrics.md:\n" + string.Join("\n", undocumented));
    }

    [Fact]
    public void TheMetricNameCheckFlagsAnUndocumentedNameAndAcceptsHistogramSeries()
    {
        var documented = DocumentedMetrics();
        Assert.Equal(["lstmsweep_trials_bogus_total", "dotnet_gc_made_up_total"],
            UndocumentedNames("rate(lstmsweep_trials_bogus_total[1m]) + rate(dotnet_gc_made_up_total[1m]) + lstmsweep_epochs_total", documented));
        Assert.Empty(UndocumentedNames("histogram_quantile(0.9, sum by (le) (rate(lstmsweep_epoch_duration_seconds_bucket[1m])))", documented));
        // Only a documented histogram's name takes the suffixes.
        Assert.Equal(["lstmsweep_epochs_total_bucket"], UndocumentedNames("lstmsweep_epochs_total_bucket", documented));
    }

    // ---- helpers

    /// <summary>Names matching lstmsweep_*, process_*, dotnet_* in docs/metrics.md.</summary>
    static HashSet<string> DocumentedMetrics() =>
        MetricName.Matches(File.ReadAllText(Path.Combine(Root, "docs", "metrics.md"))).Select(m => m.Value).ToHashSet();

    static HashSet<string> DocumentedHistograms()
    {
        var histograms = new HashSet<string>();
        foreach (var line in File.ReadAllLines(Path.Combine(Root, "docs", "metrics.md")))
            if (Regex.Match(line, @"^\|\s*`([a-z_]+)`\s*\|\s*histogram\s*\|") is { Success: true } m) histograms.Add(m.Groups[1].Value);
        return histograms;
    }

    /// <summary>The metric names in <paramref name="text"/> that docs/metrics.md does not list (histograms' _bucket, _sum, _count allowed).</summary>
    static List<string> UndocumentedNames(string text, HashSet<string> documented)
    {
        var histograms = DocumentedHistograms();
        return MetricName.Matches(text).Select(m => m.Value).Distinct()
            .Where(name => !documented.Contains(name)
                           && !HistogramSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal) && histograms.Contains(name[..^s.Length])))
            .ToList();
    }

    static string ProvisionedDatasourceUid() =>
        Scalar(((YamlSequenceNode)Get(LoadYaml(DatasourceFile), "datasources")!)[0], "uid")!;

    static List<string> AlertNames() =>
        ((YamlSequenceNode)Get(LoadYaml(Path.Combine(PrometheusFolder, "alerts.yml")), "groups")!)
        .SelectMany(g => (YamlSequenceNode)Get(g, "rules")!)
        .Select(r => Scalar(r, "alert")).OfType<string>().ToList();

    /// <summary>
    /// A copy of a config, written into <paramref name="folder"/>, with its kubernetes_sd_configs replaced by a file
    /// of targets (<paramref name="targetsJson"/>) and its rule file by the shipped alerts.yml's absolute path.
    /// </summary>
    static string WithFileDiscovery(string config, string folder, string targetsJson)
    {
        var root = LoadYaml(config);
        var targets = Path.Combine(folder, "pods.json");
        File.WriteAllText(targets, targetsJson);
        root.Children[new YamlScalarNode("rule_files")] = new YamlSequenceNode(new YamlScalarNode(PrometheusServer.AlertRules));
        var job = LstmSweepJob(root);
        Assert.True(job.Children.Remove(new YamlScalarNode("kubernetes_sd_configs")), "no kubernetes_sd_configs to replace");
        job.Children[new YamlScalarNode("file_sd_configs")] = new YamlSequenceNode(new YamlMappingNode(
            new YamlScalarNode("files"), new YamlSequenceNode(new YamlScalarNode(targets)),
            new YamlScalarNode("refresh_interval"), new YamlScalarNode("1s")));
        var copy = Path.Combine(folder, "prometheus-file-sd.yml");
        using (var writer = new StreamWriter(copy)) new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        return copy;
    }

    static YamlMappingNode LstmSweepJob(YamlMappingNode config) =>
        (YamlMappingNode)((YamlSequenceNode)Get(config, "scrape_configs")!).Single(j => Scalar(j, "job_name") == "lstmsweep");

    static YamlMappingNode LoadYaml(string file)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(file));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    static YamlNode? Get(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    static string? Scalar(YamlNode node, string key) => (Get(node, key) as YamlScalarNode)?.Value;

    /// <summary>Runs promtool; fails the test (not skips it) when it is missing.</summary>
    static (int Exit, string Output) RunPromtool(params string[] args)
    {
        Assert.True(File.Exists(Promtool), $"{Promtool} is missing: install the Debian package prometheus (`.ci/run` installs it when missing)");
        var start = new ProcessStartInfo(Promtool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = PrometheusFolder };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "promtool did not exit within a minute");
        return (process.ExitCode, $"promtool {string.Join(' ', args)}: exit {process.ExitCode}\n{stdout.Result}{stderr.Result}");
    }
}
