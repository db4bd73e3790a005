using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace LstmSweep.ClusterTests.Processes;

/// <summary>Clusters of real node processes: one at a time, the machine has few cores.</summary>
[CollectionDefinition(nameof(ClusterProcesses), DisableParallelization = true)]
public sealed class ClusterProcesses;

[Collection(nameof(ClusterProcesses))]
public sealed class ClusterTests
{
    static readonly TimeSpan SweepTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ATwoNodeClusterRunsASubmittedSweepEveryTrialExactlyOnce()
    {
        using var cluster = new TestCluster(nodes: 2);
        cluster.Start(0, "coordinator,worker", slots: 1);
        cluster.Start(1, "worker", slots: 1);
        await cluster.WaitForMembersAsync(2);
        var spec = cluster.Scratch.Write("counter.yaml", Specs.Counter(epochs: 120));

        var submit = CliProcess.Run(cluster.Scratch.Path, null, SweepTimeout, "submit", spec, "--wait", "--output", "json", "--server", cluster.Server);

        Assert.True(submit.ExitCode == 0, submit + "\n" + cluster.AllStderr);
        using var document = JsonDocument.Parse(submit.Stdout); // stdout is the JSON document alone
        var root = document.RootElement;
        Assert.Equal("completed", root.GetProperty("status").GetString());
        var trials = root.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(4, trials.Count);
        Assert.All(trials, t =>
        {
            Assert.Equal("complete", t.GetProperty("status").GetString());
            Assert.Equal(1, t.GetProperty("attempts").GetInt32());
        });

        var sweepId = root.GetProperty("sweep_id").GetString()!;
        var events = await cluster.EventsAsync(sweepId);
        var finished = events.Where(e => e.Name == "trial_finished").Select(e => e.Data.GetProperty("trial_id").GetInt32()).ToList();
        Assert.Equal([0, 1, 2, 3], finished.Order());
        var workers = events.Where(e => e.Name == "trial_started").Select(e => e.Data.GetProperty("worker").GetString()!).ToList();
        Assert.Equal(4, workers.Count);
        // Both nodes' workers pulled work through the singleton.
        Assert.Contains(workers, w => w.EndsWith($":{cluster.PortOf(0)}", StringComparison.Ordinal));
        Assert.Contains(workers, w => w.EndsWith($":{cluster.PortOf(1)}", StringComparison.Ordinal));

        // The same document through the other read paths.
        var results = CliProcess.Run(cluster.Scratch.Path, null, TimeSpan.FromMinutes(1), "results", sweepId, "--output", "json", "--server", cluster.Server);
        Assert.Equal(0, results.ExitCode);
        Assert.Equal(submit.Stdout.Trim(), results.Stdout.Trim());
        var nodes = CliProcess.Run(cluster.Scratch.Path, new Dictionary<string, string> { ["LSTMSWEEP_SERVER"] = cluster.Server },
            TimeSpan.FromMinutes(1), "nodes", "--output", "json");
        Assert.Equal(0, nodes.ExitCode);
        Assert.Equal(2, JsonDocument.Parse(nodes.Stdout).RootElement.GetArrayLength());

        // The worker-only node serves health, readiness and metrics on its own port, and points sweep requests away.
        using var worker = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster.HttpPortOf(1)}/") };
        Assert.Equal("ok", await worker.GetStringAsync("healthz"));
        Assert.Equal("ready", await worker.GetStringAsync("ready"));
        var metrics = await worker.GetStringAsync("metrics");
        Assert.Contains("lstmsweep_slots{", metrics);
        Assert.Matches(@"lstmsweep_node_info\{[^}]*roles=""worker""", metrics);
        Assert.Contains("lstmsweep_epoch_duration_seconds_count{", metrics); // it trained some epochs
        Assert.DoesNotContain("lstmsweep_sweep_trials{", metrics); // coordinator metrics live where the coordinator runs
        using var notHere = await worker.GetAsync("api/sweeps");
        Assert.Equal(HttpStatusCode.NotFound, notHere.StatusCode);
        Assert.Contains("coordinator", await notHere.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ASweepCompletesWhenAWorkerNodeIsKilledMidSweep()
    {
        using var cluster = new TestCluster(nodes: 2);
        cluster.Start(0, "coordinator,worker", slots: 1);
        var workerB = cluster.Start(1, "worker", slots: 2);
        await cluster.WaitForMembersAsync(2);
        var spec = cluster.Scratch.Write("slow.yaml", Specs.SlowCumsum(epochs: 300));

        var submit = CliProcess.Run(cluster.Scratch.Path, null, TimeSpan.FromMinutes(1), "submit", spec, "--output", "json", "--server", cluster.Server);
        Assert.True(submit.ExitCode == 0, submit.ToString());
        var sweepId = JsonDocument.Parse(submit.Stdout).RootElement.GetProperty("sweep_id").GetString()!;

        // Wait until B runs a trial, then kill it: no leave, no handover, as when a machine dies.
        var bSuffix = $":{cluster.PortOf(1)}";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "node B never started a trial\n" + cluster.AllStderr);
            var sweep = await cluster.Http.GetFromJsonAsync<JsonElement>($"api/sweeps/{sweepId}");
            if (sweep.GetProperty("counts").GetProperty("running").GetInt32() >= 3) break; // A's slot and both of B's
            await Task.Delay(200);
        }
        workerB.Kill();

