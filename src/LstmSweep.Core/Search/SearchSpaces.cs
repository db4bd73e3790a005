namespace LstmSweep.Core.Search;

/// <summary>The spec's names for the hyperparameters of a <see cref="SearchSpace"/>, in grid order.</summary>
public static class SpaceKeys
{
    public const string Units = "units";
    public const string MergeMode = "merge_mode";
    public const string Stateful = "stateful";
    public const string Epochs = "epochs";
    public const string LearningRate = "learning_rate";
    public const string BatchSize = "batch_size";
    public const string Layers = "layers";

    public static IReadOnlyList<string> All { get; } = [Units, MergeMode, Stateful, Epochs, LearningRate, BatchSize, Layers];
}

/// <summary>Questions about a <see cref="SearchSpace"/> that the samplers and the spec parser share.</summary>
public static class SearchSpaces
{
    /// <summary>The spec key of the first hyperparameter given as a range, or null when every key is a list.</summary>
    public static string? FirstRangeKey(SearchSpace space) =>
        space.Units.IsRange ? SpaceKeys.Units
        : space.MergeMode.IsRange ? SpaceKeys.MergeMode
        : space.Stateful.IsRange ? SpaceKeys.Stateful
        : space.Epochs.IsRange ? SpaceKeys.Epochs
        : space.LearningRate.IsRange ? SpaceKeys.LearningRate
        : space.BatchSize.IsRange ? SpaceKeys.BatchSize
        : space.Layers.IsRange ? SpaceKeys.Layers
        : null;

    internal static void RequireLists(SearchSpace space)
    {
        if (FirstRangeKey(space) is { } rangeKey)
            throw new ArgumentException($"{rangeKey} is a range; a grid needs a list of values for every key", nameof(space));
    }
}
