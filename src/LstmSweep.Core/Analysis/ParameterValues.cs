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
/// A trial's hyperparameters as the analyses see them (importance, parallel coordinates, slice plots, the report): one
/// pair per row of the hyperparameter table, numbers as numbers (learning rate on a log axis), choices and flags as
/// their short names. Everything downstream iterates these pairs and never names a field of the config.
/// </summary>
public static class ParameterValues
{
    public static IReadOnlyList<HyperparameterValue> Of(TrialConfig config) => Trials.Hyperparameters.All
        .Select(row => row.IsNumeric
            ? HyperparameterValue.Numeric(row.Key, row.ToNumber(row.ValueOf(config)), logScale: row.Key == Trials.Hyperparameters.LearningRate.Key)
            : HyperparameterValue.Categorical(row.Key, row.FormatShort(row.ValueOf(config))))
        .ToList();

    /// <summary>The keys, in the order <see cref="Of"/> gives them.</summary>
    public static IReadOnlyList<string> Keys => Trials.Hyperparameters.Keys;
}
