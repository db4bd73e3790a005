using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Search;

/// <summary>
/// Every combination of the listed values, in a fixed order: keys in the order units, merge_mode, stateful, epochs,
/// learning_rate, batch_size, layers, with the last key varying fastest (like nested loops, layers innermost), and each
/// key's values in the order the spec lists them. Trial n is the n-th combination, so the history is not needed.
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

    /// <summary>The number of combinations: the product of the list lengths (long.MaxValue if it overflows).</summary>
    /// <exception cref="ArgumentException">A key is a range.</exception>
    public static long GridSize(SearchSpace space)
    {
        SearchSpaces.RequireLists(space);
        long size = 1;
        foreach (var count in ValueCounts(space))
            size = count != 0 && size > long.MaxValue / count ? long.MaxValue : size * count;
        return size;
    }

    public TrialConfig? Suggest(int trialNumber, IReadOnlyList<TrialObservation> history)
    {
        if (trialNumber < 0 || trialNumber >= trialCount) return null;

        // Mixed-radix decoding of the trial number, least significant digit (layers) first.
        long rest = trialNumber;
        T Take<T>(ParameterDomain<T> domain)
        {
            var values = domain.Values!;
            var value = values[(int)(rest % values.Count)];
            rest /= values.Count;
            return value;
        }
        var layers = Take(space.Layers);
        var batchSize = Take(space.BatchSize);
        var learningRate = Take(space.LearningRate);
        var epochs = Take(space.Epochs);
        var stateful = Take(space.Stateful);
        var mergeMode = Take(space.MergeMode);
        var units = Take(space.Units);
        return new TrialConfig(units, mergeMode, stateful, epochs, learningRate, batchSize, layers);
    }

    static IEnumerable<long> ValueCounts(SearchSpace s) =>
    [
        s.Units.Values!.Count, s.MergeMode.Values!.Count, s.Stateful.Values!.Count, s.Epochs.Values!.Count,
        s.LearningRate.Values!.Count, s.BatchSize.Values!.Count, s.Layers.Values!.Count,
    ];
}
