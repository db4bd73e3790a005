using System.Diagnostics;
using System.Globalization;
using System.Text;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Core.Analysis;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Bench;

/// <summary>
/// `results` and `importance` on a 1,000-trial sweep: the sweep is run for real (one epoch a trial), then its journal
/// is read straight from the SQLite table (<see cref="DirectJournalReader"/>) and its importance computed, in this
/// process (the work itself) and as the real `lstmsweep` command (with the .NET start-up a user waits for).
/// </summary>
static class ReadBenchmark
{
    public const int Trials = 1000;
    const int Repeats = 5;

    public sealed record Row(string What, double InProcessMs, double CommandMs);

    static string Spec => """
        name: reads
        task: stateful-counter
        strategy: grid
        seed: 1
        space:
          units: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
          learning_rate: [0.001, 0.002, 0.003, 0.005, 0.007, 0.01, 0.02, 0.03, 0.05, 0.07]
          batch_size: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
          epochs: [1]
        """;

    public static async Task<IReadOnlyList<Row>> RunAsync(string work, int slots, string cliDll, Action<string> log)
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, "reads")).FullName;
        log($"running the {Trials}-trial sweep (one epoch each)");
        var (state, elapsed) = await SweepRunner.RunAsync(Spec, folder, slots);
        log($"sweep {state.SweepId}: {state.Trials.Count} trials in {elapsed.TotalSeconds:F0}s");
        var file = Directory.GetFiles(folder, "*.db").Single();
        var database = new DatabaseTarget(DatabaseKind.Sqlite, file);
        var reader = new DirectJournalReader(database);

        double resultsMs = Median(async () => { _ = await reader.ReadAsync(state.SweepId); });
        var read = await reader.ReadAsync(state.SweepId) ?? throw new InvalidOperationException("the sweep is not in its journal");
        double importanceMs = Median(async () => { _ = await reader.ReadAsync(state.SweepId) is { } s ? ImportanceReport.For(s) : null; });
        double resultsCommand = MedianCommand(cliDll, folder, "results", state.SweepId, "--db", "sqlite:" + file, "--output", "json");
        double importanceCommand = MedianCommand(cliDll, folder, "importance", state.SweepId, "--db", "sqlite:" + file, "--output", "json");
        log($"{read.Trials.Count} trials read");
        return [new Row("results", resultsMs, resultsCommand), new Row("importance (read + fANOVA)", importanceMs, importanceCommand)];
    }

    static double Median(Func<Task> action)
    {
        action().GetAwaiter().GetResult(); // warm-up: JIT and SQLite's first open
        var times = Enumerable.Range(0, Repeats).Select(_ =>
        {
            var clock = Stopwatch.StartNew();
            action().GetAwaiter().GetResult();
            return clock.Elapsed.TotalMilliseconds;
        }).Order().ToList();
        return times[Repeats / 2];
    }

    static double MedianCommand(string cliDll, string folder, params string[] args)
        => Median(() =>
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(cliDll);
            foreach (var a in args) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"lstmsweep {string.Join(' ', args)}: exit {process.ExitCode}");
            return Task.CompletedTask;
        });

    public static string Markdown(IReadOnlyList<Row> rows)
    {
        var md = new StringBuilder();
        md.AppendLine($"## Reading a {Trials:N0}-trial sweep: `results` and `importance`");
        md.AppendLine();
        md.AppendLine("The journal read straight from the SQLite table (no actor system), folded into the sweep; importance adds fANOVA " +
                      "over a 64-tree random forest. Median of 5 after a warm-up; \"command\" is the whole `lstmsweep` process, .NET start-up included.");
        md.AppendLine();
        md.AppendLine("| what | in process | command |");
        md.AppendLine("| --- | ---: | ---: |");
        foreach (var r in rows)
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {r.What} | {r.InProcessMs:F0} ms | {r.CommandMs:F0} ms |"));
        return md.ToString();
    }
}
