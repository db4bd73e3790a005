using System.Text;
using System.Text.RegularExpressions;
using LstmSweep.Core.Data;
using LstmSweep.Core.Search;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Spec;

/// <summary>
/// Turns a sweep spec (YAML, or JSON, which it reads as YAML) into a <see cref="SweepSpec"/> with every default filled
/// in, or into the full list of problems: it never stops at the first, so a user fixes a spec in one pass.
/// </summary>
/// <remarks>
/// Friendly where nothing is ambiguous: a single value where the space wants a list is a one-element list
/// (<c>units: 20</c> means <c>units: [20]</c>), and a key with an empty value (<c>task_options:</c>) is left at its
/// default. Strict where a slip would silently change the sweep: a quoted number (<c>"10"</c>) is a string, not a
/// number, and unknown keys are errors.
/// </remarks>
public static partial class SpecParser
{
    static readonly string[] TopLevelKeys =
        ["name", "task", "task_options", "strategy", "max_trials", "truncate", "seed", "objective", "space",
         "scheduler", "asha", "n_startup_trials", "checkpoint_every", "retries", "keep_models", "repeats",
         "eval_every"];

    /// <summary>The most repeats of one configuration (more says nothing a few dozen do not).</summary>
    const int MaxRepeats = 100;

    const string NameRule = "1 to 63 characters from a-z, 0-9 and '-'";

    // \z, not $: in .NET, $ also matches before a final newline, and "poison\n" is no actor name.
    [GeneratedRegex("^[a-z0-9-]{1,63}\\z")]
    private static partial Regex ValidName();

