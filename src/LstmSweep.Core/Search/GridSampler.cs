using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Search;

/// <summary>
/// Every combination of the listed values, in a fixed order: keys in table order (<see cref="Hyperparameters.All"/>:
/// units, merge_mode, stateful, epochs, learning_rate, batch_size, layers, then the newer rows), with the last key
/// varying fastest (like nested loops), and each key's values in the order the spec lists them. A key left out is
/// one value, its default. Trial n is the n-th combination, decoded from n without expanding the grid, so the history
/// is not needed.
/// </summary>
public sealed class GridSampler : ISampler
{
    readonly SearchSpace space;
    readonly long trialCount;

    /// <param name="space">Lists only; a range has no grid.</param>
    /// <param name="maxTrials">Stop after this many combinations (a truncated grid); null runs the whole grid.</param>
    public GridSampler(SearchSpace space, int? maxTrials = null)
    {
        this.space = space;
        var size = GridSize(space);
        trialCount = maxTrials is { } max ? Math.Min(size, max) : size;
    }

    /// <summary>The number of combinations (see <see cref="SearchSpaces.GridSize"/>).</summary>
    /// <exception cref="ArgumentException">A key is a range.</exception>
    public static long GridSize(SearchSpace space) => SearchSpaces.GridSize(space);

    public TrialConfig? Suggest(int trialNumber, IReadOnlyList<TrialObservation> history)
    {
        if (trialNumber < 0 || trialNumber >= trialCount) return null;

        // Mixed-radix decoding of the trial number, least significant digit (the last row) first.
        long rest = trialNumber;
        var config = TrialConfig.Legacy;
        foreach (var row in space.GivenRows.Reverse())
        {
            var domain = space.Given(row)!;
            config = row.With(config, domain.ValueAt((int)(rest % domain.Count)));
            rest /= domain.Count;
        }
        return SearchSpaces.WithDefaults(space, config);
    }
}
