using LstmSweep.Core.Search;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Spec;

/// <summary>
/// How many trials a spec plans, computed from the domains' sizes without expanding the plan: a grid's size is the
/// product of its lists' lengths (saturating at long.MaxValue), so an 8e9-point grid costs nothing to count.
/// </summary>
public static class PlanSize
{
    /// <summary>The grid size (at most max_trials when truncating), or max_trials for random, tpe and asha.</summary>
    /// <remarks>Counts trials, so a spec with <c>repeats</c> plans configurations × repeats.</remarks>
    public static long Trials(SweepSpec spec) => Trials(spec.Strategy, spec.Space, spec.MaxTrials, spec.Truncate) * spec.Repeats;

    public static long Trials(SearchStrategy strategy, SearchSpace space, int? maxTrials, bool truncate)
    {
        if (strategy != SearchStrategy.Grid) return maxTrials ?? 0;
        var size = GridSampler.GridSize(space);
        return truncate && maxTrials is { } max ? Math.Min(size, max) : size;
    }
}
