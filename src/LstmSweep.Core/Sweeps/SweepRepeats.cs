using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Sweeps;

/// <summary>A configuration's objective over its repeats: the mean, the (sample) standard deviation and how many count.</summary>
public sealed record RepeatStats(int Configuration, double Mean, double Std, int Count);

/// <summary>
/// <c>repeats: N</c>: every configuration is trained N times with different seeds, as trials N·c … N·c + N − 1 of
/// configuration c (each trial keeps its own seed, TrialSeeds.For(sweep seed, trial id)). One place says which trials
/// belong together, what their mean is, and what the samplers see: the mean, one observation per configuration.
/// A sweep without the key (and every older journal) has repeats 1: each trial is its own configuration.
/// </summary>
public static class SweepRepeats
{
    public static int Of(SweepSpec? spec) => spec?.Repeats ?? SweepSpec.DefaultRepeats;

    public static int ConfigurationOf(int trialId, int repeats) => trialId / repeats;

    /// <summary>Trials the sweep plans: configurations × repeats.</summary>
    public static int PlannedTrials(SweepSpec spec) => checked(Samplers.TrialCount(spec) * spec.Repeats);

    /// <summary>Each configuration of a history-free sampler, repeated, in trial order.</summary>
    public static IEnumerable<TrialConfig> Repeat(IEnumerable<TrialConfig> configurations, int repeats)
        => configurations.SelectMany(config => Enumerable.Repeat(config, repeats));

    /// <summary>
    /// Mean and standard deviation of the objective over the complete repeats of every configuration that has one
    /// (finite values only); null when the sweep has no repeats.
    /// </summary>
    public static IReadOnlyDictionary<int, RepeatStats>? Stats(SweepState state)
    {
        var repeats = Of(state.Spec);
        if (repeats <= 1) return null;
        return state.Trials.Values
            .Where(t => t.Status == TrialStatus.Complete && state.ObjectiveOf(t) is double v && double.IsFinite(v))
            .GroupBy(t => ConfigurationOf(t.TrialId, repeats))
            .ToDictionary(g => g.Key, g => Describe(g.Key, g.Select(t => state.ObjectiveOf(t)!.Value).ToList()));
    }

    public static RepeatStats Describe(int configuration, IReadOnlyList<double> values)
    {
        var mean = values.Average();
        var std = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
        return new RepeatStats(configuration, mean, std, values.Count);
    }

    /// <summary>
    /// What a sampler learns from under repeats: one observation per configuration (numbered by configuration, as the
    /// sampler numbered its suggestions), whose objective is the mean of its repeats that have one; it is complete once
    /// any repeat has an objective, and otherwise has the status of its first repeat.
    /// </summary>
    public static IReadOnlyList<TrialObservation> History(IReadOnlyList<TrialObservation> perTrial, int repeats)
    {
        if (repeats <= 1) return perTrial;
        return perTrial.GroupBy(o => ConfigurationOf(o.TrialNumber, repeats)).Select(g =>
        {
            var scored = g.Where(o => o.Objective is double v && double.IsFinite(v)).ToList();
            return scored.Count == 0
                ? g.First() with { TrialNumber = g.Key }
                : new TrialObservation(g.Key, g.First().Config, TrialStatus.Complete, scored.Average(o => o.Objective!.Value));
        }).ToList();
    }
}
