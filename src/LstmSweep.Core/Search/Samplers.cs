using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Search;

/// <summary>The sampler a spec asks for, and the trials it gives.</summary>
public static class Samplers
{
    /// <summary>
    /// The spec's sampler, bounded by its trial budget: it suggests null after <see cref="TrialCount"/> trials.
    /// </summary>
    public static ISampler For(SweepSpec spec) => spec.Strategy switch
    {
        SearchStrategy.Grid => new GridSampler(spec.Space, spec.Truncate ? spec.MaxTrials : null),
        SearchStrategy.Random => new RandomSampler(spec.Space, spec.Seed,
            spec.MaxTrials ?? throw new ArgumentException("strategy random needs max_trials", nameof(spec))),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Strategy, "unknown strategy"),
    };

    /// <summary>
    /// How many trials the sweep runs: the grid size (at most max_trials when truncating), or max_trials for random.
    /// </summary>
    public static int TrialCount(SweepSpec spec) => spec.Strategy switch
    {
        SearchStrategy.Grid => (int)Math.Min(GridSampler.GridSize(spec.Space),
            spec.Truncate && spec.MaxTrials is { } max ? max : int.MaxValue),
        _ => spec.MaxTrials ?? 0,
    };

    /// <summary>Every trial of the sweep, in trial-number order (for grid and random the history never matters).</summary>
    public static IReadOnlyList<TrialConfig> Expand(SweepSpec spec)
    {
        var sampler = For(spec);
        var trials = new List<TrialConfig>();
        while (sampler.Suggest(trials.Count, []) is { } config)
            trials.Add(config);
        return trials;
    }
}
