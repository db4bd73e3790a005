using System.Diagnostics.CodeAnalysis;

namespace LstmSweep.Core.Trials;

/// <summary>
/// The snake_case / kebab-case names users write and scripts read (spec values, JSON fields): one table for each enum,
/// so parsing and printing can never disagree.
/// </summary>
public static class Names
{
    static readonly (MergeMode Value, string Name)[] MergeModes =
        { (MergeMode.None, "none"), (MergeMode.Concat, "concat"), (MergeMode.Sum, "sum"), (MergeMode.Mul, "mul"), (MergeMode.Ave, "ave") };

    static readonly (OptimizerKind Value, string Name)[] Optimizers =
        { (OptimizerKind.Adam, "adam"), (OptimizerKind.RmsProp, "rmsprop"), (OptimizerKind.Sgd, "sgd") };

    static readonly (WeightInit Value, string Name)[] Inits = { (WeightInit.Keras, "keras"), (WeightInit.Torch, "torch") };

    static readonly (OutputActivation Value, string Name)[] Heads =
        { (OutputActivation.Auto, "auto"), (OutputActivation.Softmax, "softmax"), (OutputActivation.Sigmoid, "sigmoid") };

    internal static IReadOnlyList<(MergeMode Value, string Name)> MergeModeTable => MergeModes;
    internal static IReadOnlyList<(OutputActivation Value, string Name)> HeadTable => Heads;
    internal static IReadOnlyList<(OptimizerKind Value, string Name)> OptimizerTable => Optimizers;
    internal static IReadOnlyList<(WeightInit Value, string Name)> InitTable => Inits;

    static readonly (TaskKind Value, string Name)[] Tasks =
    {
        (TaskKind.Cumsum, "cumsum"), (TaskKind.EchoSecond, "echo-second"), (TaskKind.StatefulCounter, "stateful-counter"),
        (TaskKind.Array, "array"), (TaskKind.VariableLength, "variable-length"),
    };

    static readonly (TrialStatus Value, string Name)[] TrialStatuses =
    {
        (TrialStatus.Waiting, "waiting"), (TrialStatus.Running, "running"), (TrialStatus.Complete, "complete"),
        (TrialStatus.Failed, "failed"), (TrialStatus.Cancelled, "cancelled"), (TrialStatus.Pruned, "pruned"),
        (TrialStatus.Paused, "paused"),
    };

    static readonly (FailureKind Value, string Name)[] FailureKinds =
        { (FailureKind.Error, "error"), (FailureKind.NonFiniteLoss, "non_finite_loss"), (FailureKind.WorkerLost, "worker_lost") };

    static readonly (RequeueReason Value, string Name)[] RequeueReasons =
    {
        (RequeueReason.WorkerLost, "worker_lost"), (RequeueReason.FailedRetry, "failed_retry"),
        (RequeueReason.Interrupted, "interrupted"), (RequeueReason.Returned, "returned"),
    };

    static readonly (SweepStatus Value, string Name)[] SweepStatuses =
    {
        (SweepStatus.Running, "running"), (SweepStatus.Completed, "completed"), (SweepStatus.Failed, "failed"),
        (SweepStatus.Cancelled, "cancelled"),
    };

    static readonly (SearchStrategy Value, string Name)[] Strategies =
        { (SearchStrategy.Grid, "grid"), (SearchStrategy.Random, "random"), (SearchStrategy.Tpe, "tpe"), (SearchStrategy.Asha, "asha") };

    static readonly (SchedulerKind Value, string Name)[] Schedulers =
        { (SchedulerKind.Fifo, "fifo"), (SchedulerKind.Asha, "asha") };

    static readonly (Objective Value, string Name)[] Objectives =
        { (Objective.Accuracy, "accuracy"), (Objective.Loss, "loss") };

    public static IEnumerable<string> AllMergeModes => MergeModes.Select(m => m.Name);
    public static IEnumerable<string> AllTasks => Tasks.Select(t => t.Name);
    public static IEnumerable<string> AllStrategies => Strategies.Select(s => s.Name);
    public static IEnumerable<string> AllObjectives => Objectives.Select(o => o.Name);
    public static IEnumerable<string> AllSchedulers => Schedulers.Select(s => s.Name);

    public static string ToName(this MergeMode value) => MergeModes.First(m => m.Value == value).Name;
    public static string ToName(this OptimizerKind value) => Optimizers.First(o => o.Value == value).Name;
    public static string ToName(this OutputActivation value) => Heads.First(h => h.Value == value).Name;
    public static string ToName(this WeightInit value) => Inits.First(i => i.Value == value).Name;
    public static string ToName(this TaskKind value) => Tasks.First(t => t.Value == value).Name;
    public static string ToName(this TrialStatus value) => TrialStatuses.First(t => t.Value == value).Name;
    public static string ToName(this SweepStatus value) => SweepStatuses.First(t => t.Value == value).Name;
    public static string ToName(this SearchStrategy value) => Strategies.First(s => s.Value == value).Name;
    public static string ToName(this Objective value) => Objectives.First(o => o.Value == value).Name;
    public static string ToName(this FailureKind value) => FailureKinds.First(f => f.Value == value).Name;
    public static string ToName(this RequeueReason value) => RequeueReasons.First(r => r.Value == value).Name;
    public static string ToName(this SchedulerKind value) => Schedulers.First(s => s.Value == value).Name;

    public static bool TryParseMergeMode(string? name, out MergeMode value) => TryParse(MergeModes, name, out value);
    public static bool TryParseTask(string? name, [NotNullWhen(true)] out TaskKind value) => TryParse(Tasks, name, out value);
    public static bool TryParseTrialStatus(string? name, out TrialStatus value) => TryParse(TrialStatuses, name, out value);
    public static bool TryParseSweepStatus(string? name, out SweepStatus value) => TryParse(SweepStatuses, name, out value);
    public static bool TryParseStrategy(string? name, out SearchStrategy value) => TryParse(Strategies, name, out value);
    public static bool TryParseObjective(string? name, out Objective value) => TryParse(Objectives, name, out value);
    public static bool TryParseFailureKind(string? name, out FailureKind value) => TryParse(FailureKinds, name, out value);
    public static bool TryParseRequeueReason(string? name, out RequeueReason value) => TryParse(RequeueReasons, name, out value);
    public static bool TryParseScheduler(string? name, out SchedulerKind value) => TryParse(Schedulers, name, out value);

    static bool TryParse<T>((T Value, string Name)[] table, string? name, out T value) where T : struct
    {
        foreach (var (v, n) in table)
            if (string.Equals(n, name, StringComparison.Ordinal)) { value = v; return true; }
        value = default;
        return false;
    }
}
