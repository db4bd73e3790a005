using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Search;

/// <summary>The spec's names for the original hyperparameters (the table, <see cref="Hyperparameters"/>, has them all).</summary>
public static class SpaceKeys
{
    public const string Units = "units";
    public const string MergeMode = "merge_mode";
    public const string Stateful = "stateful";
    public const string Epochs = "epochs";
    public const string LearningRate = "learning_rate";
    public const string BatchSize = "batch_size";
    public const string Layers = "layers";

    /// <summary>Every key of the table, in grid order.</summary>
    public static IReadOnlyList<string> All => Hyperparameters.Keys;
}

/// <summary>Questions about a <see cref="SearchSpace"/> that the samplers and the spec parser share.</summary>
public static class SearchSpaces
{
    /// <summary>The spec key of the first hyperparameter given as a range, or null when every key is a list.</summary>
    public static string? FirstRangeKey(SearchSpace space) =>
        space.GivenRows.FirstOrDefault(row => space.Given(row)!.IsRange)?.Key;

    /// <summary>
    /// The number of grid points: the product of the list lengths, long.MaxValue when it overflows; computed
    /// without expanding anything, so a validator can check it against a cap.
    /// </summary>
    /// <exception cref="ArgumentException">A key is a range.</exception>
    public static long GridSize(SearchSpace space)
    {
        RequireLists(space);
        long size = 1;
        foreach (var row in space.GivenRows)
        {
            long count = space.Given(row)!.Count;
            size = count != 0 && size > long.MaxValue / count ? long.MaxValue : size * count;
        }
        return size;
    }

    /// <summary>
    /// The config with every row left out of <paramref name="space"/> at its default, given the drawn rows
    /// (<paramref name="drawn"/> holds their values; the rest of it is ignored).
    /// </summary>
    internal static TrialConfig WithDefaults(SearchSpace space, TrialConfig drawn) =>
        Hyperparameters.ResolveDefaults(drawn, Hyperparameters.All.Where(row => space.Given(row) is null));

    internal static void RequireLists(SearchSpace space)
    {
        if (FirstRangeKey(space) is { } rangeKey)
            throw new ArgumentException($"{rangeKey} is a range; a grid needs a list of values for every key", nameof(space));
    }
}
