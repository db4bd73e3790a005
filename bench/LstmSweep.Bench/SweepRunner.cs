using LstmSweep.Cluster.Hosting;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Bench;

/// <summary>Runs a whole sweep through the real embedded system (actors, SQLite journal, TorchSharp) and returns its end state.</summary>
static class SweepRunner
{
    public static async Task<(SweepState State, TimeSpan Elapsed)> RunAsync(string specText, string workDirectory, int slots)
    {
        var parsed = SpecParser.Parse(specText);
        var spec = parsed.Spec ?? throw new InvalidOperationException("benchmark spec is invalid: " + string.Join("; ", parsed.Errors));
        var database = new DatabaseTarget(DatabaseKind.Sqlite, Path.Combine(workDirectory, $"{spec.Name}-{Guid.NewGuid():N}.db"));
        var sweepId = SweepPlan.NewSweepId(spec.Name);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var sweep = EmbeddedSweep.Open(database, sweepId, SlotDevices.For(slots), Path.Combine(workDirectory, "checkpoints"));
        var (header, trials) = SweepPlan.For(spec, specText, sweepId, DateTimeOffset.UtcNow);
        await sweep.SubmitAsync(header, trials);
        await foreach (var e in sweep.Events.ReadAllAsync())
            if (e is SweepFinished) break;
        var state = await sweep.StateAsync();
        return (state, clock.Elapsed);
    }
}
