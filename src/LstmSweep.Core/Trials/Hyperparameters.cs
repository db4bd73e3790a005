using System.Globalization;

namespace LstmSweep.Core.Trials;

/// <summary>What values a hyperparameter takes, which decides how it is read, sampled and modelled by TPE.</summary>
public enum HyperparameterKind
{
    /// <summary>An integer with a minimum and (from <see cref="SpecLimits"/>) a cap; a list or a range.</summary>
    Integer,
    /// <summary>A real number; a list or a range (log: true allowed).</summary>
    Real,
    /// <summary>true or false; a list only.</summary>
    Boolean,
    /// <summary>One of a few names (<see cref="Hyperparameter.ChoiceNames"/>); a list only.</summary>
    Choice,
}

/// <summary>
/// One row of the hyperparameter table (<see cref="Hyperparameters"/>): its spec key, kind, default, rule and
/// formatting, and where it lives in a <see cref="TrialConfig"/>. Samplers, the spec reader, describe strings,
/// checkpoint identity and telemetry iterate the rows and never name a parameter, as Optuna's samplers iterate
/// distributions.
/// </summary>
/// <remarks>Values pass through the untyped members as boxed int, double, bool or the row's enum.</remarks>
public abstract class Hyperparameter
{
    private protected Hyperparameter(string key, HyperparameterKind kind, string summary)
    {
        Key = key;
        Kind = kind;
        Summary = summary;
    }

    /// <summary>The spec key under <c>space</c> (snake_case), also the CSV column and the describe-string name.</summary>
    public string Key { get; }

    public HyperparameterKind Kind { get; }

    /// <summary>One line for help texts and docs.</summary>
    public string Summary { get; }

    /// <summary>Whether the spec may give a range {min, max, log} (random and TPE only).</summary>
    public bool IsNumeric => Kind is HyperparameterKind.Integer or HyperparameterKind.Real;

    /// <summary>The smallest value of an integer row.</summary>
    public int? Minimum { get; init; }

    /// <summary>The names a <see cref="HyperparameterKind.Choice"/> accepts, in table order; empty otherwise.</summary>
    public abstract IReadOnlyList<string> ChoiceNames { get; }

    public abstract object ValueOf(TrialConfig config);

    public abstract TrialConfig With(TrialConfig config, object value);

    /// <summary>
    /// The value a spec that leaves the key out gets, given the rest of the config (learning_rate: the optimizer's
    /// default). Rows are resolved in table order after every given key is drawn, so a default may depend on any row.
    /// </summary>
    public abstract object DefaultFor(TrialConfig config);

    /// <summary>Canonical text: round-trips through <see cref="TryParse"/> (CSV, checkpoint identity, JSON names).</summary>
    public abstract string Format(object value);

    /// <summary>Short text for people (4 significant digits for reals): describe strings, tables, plot legends.</summary>
    public virtual string FormatShort(object value) => Format(value);

    public abstract bool TryParse(string text, out object value);

    /// <summary>Why a value breaks the row's rule (including the caps in <paramref name="limits"/>), or null if it is fine.</summary>
    public abstract string? Problem(object value, SpecLimits limits);

    /// <summary>What the rule expects, for errors: "an integer from 1 to 4096 (limit max_units)".</summary>
    public abstract string Expected(SpecLimits limits);

    /// <summary>A number for sampling and plots: the value itself for numeric rows, the index for choices and booleans.</summary>
    public abstract double ToNumber(object value);

    /// <summary>The value of an integer or real row for a sampled number (an integer row truncates towards zero).</summary>
    public abstract object FromNumber(double number);

    /// <summary>A list domain of this row's type.</summary>
    public abstract Search.IParameterDomain ListOf(IEnumerable<object> values);

    /// <summary>A range domain of this row's type (numeric rows).</summary>
    public abstract Search.IParameterDomain RangeOf(object min, object max, bool log);

    public override string ToString() => Key;
}