    /// <summary>Reads and parses a spec file; an unreadable file is one error with an empty path.</summary>
    public static SpecParseResult ParseFile(string path, SpecReadOptions? options = null)
    {
        options ??= SpecReadOptions.Default;
        // A device or pipe would never end (or never open); a huge file is refused before it is read.
        var (file, refused) = DataFiles.Check(path, allowedFolders: null, maxBytes: long.MaxValue);
        if (refused is not null)
            return Failure($"cannot read spec {refused}");
        if (file!.Length > options.Limits.MaxSpecBytes)
            return Failure(TooLarge(file.Length, options.Limits));
        string text;
        try
        {
            text = File.ReadAllText(file.RealPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : e.Message;
            return Failure($"cannot read spec {path}: {reason}");
        }
        return Parse(text, path, options);
    }

    static string TooLarge(long bytes, SpecLimits limits) =>
        $"the spec is {bytes} bytes, more than the {limits.MaxSpecBytes} a spec may have (the limit {LimitNames.MaxSpecBytes})";

    /// <param name="text">The spec, YAML or JSON.</param>
    /// <param name="specPath">Where the spec came from: relative data paths resolve against its folder (else the current one).</param>
    /// <param name="options">Caps and data folders (default: <see cref="SpecReadOptions.Default"/>); never taken from the spec.</param>
    public static SpecParseResult Parse(string text, string? specPath = null, SpecReadOptions? options = null)
    {
        options ??= SpecReadOptions.Default;
        var limits = options.Limits;
        if (text.Length > limits.MaxSpecBytes || Encoding.UTF8.GetByteCount(text) > limits.MaxSpecBytes)
            return Failure(TooLarge(Encoding.UTF8.GetByteCount(text), limits));
        if (!SpecTreeReader.TryRead(text, limits.MaxNestingDepth, out var root, out var syntaxError))
            return Failure(syntaxError!);
        if (root is null or SpecScalar { IsNull: true })
            return Failure("the spec is empty; it needs at least name and task");
        if (root is not SpecMap)
            return Failure($"the spec must be a mapping of keys ({string.Join(", ", TopLevelKeys)}), got {NodeReader.Describe(root)}");

        var reader = new NodeReader(limits);
        var entries = reader.Map(root, "", "a mapping", TopLevelKeys,
            key => $"unknown key '{key}'; allowed: {string.Join(", ", TopLevelKeys)}")!;

        var name = ReadName(reader, entries);
        var task = ReadTask(reader, entries, specPath, options, out var arrayData);
        var strategyRead = ReadOptional(entries, "strategy", SearchStrategy.Grid, out var strategy,
            (SpecNode n, string p, out SearchStrategy v) => reader.TryName(n, p, "strategy", Names.AllStrategies, Names.TryParseStrategy, out v));
        ReadOptional(entries, "objective", Objective.Accuracy, out var objective,
            (SpecNode n, string p, out Objective v) => reader.TryName(n, p, "objective", Names.AllObjectives, Names.TryParseObjective, out v));
        ReadOptional(entries, "max_trials", null, out int? maxTrials,
            (SpecNode n, string p, out int? v) => { var ok = reader.TryInt(n, p, NumberRule.PositiveInteger, out var i); v = ok ? i : null; return ok; });
        ReadOptional(entries, "truncate", false, out var truncate, reader.TryBool);
        ReadOptional(entries, "seed", 0L, out var seed,
            (SpecNode n, string p, out long v) => reader.TryLong(n, p, NumberRule.AnyInteger, out v));
        var scheduler = ReadScheduler(reader, entries, strategyRead ? strategy : null);
        var asha = ReadAsha(reader, entries, scheduler, strategy);
        var nStartupTrials = ReadStartupTrials(reader, entries, strategyRead ? strategy : null);
        ReadOptional(entries, "checkpoint_every", SweepSpec.DefaultCheckpointEvery, out var checkpointEvery,
            (SpecNode n, string p, out int v) => reader.TryInt(n, p, NumberRule.PositiveInteger, out v));
        ReadOptional(entries, "eval_every", SweepSpec.DefaultEvalEvery, out var evalEvery,
            (SpecNode n, string p, out int v) => reader.TryInt(n, p, NumberRule.PositiveInteger, out v));
        ReadOptional(entries, "retries", SweepSpec.DefaultRetries, out var retries,
            (SpecNode n, string p, out int v) => reader.TryInt(n, p, NumberRule.Capped(0, limits.MaxRetries, LimitNames.MaxRetries), out v));
        var repeatsRead = ReadOptional(entries, "repeats", SweepSpec.DefaultRepeats, out var repeats,
            (SpecNode n, string p, out int v) => reader.TryInt(n, p, NumberRule.Between(1, MaxRepeats), out v));
        if (repeatsRead && repeats > 1 && scheduler == SchedulerKind.Asha)
            reader.Error("repeats", "repeats with scheduler asha is not supported yet (ASHA would judge each repeat alone); remove repeats or use scheduler fifo");
        ReadOptional(entries, "keep_models", SweepSpec.DefaultKeepModels, out var keepModels,
            (SpecNode n, string p, out int v) => reader.TryInt(n, p, NumberRule.AtLeast(0, "a non-negative integer"), out v));
        // An unreadable strategy allows ranges, so its one error does not bring a second one per range.
        var space = new SpaceReader(reader, rangesAllowed: !strategyRead || strategy != SearchStrategy.Grid)
            .Read(entries.GetValueOrDefault("space"));
        if (scheduler == SchedulerKind.Asha)
            space = ResourceFromAsha(reader, entries, space, asha);
        if (strategyRead)
            CheckTrialBudget(reader, entries, strategy, maxTrials, truncate, space);
        if (space is not null && task is not null)
            CheckTrialMemory(reader, space, TrialMemory.DimensionsOf(task, arrayData));

        if (repeats > 1 && strategyRead && space is not null)
            CheckRepeatedPlan(reader, repeats, PlanSize.Trials(strategy, space, maxTrials, truncate));
        if (reader.Errors.Count > 0)
            return new SpecParseResult(null, reader.Errors);
        var spec = new SweepSpec(name!, task!, strategy, maxTrials, truncate, seed, objective, space!)
        {
            Scheduler = scheduler!.Value, Asha = asha, NStartupTrials = nStartupTrials, CheckpointEvery = checkpointEvery,
            Retries = retries, KeepModels = keepModels, Repeats = repeats,
            EvalEvery = evalEvery,
        };
        return new SpecParseResult(spec, []);
    }

    /// <summary>
    /// The scheduler: <c>scheduler:</c> if given, asha for strategy asha (its shorthand), else fifo. Null when it cannot
    /// be known (an error was recorded, or the strategy is unreadable and no scheduler given).
    /// </summary>
    static SchedulerKind? ReadScheduler(NodeReader reader, IReadOnlyDictionary<string, SpecNode> entries, SearchStrategy? strategy)
    {
        var given = entries.TryGetValue("scheduler", out var node) && node is not SpecScalar { IsNull: true };
        if (!given)
            return strategy switch
            {
                null => null,
                SearchStrategy.Asha => SchedulerKind.Asha,
                _ => SchedulerKind.Fifo,
            };
        if (!reader.TryName(node!, "scheduler", "scheduler", Names.AllSchedulers, Names.TryParseScheduler, out SchedulerKind scheduler))
            return null;
        if (strategy == SearchStrategy.Asha && scheduler != SchedulerKind.Asha)
        {
            reader.Error("scheduler",
                $"strategy: asha is random sampling with scheduler: asha, so scheduler: {scheduler.ToName()} contradicts it; " +
                "use strategy: random for no early stopping, or leave scheduler out");
            return null;
        }
        return scheduler;
    }

    /// <summary>The <c>asha:</c> block, required with the asha scheduler and refused without it.</summary>
    static AshaSettings? ReadAsha(NodeReader reader, IReadOnlyDictionary<string, SpecNode> entries, SchedulerKind? scheduler,
        SearchStrategy strategy)
    {
        var given = entries.TryGetValue(AshaReader.Path, out var node) && node is not SpecScalar { IsNull: true };
        if (scheduler == SchedulerKind.Asha && !given)
        {
            var source = strategy == SearchStrategy.Asha ? "strategy: asha" : "scheduler: asha";
            reader.Error(AshaReader.Path,
                $"required for {source}; give at least max_epochs, e.g. asha: {{min_epochs: 5, max_epochs: 243, reduction_factor: 3}}");
            return null;
        }
        if (scheduler == SchedulerKind.Fifo && given)
        {
            reader.Error(AshaReader.Path, "applies to scheduler: asha only; add scheduler: asha (or use strategy: asha), or remove it");
            return null;
        }
        // With an unreadable scheduler the block is still checked, so its own errors show in the same pass.
        return given ? AshaReader.Read(reader, node!) : null;
    }

    static int ReadStartupTrials(NodeReader reader, IReadOnlyDictionary<string, SpecNode> entries, SearchStrategy? strategy)
    {
        var rule = NumberRule.Capped(1, reader.Limits.MaxPlannedTrials, LimitNames.MaxPlannedTrials);
        if (!ReadOptional(entries, "n_startup_trials", TpeSampler.DefaultStartupTrials, out var count,
                (SpecNode n, string p, out int v) => reader.TryInt(n, p, rule, out v)))
            return count;
        var given = entries.TryGetValue("n_startup_trials", out var node) && node is not SpecScalar { IsNull: true };
        if (given && strategy is { } s && s != SearchStrategy.Tpe)
            reader.Error("n_startup_trials", $"applies to strategy: tpe only, not {s.ToName()}; remove it");
        return count;
    }

    /// <summary>
    /// Under ASHA the epochs are the scheduler's resource, not a hyperparameter: every trial is configured for
    /// asha.max_epochs and the rungs decide how many it runs. A space that searches epochs too would contradict that.
    /// </summary>
    static SearchSpace? ResourceFromAsha(NodeReader reader, IReadOnlyDictionary<string, SpecNode> entries, SearchSpace? space,
        AshaSettings? asha)
    {
        if (entries.GetValueOrDefault("space") is SpecMap map && map.Entries.Any(e => e.Key.Value == SpaceKeys.Epochs))
        {
            reader.Error(NodeReader.Join("space", SpaceKeys.Epochs),
                "not a hyperparameter with the asha scheduler: the epochs are its resource; remove space.epochs and set " +
                "asha.max_epochs, the epochs a trial trains unless a rung stops it");
            return null;
        }
        return space is not null && asha is not null ? space.With(Hyperparameters.Epochs, ParameterDomain<int>.Of(asha.MaxEpochs)) : space;
    }

    static SpecParseResult Failure(string message) => new(null, [new SpecError("", message)]);

    /// <summary>
    /// Reads an optional top-level key: its default when left out or empty. False when the value is invalid (the error
    /// is recorded, and the parse will fail, so the value left in <paramref name="value"/> is never used).
    /// </summary>
    static bool ReadOptional<T>(IReadOnlyDictionary<string, SpecNode> entries, string key, T fallback, out T value, ValueReader<T> read)
    {
        value = fallback;
        if (!entries.TryGetValue(key, out var node) || node is SpecScalar { IsNull: true }) return true;
        return read(node, key, out value);
    }

    static string? ReadName(NodeReader reader, IReadOnlyDictionary<string, SpecNode> entries)
    {
        if (!entries.TryGetValue("name", out var node) || node is SpecScalar { IsNull: true })
        {
            reader.Error("name", $"missing; name the sweep with {NameRule}");
            return null;
        }
        if (!reader.TryString(node, "name", $"a name of {NameRule}", out var name)) return null;
        if (ValidName().IsMatch(name)) return name;
        reader.Error("name", $"invalid name '{name}'; use {NameRule}");
        return null;
    }

    static TaskSpec? ReadTask(NodeReader reader, IReadOnlyDictionary<string, SpecNode> entries, string? specPath,
        SpecReadOptions options, out ArrayDataset? arrayData)
    {
        arrayData = null;
        if (!entries.TryGetValue("task", out var node) || node is SpecScalar { IsNull: true })
        {
            reader.Error("task", $"missing; allowed: {string.Join(", ", Names.AllTasks)}");
            return null;
        }
        if (!reader.TryName<TaskKind>(node, "task", "task", Names.AllTasks, Names.TryParseTask, out var kind)) return null;
        var taskOptions = TaskOptionsReader.Read(reader, entries.GetValueOrDefault("task_options"), kind, specPath, options, out arrayData);
        return taskOptions is null ? null : new TaskSpec(kind, taskOptions);
    }

    /// <summary>Configurations × repeats within the planned-trials cap (a plan already over it has its own error).</summary>
    static void CheckRepeatedPlan(NodeReader reader, int repeats, long configurations)
    {
        var cap = reader.Limits.MaxPlannedTrials;
        if (configurations > cap || configurations * repeats <= cap) return;
        reader.Error("repeats",
            $"{repeats} repeats of {configurations} configurations are {configurations * repeats} trials, more than the {cap} a sweep " +
            $"may plan (the limit {LimitNames.MaxPlannedTrials}); lower repeats or the number of configurations");
    }

    static void CheckTrialBudget(NodeReader reader, IReadOnlyDictionary<string, SpecNode> entries,
        SearchStrategy strategy, int? maxTrials, bool truncate, SearchSpace? space)
    {
        var maxTrialsGiven = entries.TryGetValue("max_trials", out var node) && node is not SpecScalar { IsNull: true };
        if (strategy != SearchStrategy.Grid)
        {
            if (!maxTrialsGiven)
                reader.Error("max_trials",
                    $"required for strategy: {strategy.ToName()}; say how many trials to sample, e.g. max_trials: 20");
            else if (maxTrials > reader.Limits.MaxPlannedTrials)
                reader.Error("max_trials",
                    $"{maxTrials} trials, more than the {reader.Limits.MaxPlannedTrials} a sweep may plan (the limit {LimitNames.MaxPlannedTrials})");
            if (truncate)
                reader.Error("truncate", "applies to strategy: grid only; remove it");
            return;
        }
        if (truncate && !maxTrialsGiven)
            reader.Error("truncate", "truncate: true needs max_trials, the number of grid points to run");
        if (space is null) return;
        var size = GridSampler.GridSize(space);
        if (maxTrials is { } max && !truncate && size > max)
        {
            reader.Error("max_trials",
                $"the grid has {size} points but max_trials is {max}; raise max_trials to {size}, " +
                $"or set truncate: true to run only the first {max}");
            return;
        }
        var cap = reader.Limits.MaxPlannedTrials;
        if (truncate && maxTrials is { } first && first > cap)
            reader.Error("max_trials", $"{first} trials, more than the {cap} a sweep may plan (the limit {LimitNames.MaxPlannedTrials})");
        else if (!truncate && size > cap)
            reader.Error("space",
                $"the grid has {(size == long.MaxValue ? "more than 9.2e18" : size.ToString(System.Globalization.CultureInfo.InvariantCulture))} " +
                $"points, more than the {cap} trials a sweep may plan (the limit {LimitNames.MaxPlannedTrials}); " +
                "list fewer values, or run the first points only with truncate: true and max_trials");
    }

    /// <summary>The largest trial the space allows must fit the memory a trial may use (an estimate, before any training).</summary>
    static void CheckTrialMemory(NodeReader reader, SearchSpace space, TrialMemory.TaskDimensions task)
    {
        var bytes = TrialMemory.EstimateBytes(space, task);
        var cap = reader.Limits.MaxTrialMemoryBytes;
        if (bytes > cap)
            reader.Error("space",
                $"the largest trial of this space (its largest units, layers and batch_size, {task.Timesteps} timesteps) needs about " +
                $"{TrialMemory.Format(bytes)}, more than the {TrialMemory.Format(cap)} a trial may use (the limit " +
                $"{LimitNames.MaxTrialMemoryBytes}); use smaller units, layers or batch_size");
    }
}
