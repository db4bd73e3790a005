using System.Globalization;
using LstmSweep.Core.Search;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Spec;

/// <summary>
/// Reads the spec's <c>space</c> section. Each key takes a list of values, a single value (read as a one-element list),
/// or, numeric keys under strategy random only, a range <c>{min, max, log}</c>. A key left out is its default.
/// </summary>
internal sealed class SpaceReader(NodeReader reader, bool rangesAllowed)
{
    const string Path = "space";
    const int MaxLayers = 8;

    /// <summary>One hyperparameter: its spec key, its default, how to read one value, and whether it can be a range.</summary>
    sealed record Parameter<T>(string Key, T Default, ValueReader<T> ReadValue, Func<T, string> Format, bool Numeric);

    public SearchSpace? Read(SpecNode? node)
    {
        var entries = reader.Map(node, Path, "a mapping of hyperparameters to their values", SpaceKeys.All,
            key => $"unknown hyperparameter '{key}'; allowed: {string.Join(", ", SpaceKeys.All)}");
        if (entries is null) return null;

        var errorsBefore = reader.Errors.Count;
        var space = new SearchSpace(
            Units: Domain(entries, Int(SpaceKeys.Units, 20, NumberRule.PositiveInteger)),
            MergeMode: Domain(entries, new Parameter<MergeMode>(SpaceKeys.MergeMode, MergeMode.None, ReadMergeMode, m => m.ToName(), false)),
            Stateful: Domain(entries, new Parameter<bool>(SpaceKeys.Stateful, false, reader.TryBool, b => b ? "true" : "false", false)),
            Epochs: Domain(entries, Int(SpaceKeys.Epochs, 50, NumberRule.PositiveInteger)),
            LearningRate: Domain(entries, new Parameter<double>(SpaceKeys.LearningRate, 0.01,
                (SpecNode n, string p, out double v) => reader.TryDouble(n, p, NumberRule.LearningRate, out v),
                v => v.ToString(CultureInfo.InvariantCulture), true)),
            BatchSize: Domain(entries, Int(SpaceKeys.BatchSize, 1, NumberRule.PositiveInteger)),
            Layers: Domain(entries, Int(SpaceKeys.Layers, 1, NumberRule.Between(1, MaxLayers))));
        return reader.Errors.Count == errorsBefore ? space : null;
    }

    Parameter<int> Int(string key, int fallback, NumberRule rule) =>
        new(key, fallback, (SpecNode n, string p, out int v) => reader.TryInt(n, p, rule, out v),
            v => v.ToString(CultureInfo.InvariantCulture), true);

    bool ReadMergeMode(SpecNode node, string path, out MergeMode value) =>
        reader.TryName(node, path, "merge mode", Names.AllMergeModes, Names.TryParseMergeMode, out value);

    /// <summary>The key's domain; on error, a placeholder (the caller discards the space when errors were added).</summary>
    ParameterDomain<T> Domain<T>(IReadOnlyDictionary<string, SpecNode> entries, Parameter<T> parameter)
    {
        var path = NodeReader.Join(Path, parameter.Key);
        var fallback = ParameterDomain<T>.Of(parameter.Default);
        if (!entries.TryGetValue(parameter.Key, out var node)) return fallback;
        return node switch
        {
            SpecMap range when parameter.Numeric => Range(range, path, parameter) ?? fallback,
            SpecList list => List(list, path, parameter) ?? fallback,
            SpecMap or SpecScalar { IsNull: true } => ReportNoList(node, path, parameter, fallback),
            _ => parameter.ReadValue(node, path, out var single) ? ParameterDomain<T>.Of(single) : fallback,
        };
    }

    ParameterDomain<T> ReportNoList<T>(SpecNode node, string path, Parameter<T> parameter, ParameterDomain<T> fallback)
    {
        reader.Error(path, $"expected a list of values, got {NodeReader.Describe(node)}; " +
                           $"give a list, or leave {parameter.Key} out for the default [{parameter.Format(parameter.Default)}]");
        return fallback;
    }

    ParameterDomain<T>? List<T>(SpecList list, string path, Parameter<T> parameter)
    {
        if (list.Items.Count == 0)
        {
            reader.Error(path, $"empty list; give at least one value, or leave {parameter.Key} out for the default " +
                               $"[{parameter.Format(parameter.Default)}]");
            return null;
        }
        var values = new List<T>();
        var ok = true;
        for (var i = 0; i < list.Items.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (!parameter.ReadValue(list.Items[i], itemPath, out var value)) { ok = false; continue; }
            // A repeated value would only repeat trials.
            if (values.Contains(value))
            {
                reader.Error(itemPath, $"{parameter.Format(value)} is listed twice; list each value once");
                ok = false;
            }
            values.Add(value);
        }
        return ok ? ParameterDomain<T>.Of(values.ToArray()) : null;
    }

    ParameterDomain<T>? Range<T>(SpecMap map, string path, Parameter<T> parameter)
    {
        if (!rangesAllowed)
        {
            reader.Error(path, "a range {min, max} has no grid points; use a list, or strategy: random");
            return null;
        }
        string[] keys = ["min", "max", "log"];
        var entries = reader.Map(map, path, "a range", keys,
            key => $"unknown range key '{key}'; a range is {{min, max}} with an optional log: true");
        if (entries is null) return null;

        var ok = ReadBound(entries, "min", path, parameter, out var min) & ReadBound(entries, "max", path, parameter, out var max);
        var log = false;
        if (entries.TryGetValue("log", out var logNode))
            ok &= reader.TryBool(logNode, NodeReader.Join(path, "log"), out log);
        if (ok && Comparer<T>.Default.Compare(min, max) > 0)
        {
            reader.Error(path, $"min {parameter.Format(min)} is greater than max {parameter.Format(max)}");
            ok = false;
        }
        // log: true needs min > 0; every numeric hyperparameter's own rule already demands a positive value.
        return ok ? ParameterDomain<T>.Range(min, max, log) : null;
    }

    bool ReadBound<T>(IReadOnlyDictionary<string, SpecNode> entries, string bound, string path, Parameter<T> parameter, out T value)
    {
        value = default!;
        if (entries.TryGetValue(bound, out var node))
            return parameter.ReadValue(node, NodeReader.Join(path, bound), out value);
        reader.Error(NodeReader.Join(path, bound), $"missing; a range needs both min and max");
        return false;
    }
}
