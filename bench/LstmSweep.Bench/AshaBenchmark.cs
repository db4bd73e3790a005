using System.Globalization;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Bench;

/// <summary>
/// The same search space searched by full grid and by ASHA (same configs, same trial seeds), over several sweep seeds:
/// how close ASHA's best comes to grid's best, and what share of grid's epochs it spends.
/// </summary>
static class AshaBenchmark
{
    public const int MaxEpochs = 243;

    const string Space = """
        space:
          units: [8, 16, 32]
          merge_mode: [none, concat, sum, mul, ave]
          learning_rate: [0.003, 0.01]
          batch_size: [8]
        """;

    static string GridSpec(int seed) => $"""
        name: bench-grid
        task: cumsum
        task_options: {"{"}timesteps: 10{"}"}
        strategy: grid
        seed: {seed}
        {Space.Replace("batch_size: [8]", $"batch_size: [8]\n  epochs: [{MaxEpochs}]")}
        """;

    static string AshaSpec(int seed) => $"""
        name: bench-asha
        task: cumsum
        task_options: {"{"}timesteps: 10{"}"}
        strategy: grid
        scheduler: asha
        asha: {"{"}min_epochs: 9, max_epochs: {MaxEpochs}, reduction_factor: 3{"}"}
        seed: {seed}
        {Space}
        """;

    public sealed record Row(int Seed, string Method, int Trials, double Best, long Epochs, int Pruned, TimeSpan Elapsed);

    public static async Task<IReadOnlyList<Row>> RunAsync(int seeds, int slots, string workDirectory, Action<string> progress)
    {
        var rows = new List<Row>();
        for (int seed = 1; seed <= seeds; seed++)
        {
            foreach (var (method, spec) in new[] { ("grid", GridSpec(seed)), ("asha", AshaSpec(seed)) })
            {
                var (state, elapsed) = await SweepRunner.RunAsync(spec, workDirectory, slots);
                var row = new Row(seed, method, state.Trials.Count, state.Best?.Accuracy ?? double.NaN,
                    state.Trials.Values.Sum(t => (long)t.EpochsRun), state.Count(TrialStatus.Pruned), elapsed);
                rows.Add(row);
                progress($"seed {seed} {method}: best {row.Best:F4}, {row.Epochs} epochs, {row.Pruned} pruned, {elapsed.TotalSeconds:F0}s");
            }
        }
        return rows;
    }

    public static string Markdown(IReadOnlyList<Row> rows, int slots)
    {
        var lines = new List<string>
        {
            "## ASHA against grid search",
            "",
            $"cumsum (T = 10), 30 configs (units 8/16/32 × merge_mode none/concat/sum/mul/ave × learning_rate 0.003/0.01, batch 8), " +
            $"{MaxEpochs} epochs at most. Grid trains every config to {MaxEpochs} epochs; ASHA (min_epochs 9, reduction_factor 3, one bracket) " +
            $"trains the same configs with the same trial seeds and stops those outside the top third at each rung (9, 27, 81). " +
            $"Epochs are what the journal records per trial (a pruned trial's epoch at its rung; its worker may run an epoch or two " +
            $"more before the stop reaches it). {slots} slots, embedded `lstmsweep run` machinery, SQLite journal.",
            "",
            "| seed | grid best | ASHA best | difference | grid epochs | ASHA epochs | ASHA share | ASHA pruned | grid time | ASHA time |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        };
        foreach (var seed in rows.Select(r => r.Seed).Distinct())
        {
            var grid = rows.Single(r => r.Seed == seed && r.Method == "grid");
            var asha = rows.Single(r => r.Seed == seed && r.Method == "asha");
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {seed} | {grid.Best:F4} | {asha.Best:F4} | {grid.Best - asha.Best:+0.0000;-0.0000;0.0000} | {grid.Epochs} | {asha.Epochs} | {100.0 * asha.Epochs / grid.Epochs:F1}% | {asha.Pruned}/{asha.Trials} | {grid.Elapsed.TotalSeconds:F0} s | {asha.Elapsed.TotalSeconds:F0} s |"));
        }
        var grids = rows.Where(r => r.Method == "grid").ToList();
        var ashas = rows.Where(r => r.Method == "asha").ToList();
        double worstGap = grids.Zip(ashas, (g, a) => g.Best - a.Best).Max();
        double meanGap = grids.Average(r => r.Best) - ashas.Average(r => r.Best);
        double share = 100.0 * ashas.Sum(r => r.Epochs) / grids.Sum(r => r.Epochs);
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"| mean | {grids.Average(r => r.Best):F4} | {ashas.Average(r => r.Best):F4} | {meanGap:+0.0000;-0.0000;0.0000} | {grids.Average(r => r.Epochs):F0} | {ashas.Average(r => r.Epochs):F0} | {share:F1}% | | | |"));
        lines.Add("");
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"Over all seeds ASHA spent **{share:F1}%** of grid's epochs (target: at most 35%: {(share <= 35 ? "met" : "not met")}). " +
            $"Its best accuracy was **{meanGap:F4}** below grid's best on average over the seeds (target: within 0.01: {(meanGap <= 0.01 ? "met" : "not met")}) " +
            $"and **{worstGap:F4}** below on the worst seed ({(worstGap <= 0.01 ? "within" : "outside")} 0.01). ASHA is asynchronous: which trials " +
            $"reach a rung first depends on timing, so its numbers vary a little from run to run; grid's do not."));
        return string.Join("\n", lines) + "\n";
    }
}
