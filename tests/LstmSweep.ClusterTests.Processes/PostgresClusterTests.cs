using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace LstmSweep.ClusterTests.Processes;

/// <summary>
/// Three real node processes on loopback (A: coordinator+worker, B and C: workers) sharing a journal on a real
/// PostgreSQL server, each test in a database of its own.
/// </summary>
[Collection(nameof(ClusterProcesses))]
public sealed class PostgresClusterTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    static readonly TimeSpan SweepTimeout = TimeSpan.FromMinutes(3);

    /// <summary>24 stateful-counter trials of about a second each: 6 units x stateful x 2 learning rates.</summary>
    static string Grid24(int epochs) => $$"""
        name: grid24
        task: stateful-counter
        strategy: grid
        seed: 5
        space:
          units: [2, 3, 4, 5, 6, 7]
          stateful: [true, false]
          epochs: [{{epochs}}]
          learning_rate: [0.05, 0.1]
          batch_size: [1]
        """;

    TestCluster StartCluster(int slotsB)
    {
        var cluster = new TestCluster(nodes: 3, db: "postgres:" + postgres.CreateDatabase("cluster"));
        cluster.Start(0, "coordinator,worker", slots: 1);
        cluster.Start(1, "worker", slots: slotsB);
        cluster.Start(2, "worker", slots: 1);
        return cluster;
    }

    [Fact]
    public async Task AThreeNodePostgresClusterRunsA24TrialSweepEveryTrialExactlyOnceOnSeveralNodes()
    {
        using var cluster = StartCluster(slotsB: 1);
        await cluster.WaitForMembersAsync(3);
        var spec = cluster.Scratch.Write("grid24.yaml", Grid24(epochs: 30));

        var submit = CliProcess.Run(cluster.Scratch.Path, null, SweepTimeout, "submit", spec, "--wait", "--output", "json", "--server", cluster.Server);

        Assert.True(submit.ExitCode == 0, submit + "\n" + cluster.AllStderr + "\n--- server log\n" + postgres.LogTail());
        var root = JsonDocument.Parse(submit.Stdout).RootElement;
        Assert.Equal("completed", root.GetProperty("status").GetString());
        var trials = root.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 24), trials.Select(t => t.GetProperty("trial_id").GetInt32()).Order());
        Assert.All(trials, t =>
        {
            Assert.Equal("complete", t.GetProperty("status").GetString());
            Assert.Equal(1, t.GetProperty("attempts").GetInt32());
        });

        var sweepId = root.GetProperty("sweep_id").GetString()!;
        var events = await cluster.EventsAsync(sweepId);
        Assert.Equal(Enumerable.Range(0, 24), events.Where(e => e.Name == "trial_finished").Select(e => e.Data.GetProperty("trial_id").GetInt32()).Order());
        Assert.DoesNotContain(events, e => e.Name == "trial_requeued");
        var started = events.Where(e => e.Name == "trial_started").Select(e => e.Data.GetProperty("worker").GetString()!).ToList();
        Assert.Equal(24, started.Count);
        var nodesUsed = Enumerable.Range(0, 3).Count(n => started.Any(w => w.EndsWith($":{cluster.PortOf(n)}", StringComparison.Ordinal)));
        Assert.True(nodesUsed >= 2, "the trials ran on one node only:\n" + string.Join("\n", started));
    }

    [Fact]
    public async Task ASIGKILLedWorkerSTrialsAreRequeuedWithin30SAndTheSweepCompletesEveryTrialOnce()
    {
        using var cluster = StartCluster(slotsB: 2);
        await cluster.WaitForMembersAsync(3);
        // 6 cumsum trials of a few seconds each, so that B is surely mid-trial when it dies.
        var spec = cluster.Scratch.Write("slow6.yaml", Specs.SlowCumsum("slow6", epochs: 120));
        var submit = CliProcess.Run(cluster.Scratch.Path, null, TimeSpan.FromMinutes(1), "submit", spec, "--output", "json", "--server", cluster.Server);
        Assert.True(submit.ExitCode == 0, submit.ToString());
        var sweepId = JsonDocument.Parse(submit.Stdout).RootElement.GetProperty("sweep_id").GetString()!;

        using var stream = new EventStream(cluster, sweepId);
        var bSuffix = $":{cluster.PortOf(1)}";
        // Kill B once both its slots run a trial: no leave, no handover, as when a machine dies.
        var onB = await stream.WaitAsync(events => RunningOn(events, bSuffix) is { Count: 2 } running ? running : null,
            TimeSpan.FromSeconds(60), "node B never ran two trials at once\n" + cluster.AllStderr);
        cluster.Node(1).Kill();
        var killedAt = stream.Clock.Elapsed;

        var requeuedAt = await stream.WaitAsync(events =>
            {
                var times = onB.Select(t => events.FirstOrDefault(e => e.Name == "trial_requeued" && e.TrialId == t.TrialId && e.Attempt == t.Attempt)).ToList();
                return times.All(e => e is not null) ? times.Select(e => e!.Seen).ToList() : null;
            }, TimeSpan.FromSeconds(60), "B's trials were not requeued\n" + cluster.AllStderr);
        var slowest = requeuedAt.Max() - killedAt;
        Assert.True(slowest < TimeSpan.FromSeconds(30), $"B's trials were requeued {slowest.TotalSeconds:F1} s after the kill");
        Console.WriteLine($"requeued {string.Join(", ", requeuedAt.Select(t => $"{(t - killedAt).TotalSeconds:F1} s"))} after SIGKILL");

        var finished = await stream.WaitAsync(events => events.Any(e => e.Name == "sweep_finished") ? events : null, SweepTimeout,
            "the sweep did not finish\n" + cluster.AllStderr);
        var ended = finished.Where(e => e.Name == "trial_finished").ToList();
        Assert.Equal(Enumerable.Range(0, 6), ended.Select(e => e.TrialId).Order()); // every trial ended exactly once
        Assert.All(ended, e => Assert.Equal("complete", e.Data.GetProperty("status").GetString()));
        var requeued = finished.Where(e => e.Name == "trial_requeued").ToList();
        Assert.All(requeued, e => Assert.Contains("lost", e.Data.GetProperty("reason").GetString()));
        var requeuedIds = requeued.Select(e => e.TrialId).ToList();
        Assert.Equal(requeuedIds.Distinct().Count(), requeuedIds.Count); // each lost attempt requeued once
        Assert.All(onB, t => Assert.Contains(t.TrialId, requeuedIds));
        Assert.All(requeued, e => Assert.EndsWith(bSuffix, finished.Last(s => s.Name == "trial_started" && s.TrialId == e.TrialId && s.Attempt == e.Attempt).Worker));

        var document = await cluster.Http.GetFromJsonAsync<JsonElement>($"api/sweeps/{sweepId}");
        Assert.Equal("completed", document.GetProperty("status").GetString());
        Assert.All(document.GetProperty("trials").EnumerateArray(), t => Assert.Equal(
            requeuedIds.Contains(t.GetProperty("trial_id").GetInt32()) ? 2 : 1, t.GetProperty("attempts").GetInt32()));
    }

    [Fact]
    public async Task AJournalOutageMidSweepIsSurvivedEveryTrialFinishedOnceAndNothingJournalledLost()
    {
        using var cluster = new TestCluster(nodes: 1, db: "postgres:" + postgres.CreateDatabase("outage"));
        cluster.Start(0, "coordinator,worker", slots: 2);
        await cluster.WaitForMembersAsync(1);
        var spec = cluster.Scratch.Write("grid24.yaml", Grid24(epochs: 30));
        var submit = CliProcess.Run(cluster.Scratch.Path, null, TimeSpan.FromMinutes(1), "submit", spec, "--output", "json", "--server", cluster.Server);
        Assert.True(submit.ExitCode == 0, submit.ToString());
        var sweepId = JsonDocument.Parse(submit.Stdout).RootElement.GetProperty("sweep_id").GetString()!;

        var before = await PollAsync(cluster, sweepId, s => s.GetProperty("counts").GetProperty("complete").GetInt32() >= 4);
        var completeBefore = before.GetProperty("trials").EnumerateArray()
            .Where(t => t.GetProperty("status").GetString() == "complete")
            .ToDictionary(t => t.GetProperty("trial_id").GetInt32(), t => t.GetProperty("accuracy").GetDouble());
        postgres.Stop(); // writes fail: the coordinator stops, and starts again with backoff until the server is back
        await Task.Delay(TimeSpan.FromSeconds(4));
        postgres.StartAgain();

        var final = await PollAsync(cluster, sweepId, s => s.GetProperty("status").GetString() != "running");
        Assert.True(final.GetProperty("status").GetString() == "completed", final + "\n" + cluster.AllStderr);
        Assert.Contains("in a row; starting again", cluster.Node(0).Stderr); // the outage was noticed, and survived
        var events = await cluster.EventsAsync(sweepId);
        Assert.Equal(Enumerable.Range(0, 24), events.Where(e => e.Name == "trial_finished").Select(e => e.Data.GetProperty("trial_id").GetInt32()).Order());
        var trials = final.GetProperty("trials").EnumerateArray().ToList();
        Assert.All(trials, t => Assert.Equal("complete", t.GetProperty("status").GetString()));
        foreach (var (id, accuracy) in completeBefore) // journalled before the outage: kept as it was, not rerun
        {
            var trial = trials.Single(t => t.GetProperty("trial_id").GetInt32() == id);
            Assert.Equal((1, accuracy), (trial.GetProperty("attempts").GetInt32(), trial.GetProperty("accuracy").GetDouble()));
        }
        Assert.Equal("ready", await cluster.Http.GetStringAsync("ready"));
    }

    [Fact]
    public async Task SIGKILLOfTheOldestCoordinatorHandsTheSweepOverEveryTrialOnceAndAFinishedSweepStaysFinished()
    {
        // A and B both coordinators (the singleton runs on A, the oldest), C a worker: killing A leaves B and C the majority.
        using var cluster = new TestCluster(nodes: 3, db: "postgres:" + postgres.CreateDatabase("handover"));
        cluster.Start(0, "coordinator,worker", slots: 1);
        cluster.Start(1, "coordinator,worker", slots: 1);
        cluster.Start(2, "worker", slots: 1);
        await cluster.WaitForMembersAsync(3);

        var small = cluster.Scratch.Write("counter.yaml", Specs.Counter("done", epochs: 5));
        var done = CliProcess.Run(cluster.Scratch.Path, null, SweepTimeout, "submit", small, "--wait", "--output", "json", "--server", cluster.Server);
        Assert.True(done.ExitCode == 0, done + "\n" + cluster.AllStderr);
        var doneId = JsonDocument.Parse(done.Stdout).RootElement.GetProperty("sweep_id").GetString()!;
        var doneEvents = (await cluster.EventsAsync(doneId)).Count;

        var spec = cluster.Scratch.Write("slow6.yaml", Specs.SlowCumsum("handover", epochs: 80));
        var submit = CliProcess.Run(cluster.Scratch.Path, null, TimeSpan.FromMinutes(1), "submit", spec, "--output", "json", "--server", cluster.Server);
        Assert.True(submit.ExitCode == 0, submit.ToString());
        var sweepId = JsonDocument.Parse(submit.Stdout).RootElement.GetProperty("sweep_id").GetString()!;
        await PollAsync(cluster.Http, cluster, sweepId, s => s.GetProperty("counts").GetProperty("running").GetInt32() >= 3);
        cluster.Node(0).Kill(); // the singleton's node dies: no leave, no hand-over message

        using var b = cluster.HttpTo(1);
        var final = await PollAsync(b, cluster, sweepId, s => s.GetProperty("status").GetString() != "running");
        Assert.True(final.GetProperty("status").GetString() == "completed", final + "\n" + cluster.AllStderr);
        var events = await TestCluster.EventsAsync(b, sweepId);
        Assert.Equal(Enumerable.Range(0, 6), events.Where(e => e.Name == "trial_finished").Select(e => e.Data.GetProperty("trial_id").GetInt32()).Order());
        Assert.All(events.Where(e => e.Name == "trial_finished"), e => Assert.Equal("complete", e.Data.GetProperty("status").GetString()));
        // The attempts running when A died (on A, B and C) were requeued once each and ran again after the hand-over.
        var requeued = events.Where(e => e.Name == "trial_requeued").Select(e => e.Data.GetProperty("trial_id").GetInt32()).ToList();
        Assert.True(requeued.Count >= 3, "the running attempts were not requeued\n" + cluster.AllStderr);
        Assert.Equal(requeued.Distinct().Count(), requeued.Count);

        // The finished sweep recovered on B as it was: nothing new journalled, still completed.
        Assert.Equal(doneEvents, (await TestCluster.EventsAsync(b, doneId)).Count);
        var doneNow = await b.GetFromJsonAsync<JsonElement>($"api/sweeps/{doneId}");
        Assert.Equal("completed", doneNow.GetProperty("status").GetString());
    }

    /// <summary>Polls the sweep's document until the condition holds; requests failing while the journal is down are retried.</summary>
    static Task<JsonElement> PollAsync(TestCluster cluster, string sweepId, Func<JsonElement, bool> condition)
        => PollAsync(cluster.Http, cluster, sweepId, condition);

    static async Task<JsonElement> PollAsync(HttpClient http, TestCluster cluster, string sweepId, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow + SweepTimeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var sweep = await http.GetFromJsonAsync<JsonElement>($"api/sweeps/{sweepId}");
                if (condition(sweep)) return sweep;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(300);
        }
        Assert.Fail($"sweep {sweepId}: the condition never held\n{cluster.AllStderr}");
        return default;
    }

    /// <summary>The (trial, attempt)s started on the worker whose name ends with <paramref name="suffix"/> and not yet ended.</summary>
    static List<(int TrialId, int Attempt)> RunningOn(IReadOnlyList<SeenEvent> events, string suffix)
    {
        var running = new List<(int, int)>();
        foreach (var e in events)
        {
            if (e.Name == "trial_started" && e.Worker!.EndsWith(suffix, StringComparison.Ordinal)) running.Add((e.TrialId, e.Attempt));
            else if (e.Name is "trial_finished" or "trial_requeued") running.RemoveAll(r => r.Item1 == e.TrialId);
        }
        return running;
    }

    public sealed record SeenEvent(string Name, JsonElement Data, TimeSpan Seen)
    {
        public int TrialId => Data.TryGetProperty("trial_id", out var id) ? id.GetInt32() : -1;
        public int Attempt => Data.TryGetProperty("attempt", out var a) ? a.GetInt32() : -1;
        public string? Worker => Data.TryGetProperty("worker", out var w) ? w.GetString() : null;
    }

    /// <summary>
    /// Follows GET /api/sweeps/{id}/events in the background, noting when each event arrived (the server polls the
    /// journal every 0.5 s, so an arrival time is at most about that late).
    /// </summary>
    sealed class EventStream : IDisposable
    {
        readonly List<SeenEvent> _events = new();
        readonly CancellationTokenSource _stop = new();
        readonly Task _reading;
        public Stopwatch Clock { get; } = Stopwatch.StartNew();

        public EventStream(TestCluster cluster, string sweepId)
        {
            var http = new HttpClient { BaseAddress = cluster.Http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            _reading = Task.Run(async () =>
            {
                using (http)
                {
                    using var stream = await http.GetStreamAsync($"api/sweeps/{sweepId}/events", _stop.Token);
                    using var reader = new StreamReader(stream);
                    string? name = null;
                    while (await reader.ReadLineAsync(_stop.Token) is { } line)
                    {
                        if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line["event: ".Length..];
                        else if (line.StartsWith("data: ", StringComparison.Ordinal))
                            lock (_events) _events.Add(new SeenEvent(name!, JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone(), Clock.Elapsed));
                    }
                }
            });
        }

        public async Task<T> WaitAsync<T>(Func<IReadOnlyList<SeenEvent>, T?> condition, TimeSpan timeout, string failure) where T : class
        {
            var deadline = Clock.Elapsed + timeout;
            while (Clock.Elapsed < deadline)
            {
                List<SeenEvent> copy;
                lock (_events) copy = _events.ToList();
                if (condition(copy) is { } found) return found;
                if (_reading.IsFaulted) Assert.Fail("the event stream failed: " + _reading.Exception);
                await Task.Delay(100);
            }
            Assert.Fail(failure);
            return null!;
        }

        public void Dispose()
        {
            _stop.Cancel();
            try { _reading.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
            _stop.Dispose();
        }
    }
}