        var wait = CliProcess.Run(cluster.Scratch.Path, null, SweepTimeout, "submit", spec, "--wait", "--output", "json", "--server", "http://127.0.0.1:1");
        Assert.Equal(3, wait.ExitCode); // an unreachable server is exit 3

        var final = await WaitUntilFinishedAsync(cluster, sweepId);
        Assert.True(final.GetProperty("status").GetString() == "completed", final + "\n" + cluster.AllStderr);
        var events = await cluster.EventsAsync(sweepId);
        var finished = events.Where(e => e.Name == "trial_finished").Select(e => e.Data.GetProperty("trial_id").GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(0, 6), finished.Order()); // every trial ended exactly once
        Assert.All(events.Where(e => e.Name == "trial_finished"), e => Assert.Equal("complete", e.Data.GetProperty("status").GetString()));
        var requeued = events.Where(e => e.Name == "trial_requeued").ToList();
        Assert.True(requeued.Count >= 2, "B's two attempts should have been requeued\n" + cluster.AllStderr);
        Assert.All(requeued, e => Assert.Contains("lost", e.Data.GetProperty("reason").GetString()));
        var startedOnB = events.Where(e => e.Name == "trial_started" && e.Data.GetProperty("worker").GetString()!.EndsWith(bSuffix, StringComparison.Ordinal)).ToList();
        Assert.True(startedOnB.Count >= 2);
    }

    [Fact]
    public async Task AWorkerLeavingOnSIGTERMHandsItsTrialsBackAndTheSweepCompletes()
    {
        using var cluster = new TestCluster(nodes: 2);
        cluster.Start(0, "coordinator,worker", slots: 1);
        var workerB = cluster.Start(1, "worker", slots: 2);
        await cluster.WaitForMembersAsync(2);
        var spec = cluster.Scratch.Write("slow.yaml", Specs.SlowCumsum(epochs: 300));
        var sweepId = Submit(cluster, spec);
        await WaitForRunningAsync(cluster, sweepId, 3);

        workerB.Terminate();
        var left = workerB.WaitForExit(TimeSpan.FromSeconds(30));
        Assert.True(left.ExitCode == 0, left.ToString());
        Assert.Contains("left the cluster", left.Stderr);

        var final = await WaitUntilFinishedAsync(cluster, sweepId);
        Assert.True(final.GetProperty("status").GetString() == "completed", final + "\n" + cluster.AllStderr);
        var events = await cluster.EventsAsync(sweepId);
        Assert.Equal(Enumerable.Range(0, 6), events.Where(e => e.Name == "trial_finished").Select(e => e.Data.GetProperty("trial_id").GetInt32()).Order());
        var requeued = events.Where(e => e.Name == "trial_requeued").Select(e => e.Data.GetProperty("reason").GetString()!).ToList();
        Assert.Equal(2, requeued.Count(r => r.Contains("left the cluster"))); // handed back, not found lost
    }

    [Fact]
    public async Task ARestartedCoordinatorNodeRecoversTheUnfinishedSweep()
    {
        using var cluster = new TestCluster(nodes: 1);
        var node = cluster.Start(0, "coordinator,worker", slots: 2);
        await cluster.WaitForMembersAsync(1);
        var spec = cluster.Scratch.Write("slow.yaml", Specs.SlowCumsum(epochs: 200));
        var sweepId = Submit(cluster, spec);
        await WaitForRunningAsync(cluster, sweepId, 2);
        node.Kill();

        cluster.Start(0, "coordinator,worker", slots: 2); // same address, same journal: the manager finds its sweeps
        var final = await WaitUntilFinishedAsync(cluster, sweepId);
        Assert.True(final.GetProperty("status").GetString() == "completed", final + "\n" + cluster.AllStderr);
        var events = await cluster.EventsAsync(sweepId);
        Assert.Equal(Enumerable.Range(0, 6), events.Where(e => e.Name == "trial_finished").Select(e => e.Data.GetProperty("trial_id").GetInt32()).Order());
        Assert.Contains(events, e => e.Name == "trial_requeued" && e.Data.GetProperty("reason").GetString()!.StartsWith("interrupted", StringComparison.Ordinal));
    }

    static string Submit(TestCluster cluster, string spec)
    {
        var submit = CliProcess.Run(cluster.Scratch.Path, null, TimeSpan.FromMinutes(1), "submit", spec, "--output", "json", "--server", cluster.Server);
        Assert.True(submit.ExitCode == 0, submit.ToString());
        return JsonDocument.Parse(submit.Stdout).RootElement.GetProperty("sweep_id").GetString()!;
    }

    static async Task WaitForRunningAsync(TestCluster cluster, string sweepId, int running)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"never {running} trials running\n" + cluster.AllStderr);
            var sweep = await cluster.Http.GetFromJsonAsync<JsonElement>($"api/sweeps/{sweepId}");
            if (sweep.GetProperty("counts").GetProperty("running").GetInt32() >= running) return;
            await Task.Delay(200);
        }
    }

    static async Task<JsonElement> WaitUntilFinishedAsync(TestCluster cluster, string sweepId)
    {
        var deadline = DateTime.UtcNow + SweepTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var sweep = await cluster.Http.GetFromJsonAsync<JsonElement>($"api/sweeps/{sweepId}");
            if (sweep.GetProperty("status").GetString() != "running") return sweep;
            await Task.Delay(500);
        }
        Assert.Fail($"sweep {sweepId} did not finish\n{cluster.AllStderr}");
        return default;
    }

    [Fact]
    public async Task TheCliReportsARejectedSpecWithExit2AndSubmitsWithTheToken()
    {
        // The API's answers to malformed bodies, one by one, are ApiRejectionTests.
        const string token = "s3cret-token";
        using var cluster = new TestCluster(nodes: 1);
        cluster.Environment["LSTMSWEEP_API_TOKEN"] = token;
        cluster.Start(0, "coordinator", slots: 1);
        await cluster.WaitForMembersAsync(1);

        // The CLI: a bad spec is exit 2 with the server's reasons; with the token a good one is accepted.
        var bad = cluster.Scratch.Write("bad.yaml", Specs.Counter() + "\nbogus_key: 1\n");
        var env = new Dictionary<string, string> { ["LSTMSWEEP_API_TOKEN"] = token, ["LSTMSWEEP_SERVER"] = cluster.Server };
        var rejected = CliProcess.Run(cluster.Scratch.Path, env, TimeSpan.FromMinutes(1), "submit", bad);
        Assert.Equal(2, rejected.ExitCode);
        Assert.Contains("bogus_key", rejected.Stderr);
        var good = cluster.Scratch.Write("good.yaml", Specs.Counter());
        var accepted = CliProcess.Run(cluster.Scratch.Path, env, TimeSpan.FromMinutes(1), "submit", good);
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        var id = accepted.Stdout.Trim();
        var cancelled = CliProcess.Run(cluster.Scratch.Path, env, TimeSpan.FromMinutes(1), "cancel", id);
        Assert.True(cancelled.ExitCode == 0, cancelled.ToString());
        var final = await WaitUntilFinishedAsync(cluster, id); // no worker: every trial is cancelled while waiting
        Assert.Equal("cancelled", final.GetProperty("status").GetString());
    }
}
