using System.Globalization;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Spec;

/// <summary>Reads one spec value of a given type, or records why it cannot.</summary>
internal delegate bool ValueReader<T>(SpecNode node, string path, out T value);

/// <summary>
/// Typed reads of spec nodes that record every problem instead of stopping at the first, so one run of the validator
/// tells the user everything to fix.
/// </summary>
internal sealed class NodeReader(SpecLimits? limits = null)
{
    readonly List<SpecError> errors = [];

    /// <summary>The caps values are checked against (the node's or `run`'s, never the spec's own).</summary>
    public SpecLimits Limits { get; } = limits ?? SpecLimits.Default;

    public IReadOnlyList<SpecError> Errors => errors;

    public void Error(string path, string message) => errors.Add(new SpecError(path, message));

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>How a node shows in a message: <c>'ten'</c>, <c>the string "10"</c>, <c>a list</c>, <c>a mapping</c>.</summary>
    public static string Describe(SpecNode node) => node switch
    {
        SpecScalar { IsNull: true } => "nothing",
        SpecScalar { IsPlain: true } s => $"'{s.Value}'",
        SpecScalar s => $"the string \"{s.Value}\"",
        SpecList => "a list",
        _ => "a mapping",
    };

    /// <summary>
    /// The entries of a mapping by key (first occurrence), after reporting duplicate and unknown keys. A missing or null
    /// node is an empty mapping; anything else is an error and gives null.
    /// </summary>
    public IReadOnlyDictionary<string, SpecNode>? Map(
        SpecNode? node, string path, string expected, IReadOnlyCollection<string> allowedKeys, Func<string, string> unknownKey)
    {
        var entries = new Dictionary<string, SpecNode>();
        if (node is null or SpecScalar { IsNull: true }) return entries;
        if (node is not SpecMap map)
        {
            Error(path, $"expected {expected}, got {Describe(node)}");
            return null;
        }
        var firstLines = new Dictionary<string, int>();
        foreach (var (key, value) in map.Entries)
        {
            var keyPath = Join(path, key.Value);
            if (firstLines.TryGetValue(key.Value, out var firstLine))
                Error(keyPath, $"duplicate key (line {key.Line}; first given on line {firstLine}); give each key once");
            else if (!allowedKeys.Contains(key.Value))
                Error(keyPath, unknownKey(key.Value));
            else
                entries[key.Value] = value;
            firstLines.TryAdd(key.Value, key.Line);
        }
        return entries;
    }

    public bool TryLong(SpecNode node, string path, NumberRule rule, out long value)
    {
        if (node is SpecScalar { IsPlain: true } s
            && long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)
            && rule.Accepts(value))
            return true;
        Error(path, $"expected {rule.Expected}, got {Describe(node)}");
        value = 0;
        return false;
    }

    public bool TryInt(SpecNode node, string path, NumberRule rule, out int value)
    {
        var inRange = new NumberRule(rule.Expected, true, v => v is >= int.MinValue and <= int.MaxValue && rule.Accepts(v));
        var ok = TryLong(node, path, inRange, out var wide);
        value = (int)wide;
        return ok;
    }

    public bool TryDouble(SpecNode node, string path, NumberRule rule, out double value)
    {
        if (node is SpecScalar { IsPlain: true } s
            && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value) && rule.Accepts(value))
            return true;
        Error(path, $"expected {rule.Expected}, got {Describe(node)}");
        value = 0;
        return false;
    }

    public bool TryBool(SpecNode node, string path, out bool value)
    {
        value = node is SpecScalar { IsPlain: true, Value: "true" or "True" or "TRUE" };
        if (value || node is SpecScalar { IsPlain: true, Value: "false" or "False" or "FALSE" }) return true;
        Error(path, $"expected true or false, got {Describe(node)}");
        return false;
    }

    /// <summary>Any non-null scalar, quoted or not: names and paths are text whatever they look like.</summary>
    public bool TryString(SpecNode node, string path, string expected, out string value)
    {
        value = node is SpecScalar { IsNull: false } s ? s.Value : "";
        if (node is SpecScalar { IsNull: false }) return true;
        Error(path, $"expected {expected}, got {Describe(node)}");
        return false;
    }

    /// <summary>One of an enum's user-facing names (from <see cref="Trials.Names"/>).</summary>
    public bool TryName<T>(SpecNode node, string path, string what, IEnumerable<string> allowed, NameParser<T> parse, out T value)
    {
        value = default!;
        if (!TryString(node, path, $"a {what}", out var name)) return false;
        if (parse(name, out value)) return true;
        Error(path, $"unknown {what} '{name}'; allowed: {string.Join(", ", allowed)}");
        return false;
    }
}

internal delegate bool NameParser<T>(string? name, out T value);