/// <summary>A row of the table with its value type.</summary>
public sealed class Hyperparameter<T> : Hyperparameter where T : notnull
{
    private readonly Func<TrialConfig, T> get;
    private readonly Func<TrialConfig, T, TrialConfig> set;
    private readonly Func<TrialConfig, T> defaultFor;
    private readonly Func<T, string> format;
    private readonly Func<T, string> formatShort;
    private readonly TryParser parse;
    private readonly Func<T, SpecLimits, string?> problem;
    private readonly Func<SpecLimits, string> expected;
    private readonly IReadOnlyList<(T Value, string Name)> choices;

    public delegate bool TryParser(string text, out T value);

    internal Hyperparameter(string key, HyperparameterKind kind, string summary,
        Func<TrialConfig, T> get, Func<TrialConfig, T, TrialConfig> set, Func<TrialConfig, T> defaultFor,
        Func<T, string> format, TryParser parse, Func<T, SpecLimits, string?> problem, Func<SpecLimits, string> expected,
        Func<T, string>? formatShort = null, IReadOnlyList<(T Value, string Name)>? choices = null)
        : base(key, kind, summary)
    {
        (this.get, this.set, this.defaultFor, this.format, this.parse) = (get, set, defaultFor, format, parse);
        (this.problem, this.expected) = (problem, expected);
        this.formatShort = formatShort ?? format;
        this.choices = choices ?? [];
    }

    public override IReadOnlyList<string> ChoiceNames => choices.Select(c => c.Name).ToList();

    /// <summary>The typed value in <paramref name="config"/>.</summary>
    public T Get(TrialConfig config) => get(config);

    public TrialConfig Set(TrialConfig config, T value) => set(config, value);

    public T Default(TrialConfig config) => defaultFor(config);

    public string FormatValue(T value) => format(value);

    public string? ProblemOf(T value, SpecLimits limits) => problem(value, limits);

    public bool TryParseValue(string text, out T value) => parse(text, out value);

    public override object ValueOf(TrialConfig config) => get(config);

    public override TrialConfig With(TrialConfig config, object value) => set(config, (T)value);

    public override object DefaultFor(TrialConfig config) => defaultFor(config);

    public override string Format(object value) => format((T)value);

    public override string FormatShort(object value) => formatShort((T)value);

    public override bool TryParse(string text, out object value)
    {
        var ok = parse(text, out var typed);
        value = typed;
        return ok;
    }

    public override string? Problem(object value, SpecLimits limits) => problem((T)value, limits);

    public override string Expected(SpecLimits limits) => expected(limits);

    public override double ToNumber(object value) => value switch
    {
        int i => i,
        double d => d,
        bool b => b ? 1 : 0,
        _ => Enumerable.Range(0, choices.Count).FirstOrDefault(i => EqualityComparer<T>.Default.Equals(choices[i].Value, (T)value)),
    };

    public override Search.IParameterDomain ListOf(IEnumerable<object> values) =>
        Search.ParameterDomain<T>.Of(values.Cast<T>().ToArray());

    public override Search.IParameterDomain RangeOf(object min, object max, bool log) => IsNumeric
        ? Search.ParameterDomain<T>.Range((T)min, (T)max, log)
        : throw new InvalidOperationException($"{Key} is not numeric: it has no range");

    public override object FromNumber(double number) => Kind switch
    {
        HyperparameterKind.Integer => (int)number,
        HyperparameterKind.Real => number,
        _ => throw new InvalidOperationException($"{Key} is not numeric"),
    };
}

