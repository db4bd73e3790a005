using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace LstmSweep.ClusterTests.Processes;

/// <summary>
/// The live proof of the dashboards: one real node runs a sweep with one trial complete and one still training, a
/// real Prometheus scrapes it, and every query of every panel (and the template variable) must return a series.
/// </summary>
[Collection(nameof(ClusterProcesses))]
public sealed class DashboardQueryTests(ITestOutputHelper output)
{
    /// <summary>Two trials: 20 epochs (a second or so) and 100,000 (far longer than the test; it is cancelled).</summary>
    const string Spec = """
        name: dashboards
        task: stateful-counter
        strategy: grid
        seed: 3
        space:
          units: [4]
          epochs: [20, 100000]
          learning_rate: [0.05]
          batch_size: [1]
        """;

    static readonly TimeSpan RateInterval = TimeSpan.FromMinutes(1);
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    static readonly TimeSpan Range = TimeSpan.FromMinutes(5);
    static readonly string[] Alerts = ["LstmSweepNodeDown", "LstmSweepSweepStalled", "LstmSweepTrialFailureRateHigh"];

    [Fact]
    public async Task EveryDashboardQueryReturnsASeriesFromANodeWithOneTrialCompleteAndOneRunning()
    {
        PrometheusServer.RequireBinary();
        using var scratch = new ScratchDirectory();
        var ports = FreePorts.Take(2);
        var (clusterPort, httpPort) = (ports[0], ports[1]);
        using var node = new CliProcess(scratch.Path, new Dictionary<string, string>(), "node", "--roles", "coordinator,worker", "--slots", "2",
            "--host", "127.0.0.1", "--port", clusterPort.ToString(), "--http-port", httpPort.ToString(),
            "--db", "sqlite:" + Path.Combine(scratch.Path, "x.db"), "--create-db", "--checkpoints", Path.Combine(scratch.Path, "checkpoints"));
        Assert.True(node.WaitForStderr(s => s.Contains("node up:"), TestCluster.StartTimeout), $"the node did not come up:\n{node.Stderr}");
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(30) };

        using var submit = await api.PostAsync("api/sweeps", new StringContent(Spec, Encoding.UTF8, "application/yaml"));
        var submitted = await submit.Content.ReadAsStringAsync();
        Assert.True(submit.StatusCode == HttpStatusCode.Created, $"{(int)submit.StatusCode} {submitted}\n{node.Stderr}");
        var sweepId = JsonDocument.Parse(submitted).RootElement.GetProperty("sweep_id").GetString()!;

        await WaitForCountsAsync(api, sweepId, node, complete: 1, running: 1);

        var target = $"127.0.0.1:{httpPort}";
        using var prometheus = PrometheusServer.Scraping(target);
        await prometheus.WaitForScrapesAsync(target, scrapes: 3, TimeSpan.FromSeconds(60));

        var variables = new Dictionary<string, string> { ["sweep"] = sweepId };
        var queries = DashboardExpressions.All();
        Assert.True(queries.Count >= 40, $"only {queries.Count} queries found");
        var failures = new List<string>();
        foreach (var query in queries)
            if (await FailureAsync(prometheus, query, variables, sweepId, output) is { } failure)
                failures.Add($"{query.Dashboard} / {query.Panel}{(query.RefId.Length > 0 ? $" [{query.RefId}]" : "")}: {failure}");

        // The premise held while the queries ran: a trial complete, another still training.
        var sweep = await api.GetFromJsonAsync<JsonElement>($"api/sweeps/{sweepId}");
        var counts = sweep.GetProperty("counts");
        Assert.True(counts.GetProperty("complete").GetInt32() >= 1 && counts.GetProperty("running").GetInt32() >= 1, $"the sweep moved on: {counts}");

        if (failures.Count > 0)
        {
            var exported = await prometheus.QueryValuesAsync("count by (__name__) ({job=\"lstmsweep\"})");
            Assert.Fail($"{failures.Count} of {queries.Count} dashboard queries returned no series (sweep {sweepId}):\n" + string.Join("\n", failures)
                        + "\n\nmetrics the node exports: " + string.Join(", ", exported.Select(e => e.Labels.GetValueOrDefault("__name__")).Order()));
        }

