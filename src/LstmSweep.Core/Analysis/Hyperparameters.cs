using System.Globalization;
using LstmSweep.Core.Search;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Analysis;

/// <summary>
/// One hyperparameter of a trial as the analyses see it: a number (drawn on a log axis when <paramref name="LogScale"/>)
/// or a category (a merge mode, a flag). Exactly one of <paramref name="Number"/> and <paramref name="Category"/> is set.
/// </summary>
public sealed record HyperparameterValue(string Key, double? Number, string? Category, bool LogScale = false)
{
    public bool IsCategorical => Category is not null;

    /// <summary>The value as a spec writes it.</summary>
    public string Label => Category ?? Number!.Value.ToString("G6", CultureInfo.InvariantCulture);

    public static HyperparameterValue Numeric(string key, double value, bool logScale = false) => new(key, value, null, logScale);
    public static HyperparameterValue Categorical(string key, string value) => new(key, null, value);
}

/// <summary>
/// The ONE place that turns a <see cref="TrialConfig"/> into ordered (key, value) pairs for importance, the parallel
/// coordinates, slice plots and the report. Everything downstream iterates these pairs and never names a field of the
/// config, so when the hyperparameters become one table this method is the only line to repoint.
/// </summary>
public static class Hyperparameters
{
    public static IReadOnlyList<HyperparameterValue> Of(TrialConfig config) =>
    [
        HyperparameterValue.Numeric(SpaceKeys.Units, config.Units),
        HyperparameterValue.Categorical(SpaceKeys.MergeMode, config.MergeMode.ToName()),
        HyperparameterValue.Categorical(SpaceKeys.Stateful, config.Stateful ? "true" : "false"),
        HyperparameterValue.Numeric(SpaceKeys.Epochs, config.Epochs),
        HyperparameterValue.Numeric(SpaceKeys.LearningRate, config.LearningRate, logScale: true),
        HyperparameterValue.Numeric(SpaceKeys.BatchSize, config.BatchSize),
        HyperparameterValue.Numeric(SpaceKeys.Layers, config.Layers),
    ];

    /// <summary>The keys, in the order <see cref="Of"/> gives them.</summary>
    public static IReadOnlyList<string> Keys { get; } = Of(new TrialConfig(1, MergeMode.None, false, 1, 0.1, 1, 1)).Select(p => p.Key).ToList();
}
