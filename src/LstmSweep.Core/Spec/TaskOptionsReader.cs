using LstmSweep.Core.Data;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Spec;

/// <summary>
/// Reads <c>task_options</c>: which keys each task takes, each key's rule, and the cross-key checks (max_len against
/// min_len, the array task's data file).
/// </summary>
internal static class TaskOptionsReader
{
    const string Path = "task_options";

    delegate TaskOptions Option(NodeReader reader, SpecNode node, string path, TaskOptions options);

    static readonly Dictionary<string, Option> Options = new()
    {
        ["timesteps"] = Int(NumberRule.AtLeast(2), (o, v) => o with { Timesteps = v }),
        ["sequences_per_epoch"] = Int(NumberRule.PositiveInteger, (o, v) => o with { SequencesPerEpoch = v }),
        ["eval_samples"] = Int(NumberRule.PositiveInteger, (o, v) => o with { EvalSamples = v }),
        ["n_max"] = Int(NumberRule.AtLeast(2), (o, v) => o with { NMax = v }),
        ["n_values"] = Int(NumberRule.AtLeast(2), (o, v) => o with { NValues = v }),
        ["samples"] = Int(NumberRule.AtLeast(10), (o, v) => o with { Samples = v }),
        ["validation_split"] = (r, n, p, o) => r.TryDouble(n, p, NumberRule.Fraction, out var v) ? o with { ValidationSplit = v } : o,
        ["validation"] = (r, n, p, o) => r.TryName<ValidationRows>(n, p, "validation", ["random", "last"],
            TryValidation, out var v)
            ? o with { Validation = v } : o,
        ["min_len"] = Int(NumberRule.PositiveInteger, (o, v) => o with { MinLen = v }),
        ["max_len"] = Int(NumberRule.PositiveInteger, (o, v) => o with { MaxLen = v }),
        ["alphabet"] = Int(NumberRule.AtLeast(2), (o, v) => o with { Alphabet = v }),
        ["path"] = (r, n, p, o) => r.TryString(n, p, "a file path", out var v) ? o with { Path = v } : o,
        ["features"] = Int(NumberRule.PositiveInteger, (o, v) => o with { Features = v }),
    };

    static readonly Dictionary<TaskKind, string[]> KeysByTask = new()
    {
        [TaskKind.Cumsum] = ["timesteps", "sequences_per_epoch", "eval_samples"],
        [TaskKind.EchoSecond] = ["timesteps", "n_max", "n_values", "samples", "validation_split", "validation"],
        [TaskKind.StatefulCounter] = [],
        [TaskKind.Array] = ["path", "features", "validation_split", "validation"],
        [TaskKind.VariableLength] = ["min_len", "max_len", "alphabet", "samples", "validation_split", "validation"],
    };

    static bool TryValidation(string? name, out ValidationRows value)
    {
        value = name == "last" ? ValidationRows.Last : ValidationRows.Random;
        return name is "last" or "random";
    }

    static Option Int(NumberRule rule, Func<TaskOptions, int, TaskOptions> set) =>
        (r, n, p, o) => r.TryInt(n, p, rule, out var v) ? set(o, v) : o;

    /// <summary>The task's options with defaults filled in; null when there were errors.</summary>
    /// <param name="specPath">The spec file, whose folder relative data paths resolve against.</param>
    public static TaskOptions? Read(NodeReader reader, SpecNode? node, TaskKind task, string? specPath)
    {
        var allowed = KeysByTask[task];
        var entries = reader.Map(node, Path, $"a mapping of options for task {task.ToName()}", allowed,
            key => allowed.Length == 0
                ? $"unknown option '{key}' for task {task.ToName()}; it takes no options"
                : $"unknown option '{key}' for task {task.ToName()}; allowed: {string.Join(", ", allowed)}");
        if (entries is null) return null;

        var errorsBefore = reader.Errors.Count;
        var options = new TaskOptions();
        foreach (var (key, value) in entries)
            options = Options[key](reader, value, NodeReader.Join(Path, key), options);
        if (reader.Errors.Count > errorsBefore) return null;

        if (task == TaskKind.VariableLength && options.MaxLen < options.MinLen)
            reader.Error(NodeReader.Join(Path, "max_len"), $"max_len {options.MaxLen} is less than min_len {options.MinLen}");
        if (task == TaskKind.EchoSecond && options.NValues > options.NMax)
            reader.Error(NodeReader.Join(Path, "n_values"), $"n_values {options.NValues} is more than n_max {options.NMax}, the one-hot width; use at most {options.NMax}");
        if (task == TaskKind.Array)
            options = CheckArrayData(reader, options, specPath);
        return reader.Errors.Count > errorsBefore ? null : options;
    }

    /// <summary>Resolves the data path and loads the file once, so a bad file fails at validation, not mid-sweep.</summary>
    static TaskOptions CheckArrayData(NodeReader reader, TaskOptions options, string? specPath)
    {
        var pathKey = NodeReader.Join(Path, "path");
        if (options.Path is null)
        {
            reader.Error(pathKey, "required for task array: the CSV or JSON data file");
            return options;
        }
        var baseDirectory = specPath is null
            ? Directory.GetCurrentDirectory()
            : System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(specPath))!;
        var absolute = System.IO.Path.GetFullPath(options.Path, baseDirectory);
        try
        {
            ArrayDataset.Load(absolute, options.Features);
        }
        catch (ArrayDataException e)
        {
            reader.Error(e.InvolvesFeatures ? NodeReader.Join(Path, "features") : pathKey, e.Message);
        }
        return options with { Path = absolute };
    }
}
