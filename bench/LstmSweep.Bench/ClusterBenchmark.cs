using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace LstmSweep.Bench;

/// <summary>
/// The same sweep on a cluster of real `lstmsweep node` processes (one coordinator node, N one-slot worker nodes,
/// one SQLite journal), submitted with `lstmsweep submit --wait`: wall time from submit to the sweep's end.
/// </summary>
static class ClusterBenchmark
{
    public const int Trials = 12;
    public const int Epochs = 150;

    /// <summary>12 cumsum configs of a few seconds each.</summary>
    public static readonly string Spec = $"""
        name: bench-cluster
        task: cumsum
        task_options: {"{"}timesteps: 10{"}"}
        strategy: grid
        seed: 1
        space:
          units: [8, 16, 32]
          merge_mode: [none, concat, sum, ave]
          epochs: [{Epochs}]
          batch_size: [1]
        """;

    public sealed record Row(int Workers, TimeSpan Wall, int Complete, double TrialSeconds, double OverheadPerTrialSeconds);

    public static async Task<List<Row>> RunAsync(int[] workerCounts, string work, Action<string> log)
    {
        var cli = FindCli();
        var rows = new List<Row>();
        foreach (var workers in workerCounts)
        {
            var row = await RunOnceAsync(cli, workers, Path.Combine(work, $"cluster-{workers}"), log);
            log($"{workers} worker(s): {row.Wall.TotalSeconds:F1} s, {row.Complete}/{Trials} complete");
            rows.Add(row);
        }
        return rows;
    }

    static async Task<Row> RunOnceAsync(string cli, int workers, string dir, Action<string> log)
    {
        Directory.CreateDirectory(dir);
        var specPath = Path.Combine(dir, "spec.yaml");
        await File.WriteAllTextAsync(specPath, Spec);
        var ports = FreePorts(workers + 2);
        int httpPort = ports[^1];
        var nodes = new List<Node>();
        try
        {
            for (int i = 0; i <= workers; i++)
            {
                var roles = i == 0 ? "coordinator" : "worker";
                // Worker processes share this one machine: each gets its share of the cores for torch's threads (a
                // one-slot worker would otherwise take them all, and two would run twice as many threads as cores).
                var cores = i == 0 ? (int?)null : Math.Max(1, Environment.ProcessorCount / workers);
                nodes.Add(Node.Start(cli, dir, cores, "node", "--roles", roles, "--host", "127.0.0.1", "--port", ports[i].ToString(),
                    "--seeds", $"127.0.0.1:{ports[0]}", "--http-port", httpPort.ToString(),
                    "--db", "sqlite:" + Path.Combine(dir, "cluster.db"), "--slots", "1",
                    "--checkpoints", Path.Combine(dir, "checkpoints")));
            }
            foreach (var node in nodes) node.WaitForStderr("node up:", TimeSpan.FromSeconds(90));
            await WaitForMembersAsync(httpPort, workers + 1);
            log($"cluster of {workers} worker(s) up; submitting");

            var clock = Stopwatch.StartNew();
            var submit = Node.Start(cli, dir, null, "submit", specPath, "--wait", "--output", "json", "--server", $"http://127.0.0.1:{httpPort}");
            var stdout = submit.WaitForExit(TimeSpan.FromMinutes(4));
            var wall = clock.Elapsed;
            using var json = JsonDocument.Parse(stdout);
            var trials = json.RootElement.GetProperty("trials").EnumerateArray().ToList();
            int complete = trials.Count(t => t.GetProperty("status").GetString() == "complete");
            double trialSeconds = trials.Sum(t => t.GetProperty("duration_ms").GetDouble()) / 1000;
            // Slot-seconds the cluster had, less the seconds trials spent training, per trial: scheduling, journal
            // writes, network hops, the submit client's 1 s polling and the last trial's lone tail.
            double overhead = (wall.TotalSeconds * workers - trialSeconds) / Trials;
            return new Row(workers, wall, complete, trialSeconds / Trials, overhead);
        }
        finally
        {
            foreach (var node in nodes) node.Dispose();
        }
    }

