using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Search;

/// <summary>One hyperparameter's domain: a list of values, or (numeric only, random/TPE only) a range.</summary>
public sealed record ParameterDomain<T>(IReadOnlyList<T>? Values, T? Min = default, T? Max = default, bool Log = false)
{
    public bool IsRange => Values is null;
    public static ParameterDomain<T> Of(params T[] values) => new(values);
    public static ParameterDomain<T> Range(T min, T max, bool log = false) => new(null, min, max, log);
}

/// <summary>The hyperparameters a sweep searches over; a key left out of the spec is one default value.</summary>
public sealed record SearchSpace(
    ParameterDomain<int> Units,
    ParameterDomain<MergeMode> MergeMode,
    ParameterDomain<bool> Stateful,
    ParameterDomain<int> Epochs,
    ParameterDomain<double> LearningRate,
    ParameterDomain<int> BatchSize,
    ParameterDomain<int> Layers);
