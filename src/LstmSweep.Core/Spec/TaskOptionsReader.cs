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
        ["timesteps"] = Capped(2, l => (l.MaxTimesteps, LimitNames.MaxTimesteps), (o, v) => o with { Timesteps = v }),
        ["sequences_per_epoch"] = Capped(1, l => (l.MaxSamples, LimitNames.MaxSamples), (o, v) => o with { SequencesPerEpoch = v }),
        ["eval_samples"] = Capped(1, l => (l.MaxSamples, LimitNames.MaxSamples), (o, v) => o with { EvalSamples = v }),
        ["n_max"] = Capped(2, l => (l.MaxClasses, LimitNames.MaxClasses), (o, v) => o with { NMax = v }),
        ["n_values"] = Capped(2, l => (l.MaxClasses, LimitNames.MaxClasses), (o, v) => o with { NValues = v }),
        ["samples"] = Capped(10, l => (l.MaxSamples, LimitNames.MaxSamples), (o, v) => o with { Samples = v }),
        ["validation_split"] = (r, n, p, o) => r.TryDouble(n, p, NumberRule.Fraction, out var v) ? o with { ValidationSplit = v } : o,
        ["validation"] = (r, n, p, o) => r.TryName<ValidationRows>(n, p, "validation", ["random", "last"],
            TryValidation, out var v)
            ? o with { Validation = v } : o,
        ["min_len"] = Capped(1, l => (l.MaxTimesteps, LimitNames.MaxTimesteps), (o, v) => o with { MinLen = v }),
        ["max_len"] = Capped(1, l => (l.MaxTimesteps, LimitNames.MaxTimesteps), (o, v) => o with { MaxLen = v }),
        ["alphabet"] = Capped(2, l => (l.MaxClasses, LimitNames.MaxClasses), (o, v) => o with { Alphabet = v }),
        ["path"] = (r, n, p, o) => r.TryString(n, p, "a file path", out var v) ? o with { Path = v } : o,
        ["features"] = Int(NumberRule.PositiveInteger, (o, v) => o with { Features = v }),
        ["validation_file"] = (r, n, p, o) => r.TryString(n, p, "a file path", out var v) ? o with { ValidationFile = v } : o,
    };

    static readonly Dictionary<TaskKind, string[]> KeysByTask = new()
    {
        [TaskKind.Cumsum] = ["timesteps", "sequences_per_epoch", "eval_samples"],
        [TaskKind.EchoSecond] = ["timesteps", "n_max", "n_values", "samples", "validation_split", "validation"],
        [TaskKind.StatefulCounter] = [],
        [TaskKind.Array] = ["path", "features", "validation_split", "validation", "validation_file"],
        [TaskKind.VariableLength] = ["min_len", "max_len", "alphabet", "samples", "validation_split", "validation"],
    };

    static bool TryValidation(string? name, out ValidationRows value)
    {
        value = name == "last" ? ValidationRows.Last : ValidationRows.Random;
        return name is "last" or "random";
    }

    static Option Int(NumberRule rule, Func<TaskOptions, int, TaskOptions> set) =>
        (r, n, p, o) => r.TryInt(n, p, rule, out var v) ? set(o, v) : o;

    /// <summary>An integer option with a cap from the reader's <see cref="SpecLimits"/> (sizes that cost memory or time).</summary>
    static Option Capped(int min, Func<SpecLimits, (long Max, string Key)> cap, Func<TaskOptions, int, TaskOptions> set) =>
        (r, n, p, o) =>
        {
            var (max, key) = cap(r.Limits);
            return r.TryInt(n, p, NumberRule.Capped(min, max, key), out var v) ? set(o, v) : o;
        };

    /// <summary>The task's options with defaults filled in; null when there were errors.</summary>
    /// <param name="specPath">The spec file, whose folder relative data paths resolve against.</param>
    /// <param name="arrayData">The array task's data, loaded to check it (its shape sizes a trial's memory).</param>
    public static TaskOptions? Read(NodeReader reader, SpecNode? node, TaskKind task, string? specPath, SpecReadOptions readOptions,
        out ArrayDataset? arrayData)
    {
        arrayData = null;
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
            options = CheckArrayData(reader, options, specPath, readOptions, out arrayData);
        return reader.Errors.Count > errorsBefore ? null : options;
    }

    /// <summary>
    /// Resolves the data path, checks it against the data-file rules (<see cref="DataFiles"/>) and loads the file once,
    /// so a bad file fails at validation, not mid-sweep.
    /// </summary>
    static TaskOptions CheckArrayData(NodeReader reader, TaskOptions options, string? specPath, SpecReadOptions readOptions,
        out ArrayDataset? data)
    {
        data = null;
        var pathKey = NodeReader.Join(Path, "path");
        if (options.Path is null)
        {
            reader.Error(pathKey, "required for task array: the CSV or JSON data file");
            return options;
        }
        var (realPath, loaded) = CheckDataFile(reader, pathKey, options.Path, options.Features, specPath, readOptions);
        options = options with { Path = realPath };
        data = loaded;
        if (options.ValidationFile is not { } validationFile || loaded is null) return options;

        var validationKey = NodeReader.Join(Path, "validation_file");
        var (realValidation, evaluation) = CheckDataFile(reader, validationKey, validationFile, options.Features, specPath, readOptions);
        if (evaluation is not null && (evaluation.Timesteps, evaluation.Features, evaluation.LabelSteps) != (loaded.Timesteps, loaded.Features, loaded.LabelSteps))
            reader.Error(validationKey,
                $"{validationFile}: samples of ({evaluation.Timesteps}, {evaluation.Features}) with {evaluation.LabelSteps} label step(s), but path's are " +
                $"({loaded.Timesteps}, {loaded.Features}) with {loaded.LabelSteps}: the evaluation file needs the training file's shape");
        else if (evaluation is not null && evaluation.Classes > loaded.Classes)
            reader.Error(validationKey,
                $"{validationFile}: labels up to {evaluation.Classes - 1}, but the training file's go up to {loaded.Classes - 1}; the model predicts only those classes");
        return options with { ValidationFile = realValidation };
    }

    /// <summary>
    /// Resolves one data file, checks it against the data-file rules (<see cref="DataFiles"/>) and the size limits, and
    /// loads it once, so a bad file fails at validation, not mid-sweep. Returns the path to store (the real path once
    /// checked: a symlink swapped after validation cannot point a worker elsewhere) and the data (null after an error).
    /// </summary>
    static (string Path, ArrayDataset? Data) CheckDataFile(NodeReader reader, string key, string given, int? features, string? specPath,
        SpecReadOptions readOptions)
    {
        if (given.Any(char.IsControl))
        {
            reader.Error(key, "the path contains a NUL or control character; give a plain file path");
            return (given, null);
        }
        if (!readOptions.RelativeDataPaths && !System.IO.Path.IsPathFullyQualified(given))
        {
            reader.Error(key, $"'{given}' is relative, and a spec sent without its file has no folder to resolve it " +
                              "against: give the data file's absolute path (as the nodes see it)");
            return (given, null);
        }
        var specFolder = specPath is null
            ? Directory.GetCurrentDirectory()
            : System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(specPath))!;
        var absolute = System.IO.Path.GetFullPath(given, specFolder);
        var folders = DataFiles.ResolveFolders(readOptions.DataFolders ?? [specFolder]);
        var (file, refused) = DataFiles.Check(absolute, folders, reader.Limits.MaxDataFileBytes);
        if (refused is not null)
        {
            reader.Error(key, refused);
            return (absolute, null);
        }
        ArrayDataset data;
        try
        {
            data = ArrayDataset.Load(file!.RealPath, features);
        }
        catch (ArrayDataException e)
        {
            var message = readOptions.QuoteDataInErrors ? e.Message : DataFiles.WithoutContent(e.Message);
            reader.Error(e.InvolvesFeatures ? NodeReader.Join(Path, "features") : key, message.Replace(file!.RealPath, absolute));
            return (absolute, null);
        }
        var limits = reader.Limits;
        if (data.Samples > limits.MaxSamples)
            reader.Error(key, $"{absolute}: {data.Samples} samples, more than {limits.MaxSamples} (the limit {LimitNames.MaxSamples})");
        if (data.Timesteps > limits.MaxTimesteps)
            reader.Error(key, $"{absolute}: {data.Timesteps} timesteps, more than {limits.MaxTimesteps} (the limit {LimitNames.MaxTimesteps})");
        if (data.Classes > limits.MaxClasses)
            reader.Error(key, $"{absolute}: labels up to {data.Classes - 1}, so {data.Classes} classes, more than {limits.MaxClasses} " +
                              $"(the limit {LimitNames.MaxClasses}); labels are class indices 0, 1, ...");
        return (file.RealPath, data);
    }
}
