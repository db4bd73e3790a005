using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LstmSweep.ClusterTests.Processes;

/// <summary>/metrics of a real node against docs/metrics.md, and the lifetime of per-trial series.</summary>
[Collection(nameof(ClusterProcesses))]
public sealed class MetricsTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Trial 0 trains for a few seconds, trial 1 for many minutes (it is cancelled).</summary>
    static string ShortAndLong(int shortEpochs) => $$"""
        name: metrics
        task: stateful-counter
        strategy: grid
        seed: 5
        space:
          units: [4]
          stateful: [true]
          epochs: [{{shortEpochs}}, 100000]
          learning_rate: [0.05]
          batch_size: [1]
        """;

    /// <summary>Every metric docs/metrics.md lists, with the type it gives (counter, gauge or histogram).</summary>
    public static IReadOnlyList<(string Name, string Type)> DocumentedMetrics()
    {
        var doc = File.ReadAllLines(Path.Combine(CliProcess.RepositoryRoot, "docs", "metrics.md"));
        var metrics = new List<(string, string)>();
        foreach (var line in doc.Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            var name = cells[1].Trim('`');
            if (name == "dotnet_*")
            {
                // The runtime row names its metrics in its meaning column: `dotnet_x{label}`.
                foreach (Match m in Regex.Matches(cells[4], @"`(dotnet_[a-z_]+)"))
                    metrics.Add((m.Groups[1].Value, m.Groups[1].Value.EndsWith("_total", StringComparison.Ordinal) ? "counter" : "gauge"));
                continue;
            }
            if (!Regex.IsMatch(name, "^(lstmsweep|process)_[a-z_]+$")) continue; // the label table
            metrics.Add((name, cells[2].Split(' ')[0]));
        }
        return metrics;
    }

    [Fact]
    public void TheMetricsDocumentListsTheLstmsweepRuntimeAndProcessMetrics()
    {
        var names = DocumentedMetrics().Select(m => m.Name).ToList();
        Assert.True(names.Count(n => n.StartsWith("lstmsweep_", StringComparison.Ordinal)) >= 25, string.Join(", ", names));
        Assert.Contains("lstmsweep_trial_duration_seconds", names);
        Assert.Contains("process_memory_usage_bytes", names);
        Assert.Contains("dotnet_gc_collections_total", names);
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public async Task MetricsCarryEveryDocumentedMetricAndAFinishedTrialsSeriesDisappear()
    {
        using var cluster = new TestCluster(nodes: 1);
        cluster.Start(0, "coordinator,worker", slots: 2);
        // Submitted over HTTP (no CLI process to start), so the scraping begins while trial 0 still trains.
        using var submit = await cluster.Http.PostAsync("api/sweeps", new StringContent(ShortAndLong(shortEpochs: 600)));
        Assert.True(submit.IsSuccessStatusCode, await submit.Content.ReadAsStringAsync());
        var sweepId = (await submit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sweep_id").GetString()!;

        // Trial 0 is seen training: its per-trial series are there.
        var whileRunning = await ScrapeUntilAsync(cluster, m => Has(m, "lstmsweep_trial_epoch", sweepId, trial: 0), "trial 0's series while it runs");
        Assert.True(Has(whileRunning, "lstmsweep_trial_info", sweepId, trial: 0));

        // Then it completes while trial 1 keeps training.
        await WaitForTrialsAsync(cluster, sweepId, t => t[0] == "complete" && t[1] == "running");
        var text = await ScrapeUntilAsync(cluster, m => Has(m, "lstmsweep_trial_eval_accuracy", sweepId, trial: 1)
            && Value(m, "lstmsweep_trials_completed_total", sweepId) == 1, "trial 1's accuracy, and trial 0 counted complete");

        var missing = DocumentedMetrics().Where(m => !Exported(text, m.Name, m.Type)).Select(m => $"{m.Name} ({m.Type})").ToList();
        Assert.True(missing.Count == 0, "not on /metrics: " + string.Join(", ", missing) + "\n\n" + text);

        foreach (var perTrial in new[] { "lstmsweep_trial_info", "lstmsweep_trial_epoch", "lstmsweep_trial_train_loss", "lstmsweep_trial_eval_loss", "lstmsweep_trial_eval_accuracy" })
        {
            Assert.False(Has(text, perTrial, sweepId, trial: 0), $"{perTrial} still has finished trial 0");
            Assert.True(Has(text, perTrial, sweepId, trial: 1), $"{perTrial} lacks running trial 1");
        }
        Assert.Equal(1, Value(text, "lstmsweep_trials_running", sweepId));
        Assert.Equal(1, Value(text, "lstmsweep_slots", null, "state=\"busy\""));
        Assert.Equal(1, Value(text, "lstmsweep_slots", null, "state=\"free\""));
        Assert.Equal(2, Value(text, "lstmsweep_trials_started_total", sweepId));
        Assert.Equal(0, Value(text, "lstmsweep_trials_failed_total", sweepId));
        Assert.Equal(0, Value(text, "lstmsweep_trials_rescheduled_total", sweepId, "reason=\"worker_lost\""));
        Assert.Equal(1, Value(text, "lstmsweep_sweep_trials", sweepId, "state=\"complete\""));
        Assert.Equal(1, Value(text, "lstmsweep_sweep_trials", sweepId, "state=\"running\""));
        Assert.Equal(1, Value(text, "lstmsweep_sweep_trials_remaining", sweepId));
        Assert.Equal(1, Value(text, "lstmsweep_trial_duration_seconds_count", sweepId, "status=\"complete\""));
        Assert.True(Value(text, "lstmsweep_epochs_total", sweepId) >= 600);
        Assert.True(Value(text, "lstmsweep_epoch_duration_seconds_count", sweepId) >= 600);
        Assert.InRange(Value(text, "lstmsweep_sweep_best_accuracy", sweepId), 0.0, 1.0);
        Assert.Equal(1, Value(text, "lstmsweep_cluster_members", null, "status=\"up\""));

        // Cancelled, trial 1 ends too: its series go, and the sweep's counters say how it ended.
        using (var cancel = await cluster.Http.PostAsync($"api/sweeps/{sweepId}/cancel", null)) cancel.EnsureSuccessStatusCode();
        var after = await ScrapeUntilAsync(cluster, m => !Has(m, "lstmsweep_trial_epoch", sweepId, trial: 1), "trial 1's series to go after the cancel");
        Assert.DoesNotContain($"trial=\"1\"", after);
        Assert.DoesNotContain("lstmsweep_trials_running{", after);
        Assert.Equal(0, Value(after, "lstmsweep_slots", null, "state=\"busy\""));
        await ScrapeUntilAsync(cluster, m => Value(m, "lstmsweep_trials_cancelled_total", sweepId) == 1, "trial 1 counted cancelled");
    }

    static async Task<string> ScrapeUntilAsync(TestCluster cluster, Func<string, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        string text = "";
        while (DateTime.UtcNow < deadline)
        {
            text = await cluster.Http.GetStringAsync("metrics");
            if (condition(text)) return text;
            await Task.Delay(50);
        }
        Assert.Fail($"waited {Timeout} for {what}; last /metrics:\n{text}\n{cluster.AllStderr}");
        return text;
    }

    static async Task WaitForTrialsAsync(TestCluster cluster, string sweepId, Func<string[], bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            var sweep = await cluster.Http.GetFromJsonAsync<JsonElement>($"api/sweeps/{sweepId}");
            var statuses = sweep.GetProperty("trials").EnumerateArray().OrderBy(t => t.GetProperty("trial_id").GetInt32())
                .Select(t => t.GetProperty("status").GetString()!).ToArray();
            if (statuses.Length == 2 && condition(statuses)) return;
            await Task.Delay(200);
        }
        Assert.Fail("the trials did not reach the expected statuses\n" + cluster.AllStderr);
    }

    /// <summary>A metric family is exported with the documented type and at least one sample.</summary>
    static bool Exported(string text, string name, string type)
        => text.Contains($"# TYPE {name} {type}\n", StringComparison.Ordinal)
           && Regex.IsMatch(text, $@"^{Regex.Escape(name)}(_bucket|_count)?[{{ ]", RegexOptions.Multiline);

    static IEnumerable<string> Samples(string text, string name, string? sweepId, params string[] labels)
        => text.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal)
            && (sweepId is null || l.Contains($"sweep=\"{sweepId}\"", StringComparison.Ordinal))
            && labels.All(x => l.Contains(x, StringComparison.Ordinal)));

    static bool Has(string text, string name, string sweepId, int trial)
        => Samples(text, name, sweepId, $"trial=\"{trial}\"").Any();

    /// <summary>The value of the one sample that matches (NaN if there is none).</summary>
    static double Value(string text, string name, string? sweepId, params string[] labels)
    {
        var sample = Samples(text, name, sweepId, labels).ToList();
        Assert.True(sample.Count <= 1, $"{name} has {sample.Count} matching samples: {string.Join("\n", sample)}");
        return sample.Count == 0 ? double.NaN : double.Parse(sample[0][(sample[0].LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