/// <summary>
/// The hyperparameter table: every key a sweep can search, in grid order (the last row varies fastest) and in the
/// order the samplers draw. Adding a hyperparameter is one row here plus its <see cref="TrialConfig"/> field (a new
/// field gets a default value that keeps older journals' meaning).
/// </summary>
/// <remarks>
/// Another module iterates <see cref="All"/>: <c>row.Key</c>, <c>row.Format(row.ValueOf(config))</c>; to rebuild a
/// config from key → text use <see cref="FromText"/>, the other way <see cref="ToText"/>.
/// </remarks>
public static class Hyperparameters
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static readonly Hyperparameter<int> Units = Integer("units", "LSTM units per direction of each layer",
        c => c.Units, (c, v) => c with { Units = v }, 20, 1, l => l.MaxUnits, "max_units");

    public static readonly Hyperparameter<MergeMode> MergeMode = Choice("merge_mode",
        "none: an LSTM; otherwise a Bidirectional LSTM merging its directions this way",
        c => c.MergeMode, (c, v) => c with { MergeMode = v }, Trials.MergeMode.None, Names.MergeModeTable);

    public static readonly Hyperparameter<bool> Stateful = new("stateful", HyperparameterKind.Boolean,
        "carry each row's state from one batch to the next (Keras stateful=True)",
        c => c.Stateful, (c, v) => c with { Stateful = v }, _ => false, b => b ? "true" : "false",
        (string t, out bool v) => bool.TryParse(t, out v), (_, _) => null, _ => "true or false");

    public static readonly Hyperparameter<int> Epochs = Integer("epochs", "passes over the training set",
        c => c.Epochs, (c, v) => c with { Epochs = v }, 50, 1, l => l.MaxEpochs, "max_epochs");

    /// <summary>Left out of a spec: the chosen optimizer's Keras default (<see cref="OptimizerDefaults"/>).</summary>
    public static readonly Hyperparameter<double> LearningRate = new("learning_rate", HyperparameterKind.Real,
        "the optimizer's step size; left out, the Keras default of the chosen optimizer",
        c => c.LearningRate, (c, v) => c with { LearningRate = v }, c => OptimizerDefaults.LearningRate(c.Optimizer),
        v => v.ToString("R", Invariant),
        (string t, out double v) => double.TryParse(t, NumberStyles.Float, Invariant, out v) && double.IsFinite(v),
        (v, _) => v is > 0 and <= 10 ? null : $"{v.ToString("R", Invariant)} is not in (0, 10]",
        _ => "a number in (0, 10]", v => v.ToString("G4", Invariant));

    public static readonly Hyperparameter<int> BatchSize = Integer("batch_size", "rows per training step",
        c => c.BatchSize, (c, v) => c with { BatchSize = v }, 1, 1, l => l.MaxBatchSize, "max_batch_size");

    public static readonly Hyperparameter<int> Layers = Integer("layers", "stacked LSTM layers",
        c => c.Layers, (c, v) => c with { Layers = v }, 1, 1, l => l.MaxLayers, "max_layers");

    public static readonly Hyperparameter<OptimizerKind> Optimizer = Choice("optimizer",
        "adam, rmsprop or sgd, with Keras's default constants",
        c => c.Optimizer, (c, v) => c with { Optimizer = v }, OptimizerKind.Adam, Names.OptimizerTable);

    public static readonly Hyperparameter<int> DenseUnits = Integer("dense_units",
        "a hidden Dense(relu) layer of this width before the output; 0: none",
        c => c.DenseUnits, (c, v) => c with { DenseUnits = v }, 0, 0, l => l.MaxUnits, "max_units");

    public static readonly Hyperparameter<WeightInit> Init = Choice("init",
        "keras: glorot-uniform kernels, orthogonal recurrent kernels, unit forget bias; torch: PyTorch's uniform",
        c => c.Init, (c, v) => c with { Init = v }, WeightInit.Keras, Names.InitTable);

    public static readonly Hyperparameter<OutputActivation> Head = Choice("head",
        "auto: the task's own; softmax; sigmoid (two-class tasks: one sigmoid output, binary cross-entropy)",
        c => c.Head, (c, v) => c with { Head = v }, OutputActivation.Auto, Names.HeadTable);

    /// <summary>Every row, in grid and draw order. The first seven are the original keys, in their original order.</summary>
    public static IReadOnlyList<Hyperparameter> All { get; } =
        [Units, MergeMode, Stateful, Epochs, LearningRate, BatchSize, Layers, Optimizer, DenseUnits, Init, Head];

    public static Hyperparameter? Find(string key) => All.FirstOrDefault(p => p.Key == key);

    public static IReadOnlyList<string> Keys { get; } = All.Select(p => p.Key).ToList();

    /// <summary>Every row at its default (a spec with an empty space).</summary>
    public static TrialConfig Defaults { get; } = ResolveDefaults(TrialConfig.Legacy, All);

    /// <summary>Sets <paramref name="rows"/> to their defaults, in table order, given the rest of the config.</summary>
    public static TrialConfig ResolveDefaults(TrialConfig config, IEnumerable<Hyperparameter> rows)
    {
        var set = rows.ToHashSet();
        foreach (var row in All.Where(set.Contains))
            config = row.With(config, row.DefaultFor(config));
        return config;
    }

    /// <summary>key=value for every row, canonical text, table order (the checkpoint identity's config part).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ToText(TrialConfig config) =>
        All.Select(p => KeyValuePair.Create(p.Key, p.Format(p.ValueOf(config)))).ToList();

    /// <summary>
    /// A config from key → canonical text (the inverse of <see cref="ToText"/>); a key left out keeps
    /// <paramref name="baseline"/>'s value (default: <see cref="TrialConfig.Legacy"/>, what an older journal meant).
    /// </summary>
    /// <exception cref="FormatException">An unknown key or a value the row cannot read.</exception>
    public static TrialConfig FromText(IEnumerable<KeyValuePair<string, string>> values, TrialConfig? baseline = null)
    {
        var config = baseline ?? TrialConfig.Legacy;
        foreach (var (key, text) in values)
        {
            var row = Find(key) ?? throw new FormatException($"unknown hyperparameter '{key}'; known: {string.Join(", ", Keys)}");
            if (!row.TryParse(text, out var value)) throw new FormatException($"{key}: cannot read '{text}'");
            config = row.With(config, value);
        }
        return config;
    }

    /// <summary>"units=20 merge_mode=none …" (short formatting): logs, telemetry's trial info, the leaderboard.</summary>
    public static string Describe(TrialConfig config) =>
        string.Join(' ', All.Select(p => $"{p.Key}={p.FormatShort(p.ValueOf(config))}"));

    private static Hyperparameter<int> Integer(string key, string summary, Func<TrialConfig, int> get,
        Func<TrialConfig, int, TrialConfig> set, int fallback, int min, Func<SpecLimits, int> max, string limitName) =>
        new(key, HyperparameterKind.Integer, summary, get, set, _ => fallback, v => v.ToString(Invariant),
            (string t, out int v) => int.TryParse(t, NumberStyles.AllowLeadingSign, Invariant, out v),
            (v, limits) => v < min ? $"{v} is below {min}"
                : v > max(limits) ? $"{v} is above the limit {max(limits)} ({limitName}); use at most {max(limits)}, or raise {limitName} where the sweep runs"
                : null,
            limits => $"an integer from {min} to {max(limits)}") { Minimum = min };

    private static Hyperparameter<T> Choice<T>(string key, string summary, Func<TrialConfig, T> get,
        Func<TrialConfig, T, TrialConfig> set, T fallback, IReadOnlyList<(T Value, string Name)> table) where T : struct =>
        new(key, HyperparameterKind.Choice, summary, get, set, _ => fallback,
            v => table.First(c => EqualityComparer<T>.Default.Equals(c.Value, v)).Name,
            (string t, out T v) =>
            {
                foreach (var (value, name) in table)
                    if (name == t) { v = value; return true; }
                v = default;
                return false;
            },
            (_, _) => null, _ => $"one of {string.Join(", ", table.Select(c => c.Name))}", choices: table);
}

/// <summary>Keras's default learning rate of each optimizer (tf.keras.optimizers.*, learning_rate=).</summary>
public static class OptimizerDefaults
{
    public static double LearningRate(OptimizerKind optimizer) => optimizer switch
    {
        OptimizerKind.Sgd => 0.01,
        _ => 0.001,
    };
}
