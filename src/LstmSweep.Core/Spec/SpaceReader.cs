using LstmSweep.Core.Search;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Spec;

/// <summary>
/// Reads the spec's <c>space</c> section, one row of the hyperparameter table (<see cref="Hyperparameters"/>) per key.
/// Each key takes a list of values, a single value (read as a one-element list), or, numeric keys under strategy
/// random or tpe only, a range <c>{min, max, log}</c>. A key left out is its default. Every value is checked against
/// its row's rule and the caps in <see cref="SpecLimits"/>.
/// </summary>
internal sealed class SpaceReader(NodeReader reader, bool rangesAllowed, SpecLimits? limits = null)
{
    const string Path = "space";

    readonly SpecLimits limits = limits ?? SpecLimits.Default;

    public SearchSpace? Read(SpecNode? node)
    {
        var entries = reader.Map(node, Path, "a mapping of hyperparameters to their values", Hyperparameters.Keys,
            key => $"unknown hyperparameter '{key}'; allowed: {string.Join(", ", Hyperparameters.Keys)}");
        if (entries is null) return null;

        var errorsBefore = reader.Errors.Count;
        var domains = new List<KeyValuePair<Hyperparameter, IParameterDomain>>();
        foreach (var row in Hyperparameters.All)
        {
            if (!entries.TryGetValue(row.Key, out var value)) continue;
            if (Domain(value, row) is { } domain) domains.Add(KeyValuePair.Create(row, domain));
        }
        return reader.Errors.Count == errorsBefore ? new SearchSpace(domains) : null;
    }

    /// <summary>One value of <paramref name="row"/>, checked against its rule and caps; false (error recorded) if not.</summary>
    bool ReadValue(Hyperparameter row, SpecNode node, string path, out object value)
    {
        value = row.DefaultFor(Hyperparameters.Defaults);
        switch (row.Kind)
        {
            case HyperparameterKind.Integer:
                var min = row.Minimum ?? int.MinValue;
                var basic = NumberRule.AtLeast(min, min switch { 1 => "a positive integer", 0 => "a non-negative integer", _ => null });
                if (!reader.TryInt(node, path, basic, out var integer)) return false;
                value = integer;
                break;
            case HyperparameterKind.Real:
                var rule = new NumberRule(row.Expected(limits), false, v => row.Problem(v, limits) is null);
                if (!reader.TryDouble(node, path, rule, out var real)) return false;
                value = real;
                break;
            case HyperparameterKind.Boolean:
                if (!reader.TryBool(node, path, out var flag)) return false;
                value = flag;
                break;
            default:
                var what = row.Key.Replace('_', ' ');
                if (!reader.TryString(node, path, $"a {what}", out var name)) return false;
                if (!row.TryParse(name, out value))
                {
                    reader.Error(path, $"unknown {what} '{name}'; allowed: {string.Join(", ", row.ChoiceNames)}");
                    return false;
                }
                break;
        }
        if (row.Problem(value, limits) is { } problem)
        {
            reader.Error(path, problem);
            return false;
        }
        return true;
    }

    string DefaultText(Hyperparameter row) => row.Format(row.ValueOf(Hyperparameters.Defaults));

    /// <summary>The key's domain, or null after recording the errors.</summary>
    IParameterDomain? Domain(SpecNode node, Hyperparameter row)
    {
        var path = NodeReader.Join(Path, row.Key);
        switch (node)
        {
            case SpecMap range when row.IsNumeric:
                return Range(range, path, row);
            case SpecList list:
                return List(list, path, row);
            case SpecMap or SpecScalar { IsNull: true }:
                reader.Error(path, $"expected a list of values, got {NodeReader.Describe(node)}; " +
                                   $"give a list, or leave {row.Key} out for the default [{DefaultText(row)}]");
                return null;
            default:
                return ReadValue(row, node, path, out var single) ? row.ListOf([single]) : null;
        }
    }

    IParameterDomain? List(SpecList list, string path, Hyperparameter row)
    {
        if (list.Items.Count == 0)
        {
            reader.Error(path, $"empty list; give at least one value, or leave {row.Key} out for the default [{DefaultText(row)}]");
            return null;
        }
        var values = new List<object>();
        var ok = true;
        for (var i = 0; i < list.Items.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (!ReadValue(row, list.Items[i], itemPath, out var value)) { ok = false; continue; }
            // A repeated value would only repeat trials.
            if (values.Contains(value))
            {
                reader.Error(itemPath, $"{row.Format(value)} is listed twice; list each value once");
                ok = false;
            }
            values.Add(value);
        }
        return ok ? row.ListOf(values) : null;
    }

    IParameterDomain? Range(SpecMap map, string path, Hyperparameter row)
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

        var ok = ReadBound(entries, "min", path, row, out var min) & ReadBound(entries, "max", path, row, out var max);
        var log = false;
        if (entries.TryGetValue("log", out var logNode))
            ok &= reader.TryBool(logNode, NodeReader.Join(path, "log"), out log);
        if (ok && row.ToNumber(min) > row.ToNumber(max))
        {
            reader.Error(path, $"min {row.Format(min)} is greater than max {row.Format(max)}");
            ok = false;
        }
        if (ok && log && row.ToNumber(min) <= 0)
        {
            reader.Error(NodeReader.Join(path, "min"), $"log: true needs min > 0, got {row.Format(min)}");
            ok = false;
        }
        return ok ? row.RangeOf(min, max, log) : null;
    }

    bool ReadBound(IReadOnlyDictionary<string, SpecNode> entries, string bound, string path, Hyperparameter row, out object value)
    {
        value = 0;
        if (entries.TryGetValue(bound, out var node))
            return ReadValue(row, node, NodeReader.Join(path, bound), out value);
        reader.Error(NodeReader.Join(path, bound), "missing; a range needs both min and max");
        return false;
    }
}
