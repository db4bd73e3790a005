using System.Text.RegularExpressions;
using LstmSweep.Bench;
using Spectre.Console;

// dotnet run -c Release --project bench/LstmSweep.Bench -- [asha|memory|cluster|recovery|reads|packing|all] [--seeds N] [--slots N]
// dotnet run -c Release --project bench/LstmSweep.Bench -- peers [--smoke]   (after bench/setup.sh; not part of all)
// dotnet run -c Release --project bench/LstmSweep.Bench -- profile [--epochs N]   (stdout only)
// Prints each result as it comes and rewrites its section of docs/benchmarks.md.
var what = args.FirstOrDefault(a => !a.StartsWith("--")) ?? "all";
int Option(string name, int fallback) =>
    Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
int seeds = Option("--seeds", 5), slots = Option("--slots", Environment.ProcessorCount);
var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
var work = Directory.CreateTempSubdirectory("lstmsweep-bench-").FullName;
var report = Path.Combine(FindRoot(), "docs", "benchmarks.md");

try
{
    if (what is "profile")
    {
        // Not part of "all": a diagnostic of where one seed-002 epoch spends its time (stdout only).
        Console.WriteLine(EpochProfile.Format(EpochProfile.Run(Option("--epochs", 2000), Option("--eval-every", 1))));
        return 0;
    }
    if (what is "peers")
    {
        var smoke = args.Contains("--smoke");
        console.MarkupLine($"[bold]peers[/]: against PyTorch and Optuna{(smoke ? " (smoke)" : "")}");
        var (rows, versions) = await PeersBenchmark.RunAsync(smoke, FindRoot(), work, line => console.WriteLine(line));
        WriteTable(console, ["suite", "what", "ours", "theirs", "ratio"],
            rows.Select(r => new[] { r.Suite, r.What, $"{r.OursMedian:0.###} {r.Unit}", $"{r.TheirsMedian:0.###} {r.Unit}", $"{r.Ratio:F2}" }).ToList());
        // A smoke run checks that the suite works; it never replaces the measured section.
        if (!smoke) WriteSection(report, "peers", PeersBenchmark.Markdown(rows, versions, smoke));
        else console.MarkupLine("smoke run: docs/benchmarks.md left as it is");
        return 0;
    }
    if (what is "memory" or "all")
    {
        const int epochs = 5000, warmup = 500;
        console.MarkupLine($"[bold]memory[/]: one cumsum trial of {epochs} epochs");
        var result = MemoryBenchmark.Run(epochs, warmup);
        WriteTable(console, ["after warm-up", "end", "growth", "peak", "ms/epoch"],
            [[$"{result.RssWarmMb} MB", $"{result.RssEndMb} MB", $"{result.RssEndMb - result.RssWarmMb} MB", $"{result.RssPeakMb} MB", $"{result.MsPerEpoch:F2}"]]);
        WriteSection(report, "memory", MemoryBenchmark.Markdown(result, warmup));
    }
    if (what is "asha" or "all")
    {
        console.MarkupLine($"[bold]asha[/]: grid against ASHA over {seeds} seed(s), {slots} slot(s)");
        var rows = await AshaBenchmark.RunAsync(seeds, slots, work, line => console.WriteLine(line));
        WriteTable(console, ["seed", "method", "best", "epochs", "pruned", "time"],
            rows.Select(r => new[] { r.Seed.ToString(), r.Method, $"{r.Best:F4}", r.Epochs.ToString(), r.Pruned.ToString(), $"{r.Elapsed.TotalSeconds:F0}s" }).ToList());
        WriteSection(report, "asha", AshaBenchmark.Markdown(rows, slots));
    }
    if (what is "cluster" or "all")
    {
        console.MarkupLine($"[bold]cluster[/]: {ClusterBenchmark.Trials} trials on 1 and on 2 one-slot worker processes");
        var rows = await ClusterBenchmark.RunAsync([1, 2], work, line => console.WriteLine(line));
        WriteTable(console, ["workers", "wall", "complete", "trial", "overhead/trial"],
            rows.Select(r => new[] { r.Workers.ToString(), $"{r.Wall.TotalSeconds:F1}s", $"{r.Complete}/{ClusterBenchmark.Trials}", $"{r.TrialSeconds:F2}s", $"{r.OverheadPerTrialSeconds:F2}s" }).ToList());
        WriteSection(report, "cluster", ClusterBenchmark.Markdown(rows));
    }
    if (what is "recovery" or "all")
    {
        console.MarkupLine($"[bold]recovery[/]: a sweep of {RecoveryBenchmark.Trials} × {RecoveryBenchmark.Epochs} epoch reports, with and without snapshots");
        var result = await RecoveryBenchmark.RunAsync(work, line => console.WriteLine(line));
        WriteTable(console, ["events", "without snapshots", "with snapshots"],
            [[result.Events.ToString(), $"{result.WithoutSnapshots.TotalSeconds:F2}s", $"{result.WithSnapshots.TotalSeconds:F2}s"]]);
        WriteSection(report, "recovery", RecoveryBenchmark.Markdown(result));
    }
    if (what is "reads" or "all")
    {
        console.MarkupLine($"[bold]reads[/]: results and importance on a {ReadBenchmark.Trials}-trial sweep");
        var configuration = typeof(ReadBenchmark).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Release";
        var cli = Path.Combine(FindRoot(), "src", "LstmSweep.Cli", "bin", configuration, "net10.0", "lstmsweep.dll");
        var rows = await ReadBenchmark.RunAsync(work, slots, cli, line => console.WriteLine(line));
        WriteTable(console, ["what", "in process", "command"], rows.Select(r => new[] { r.What, $"{r.InProcessMs:F0} ms", $"{r.CommandMs:F0} ms" }).ToList());
        WriteSection(report, "reads", ReadBenchmark.Markdown(rows));
    }
    if (what is "packing" or "all")
    {
        console.MarkupLine($"[bold]packing[/]: packed against one by one, {PackingBenchmark.Epochs} epochs per trial");
        var result = PackingBenchmark.Run(FindRoot(), line => console.WriteLine(line));
        WriteSection(report, "packing", PackingBenchmark.Markdown(result));
    }
    console.MarkupLine($"wrote {Markup.Escape(report)}");
    return 0;
}
finally
{
    try { Directory.Delete(work, recursive: true); } catch (IOException) { }
}