        // The shipped alert rules load and evaluate in this Prometheus.
        var rules = await WaitForRuleEvaluationAsync(prometheus);
        Assert.Equal(Alerts.Order(), rules.Select(r => r.Name).Order());
        Assert.All(rules, r => Assert.True(r.Health == "ok", $"{r.Name}: health {r.Health} {r.Error}"));

        using var cancel = await api.PostAsync($"api/sweeps/{sweepId}/cancel", null);
        Assert.True(cancel.StatusCode == HttpStatusCode.Accepted, $"cancel: {(int)cancel.StatusCode} {await cancel.Content.ReadAsStringAsync()}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await api.GetFromJsonAsync<JsonElement>($"api/sweeps/{sweepId}")).GetProperty("status").GetString() == "running")
        {
            Assert.True(DateTime.UtcNow < deadline, $"the sweep was not cancelled within a minute\n{node.Stderr}");
            await Task.Delay(250);
        }
    }

    /// <summary>Why the query fails, or null when it returns at least one series (an instant query, or for a target that is not instant-only, a range query over the last minute).</summary>
    static async Task<string?> FailureAsync(PrometheusServer prometheus, DashboardQuery query, Dictionary<string, string> variables, string sweepId,
        ITestOutputHelper output)
    {
        try
        {
            if (query.LabelValues is var (match, label))
            {
                var values = await prometheus.LabelValuesAsync(label, match ?? "{job=\"lstmsweep\"}");
                output.WriteLine($"label values {values.Count}: {query}");
                return values.Contains(sweepId) ? null : $"{query.Expression} lists [{string.Join(", ", values)}], not {sweepId}";
            }
            var expression = DashboardExpressions.Substitute(query.Expression, variables, RateInterval, Interval, Range);
            var instant = await prometheus.QueryValuesAsync(expression);
            if (instant.Count > 0)
            {
                output.WriteLine($"instant {instant.Count} series, {instant.Count(v => double.IsNaN(v.Value))} NaN: {query}");
                return null;
            }
            if (!query.Instant)
            {
                var now = DateTimeOffset.UtcNow;
                var range = await prometheus.QueryRangeAsync(expression, now - TimeSpan.FromMinutes(1), now, TimeSpan.FromSeconds(1));
                output.WriteLine($"range {range.Count} series: {query}");
                if (range.Count > 0) return null;
            }
            return $"{expression} returned no series";
        }
        catch (PrometheusQueryException e)
        {
            return $"refused: {e.Message}";
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    static async Task WaitForCountsAsync(HttpClient api, string sweepId, CliProcess node, int complete, int running)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        JsonElement counts = default;
        while (DateTime.UtcNow < deadline)
        {
            counts = (await api.GetFromJsonAsync<JsonElement>($"api/sweeps/{sweepId}")).GetProperty("counts");
            if (counts.GetProperty("complete").GetInt32() >= complete && counts.GetProperty("running").GetInt32() >= running) return;
            await Task.Delay(200);
        }
        Assert.Fail($"never {complete} complete and {running} running; last counts {counts}\n{node.Stderr}");
    }

    /// <summary>The alerting rules of /api/v1/rules once each has been evaluated (health no longer "unknown").</summary>
    static async Task<List<(string Name, string Health, string Error)>> WaitForRuleEvaluationAsync(PrometheusServer prometheus)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var groups = (await prometheus.GetAsync("api/v1/rules?type=alert")).GetProperty("data").GetProperty("groups");
            var rules = groups.EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray())
                .Where(r => r.GetProperty("type").GetString() == "alerting")
                .Select(r => (r.GetProperty("name").GetString()!, r.GetProperty("health").GetString()!,
                    r.TryGetProperty("lastError", out var e) ? e.GetString() ?? "" : ""))
                .ToList();
            if ((rules.Count > 0 && rules.All(r => r.Item2 != "unknown")) || DateTime.UtcNow > deadline) return rules;
            await Task.Delay(250);
        }
    }
}
