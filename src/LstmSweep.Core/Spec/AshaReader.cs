using LstmSweep.Core.Search;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Spec;

/// <summary>
/// Reads the <c>asha:</c> block: <c>{min_epochs, max_epochs, reduction_factor, brackets, pause}</c>, max_epochs
/// required, and checks the keys against each other (max_epochs against min_epochs, brackets against both).
/// </summary>
internal static class AshaReader
{
    public const string Path = "asha";

    static readonly string[] Keys = ["min_epochs", "max_epochs", "reduction_factor", "brackets", "pause"];

    /// <summary>The settings with defaults filled in; null when there were errors.</summary>
    public static AshaSettings? Read(NodeReader reader, SpecNode node)
    {
        var entries = reader.Map(node, Path, "a mapping of asha settings", Keys,
            key => $"unknown asha key '{key}'; allowed: {string.Join(", ", Keys)}");
        if (entries is null) return null;

        var errorsBefore = reader.Errors.Count;
        var epochsRule = NumberRule.Capped(1, reader.Limits.MaxEpochs, LimitNames.MaxEpochs);
        var minEpochs = ReadInt(reader, entries, "min_epochs", epochsRule, AshaSettings.DefaultMinEpochs);
        var reductionFactor = ReadInt(reader, entries, "reduction_factor", NumberRule.AtLeast(2), AshaSettings.DefaultReductionFactor);
        var brackets = ReadInt(reader, entries, "brackets", NumberRule.PositiveInteger, 1);
        var pause = false;
        if (entries.TryGetValue("pause", out var pauseNode))
            reader.TryBool(pauseNode, NodeReader.Join(Path, "pause"), out pause);
        int? maxEpochs = entries.ContainsKey("max_epochs")
            ? ReadInt(reader, entries, "max_epochs", epochsRule, 0)
            : null;
        if (maxEpochs is null)
            reader.Error(NodeReader.Join(Path, "max_epochs"),
                "missing; the epochs a trial trains unless a rung stops it, e.g. max_epochs: 81");
        if (reader.Errors.Count > errorsBefore) return null;

        var max = maxEpochs!.Value;
        if (max < minEpochs)
        {
            reader.Error(NodeReader.Join(Path, "max_epochs"), $"max_epochs {max} is less than min_epochs {minEpochs}");
            return null;
        }
        var maxBrackets = AshaSettings.MaxBrackets(minEpochs, max, reductionFactor);
        if (brackets > maxBrackets)
        {
            var settings = new AshaSettings(minEpochs, max, reductionFactor, brackets);
            reader.Error(NodeReader.Join(Path, "brackets"),
                $"bracket {brackets - 1} would start at {settings.BracketStart(brackets - 1)} epochs, past max_epochs {max}; " +
                $"use at most {maxBrackets} brackets, or raise max_epochs");
            return null;
        }
        return new AshaSettings(minEpochs, max, reductionFactor, brackets, pause);
    }

    static int ReadInt(NodeReader reader, IReadOnlyDictionary<string, SpecNode> entries, string key, NumberRule rule, int fallback)
    {
        if (!entries.TryGetValue(key, out var node)) return fallback;
        return reader.TryInt(node, NodeReader.Join(Path, key), rule, out var value) ? value : fallback;
    }
}