static void WriteTable(IAnsiConsole console, string[] headers, IReadOnlyList<string[]> rows)
{
    var table = new Table().AddColumns(headers);
    foreach (var row in rows) table.AddRow(row);
    // The table is the result: stdout.
    AnsiConsole.Write(table);
}

/// <summary>Replaces (or appends) one benchmark's section, keeping the others' last results.</summary>
static void WriteSection(string path, string name, string markdown)
{
    var begin = $"<!-- benchmark:{name} -->";
    var end = $"<!-- /benchmark:{name} -->";
    var stamp = $"_Measured {DateTime.UtcNow:yyyy-MM-dd} on {Environment.ProcessorCount} cores ({System.Runtime.InteropServices.RuntimeInformation.OSDescription})._\n\n";
    var block = $"{begin}\n{markdown}\n{stamp}{end}";
    var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n\nMade by `dotnet run -c Release --project bench/LstmSweep.Bench -- all`; each section is rewritten when its benchmark runs.\n\n";
    text = text.Contains(begin)
        ? Regex.Replace(text, Regex.Escape(begin) + ".*?" + Regex.Escape(end), block.Replace("$", "$$"), RegexOptions.Singleline)
        : text.TrimEnd() + "\n\n" + block + "\n";
    File.WriteAllText(path, text);
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "LstmSweep.sln"))) return dir.FullName;
    return Directory.GetCurrentDirectory();
}