    static async Task WaitForMembersAsync(int httpPort, int count)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var members = JsonDocument.Parse(await http.GetStringAsync("api/nodes"));
                if (members.RootElement.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") == count) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the cluster did not reach {count} members up");
    }

    static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        foreach (var l in listeners) l.Start();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var l in listeners) l.Stop();
        return ports;
    }

    /// <summary>The built CLI: this benchmark's configuration first (Release), else the other.</summary>
    static string FindCli()
    {
        var root = AppContext.BaseDirectory;
        for (var d = new DirectoryInfo(root); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "LstmSweep.sln"))) { root = d.FullName; break; }
        var own = typeof(ClusterBenchmark).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        foreach (var configuration in new[] { own, own == "Release" ? "Debug" : "Release" })
        {
            var dll = Path.Combine(root, "src", "LstmSweep.Cli", "bin", configuration, "net10.0", "lstmsweep.dll");
            if (File.Exists(dll)) return dll;
        }
        throw new FileNotFoundException($"the CLI is not built; run: dotnet build -c {own} src/LstmSweep.Cli");
    }

    public static string Markdown(IReadOnlyList<Row> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("## Cluster: one worker process against two");
        md.AppendLine();
        md.AppendLine($"One sweep of {Trials} cumsum configs (T = 10, units 8/16/32 × merge_mode none/concat/sum/ave, {Epochs} epochs, " +
                      "batch 1), run by real `lstmsweep node` processes on loopback: one coordinator node (no slots) and one or two " +
                      "worker nodes with `--slots 1`, sharing one SQLite journal. Wall time is from `lstmsweep submit --wait " +
                      "--output json` starting to it printing the finished sweep (the client polls once a second).");
        md.AppendLine();
        md.AppendLine("| workers | wall time | speed-up | complete | mean trial time | overhead per trial |");
        md.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
        var baseline = rows.FirstOrDefault(r => r.Workers == 1)?.Wall.TotalSeconds;
        foreach (var r in rows)
        {
            var speedup = baseline is { } b ? (b / r.Wall.TotalSeconds).ToString("F2", inv) + "×" : "";
            md.AppendLine(string.Create(inv, $"| {r.Workers} | {r.Wall.TotalSeconds:F1} s | {speedup} | {r.Complete}/{Trials} | {r.TrialSeconds:F2} s | {r.OverheadPerTrialSeconds:F2} s |"));
        }
        md.AppendLine();
        md.AppendLine($"This machine has {Environment.ProcessorCount} cores, so two one-slot workers are the most that can scale " +
                      "(the coordinator node, the journal and the client share the same cores). Each worker process gets its share " +
                      "of the cores for torch's intra-op threads (cores ÷ workers): one worker trains each trial on 2 threads, two " +
                      "workers on 1 thread each. For LSTMs this small, one thread per trial is faster than two (the per-op " +
                      "synchronisation costs more than it saves: compare the mean trial times), which is why two workers can beat " +
                      "the 2× of perfect scaling. " +
                      "Overhead per trial is (wall time × workers − the trials' own durations) ÷ trials: everything that is not " +
                      "training — assignment, journal writes, remote messages, the client's polling, and slots idle while the " +
                      "last trials finish.");
        return md.ToString().TrimEnd() + "\n";
    }

    /// <summary>A child `lstmsweep` process (dotnet lstmsweep.dll ...).</summary>
    sealed class Node : IDisposable
    {
        readonly Process _process;
        readonly StringBuilder _stdout = new(), _stderr = new();

        Node(Process process) => _process = process;

        public static Node Start(string cli, string dir, int? processorCount, params string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(cli);
            foreach (var a in args) start.ArgumentList.Add(a);
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("LSTMSWEEP_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
            if (processorCount is { } count) start.Environment["DOTNET_PROCESSOR_COUNT"] = count.ToString();
            var node = new Node(new Process { StartInfo = start });
            node._process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (node._stdout) node._stdout.AppendLine(e.Data); };
            node._process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (node._stderr) node._stderr.AppendLine(e.Data); };
            node._process.Start();
            node._process.BeginOutputReadLine();
            node._process.BeginErrorReadLine();
            return node;
        }

        string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

        public void WaitForStderr(string text, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!Stderr.Contains(text, StringComparison.Ordinal))
            {
                if (_process.HasExited || DateTime.UtcNow > deadline)
                    throw new InvalidOperationException($"node did not print '{text}':\n{Stderr}");
                Thread.Sleep(100);
            }
        }

        /// <summary>Waits for the process to end; its stdout. Throws if it fails or runs too long.</summary>
        public string WaitForExit(TimeSpan timeout)
        {
            if (!_process.WaitForExit(timeout))
            {
                _process.Kill(entireProcessTree: true);
                throw new TimeoutException($"lstmsweep did not exit within {timeout}:\n{Stderr}");
            }
            _process.WaitForExit();
            lock (_stdout) return _stdout.ToString();
        }

        public void Dispose()
        {
            try { if (!_process.HasExited) { _process.Kill(entireProcessTree: true); _process.WaitForExit(10_000); } }
            catch (InvalidOperationException) { }
            _process.Dispose();
        }
    }
}
