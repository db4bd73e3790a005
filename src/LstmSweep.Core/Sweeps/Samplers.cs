using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Sweeps;

/// <summary>The sampler a spec asks for, and the trials it gives.</summary>
public static class Samplers
{
    /// <summary>
    /// The spec's sampler, bounded by its trial budget: it suggests null after <see cref="TrialCount"/> trials.
    /// strategy asha samples like random (the strategy only adds the ASHA scheduler, see <see cref="TrialSchedulers"/>).
    /// </summary>
    public static ISampler For(SweepSpec spec) => spec.Strategy switch
    {
        SearchStrategy.Grid => new GridSampler(spec.Space, spec.Truncate ? spec.MaxTrials : null),
        SearchStrategy.Random or SearchStrategy.Asha => new RandomSampler(spec.Space, spec.Seed, RequireMaxTrials(spec)),
        SearchStrategy.Tpe => new TpeSampler(spec.Space, spec.Objective, spec.Seed, RequireMaxTrials(spec), spec.NStartupTrials),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Strategy, "unknown strategy"),
    };

    /// <summary>Whether the sampler ignores the history, so that every trial can be planned up front (<see cref="Expand"/>).</summary>
    public static bool IsHistoryFree(SearchStrategy strategy) => strategy != SearchStrategy.Tpe;

    static int RequireMaxTrials(SweepSpec spec) =>
        spec.MaxTrials ?? throw new ArgumentException($"strategy {spec.Strategy.ToName()} needs max_trials", nameof(spec));

    /// <summary>
    /// How many trials the sweep runs: the grid size (at most max_trials when truncating), or max_trials for random,
    /// tpe and asha.
    /// </summary>
    public static int TrialCount(SweepSpec spec) => spec.Strategy switch
    {
        SearchStrategy.Grid => (int)Math.Min(GridSampler.GridSize(spec.Space),
            spec.Truncate && spec.MaxTrials is { } max ? max : int.MaxValue),
        _ => spec.MaxTrials ?? 0,
    };

    /// <summary>
    /// Every trial of the sweep, in trial-number order: for grid, random and asha, whose samplers never read the
    /// history. TPE learns from the results, so its trials must be asked for one at a time, each with the history so
    /// far: <c>Samplers.For(spec).Suggest(n, history)</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The strategy is tpe.</exception>
    public static IReadOnlyList<TrialConfig> Expand(SweepSpec spec)
    {
        if (!IsHistoryFree(spec.Strategy))
            throw new InvalidOperationException(
                $"strategy {spec.Strategy.ToName()} suggests each trial from the results so far; ask Samplers.For(spec).Suggest(n, history) trial by trial");
        var sampler = For(spec);
        var trials = new List<TrialConfig>();
        while (sampler.Suggest(trials.Count, []) is { } config)
            trials.Add(config);
        return trials;
    }
}
