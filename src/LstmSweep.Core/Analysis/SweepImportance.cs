using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Analysis;

/// <summary>The importances of a sweep's hyperparameters, as `importance` prints them and the report shows them.</summary>
public sealed record ImportanceReport(
    string SweepId, string Objective, string Method, int Seed, int Trials, IReadOnlyList<ParameterImportance> Importances)
{
    public const string FanovaMethod = "fanova";

    /// <summary>Fewer trials than this give no importance: a forest fitted to one or two points explains nothing.</summary>
    public const int MinTrials = 3;

    /// <summary>Over the complete trials with a finite objective (pruned, failed and running trials have no final value).</summary>
    public static ImportanceReport For(SweepState sweep, int seed = 0)
        => For(sweep.SweepId, sweep.Objective.ToName(),
            sweep.Trials.Values
                .Where(t => t.Status == TrialStatus.Complete && sweep.ObjectiveOf(t) is double v && double.IsFinite(v))
                .Select(t => (t.Config, sweep.ObjectiveOf(t)!.Value)),
            seed);

    public static ImportanceReport For(string sweepId, string objective, IEnumerable<(TrialConfig Config, double Objective)> trials, int seed = 0)
    {
        var samples = trials.Select(t => new ImportanceSample(ParameterValues.Of(t.Config), t.Objective)).ToList();
        var importances = samples.Count >= MinTrials ? FanovaImportance.Evaluate(samples, new FanovaSettings(Seed: seed)) : [];
        return new ImportanceReport(sweepId, objective, FanovaMethod, seed, samples.Count, importances);
    }
}
