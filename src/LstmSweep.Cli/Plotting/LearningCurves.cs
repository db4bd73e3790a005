using System.Globalization;
using LstmSweep.Core.Search;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cli.Plotting;

/// <summary>One point of a trial's learning curve: the evaluation-set metrics after an epoch.</summary>
public sealed record CurvePoint(int Epoch, double Loss, double Accuracy);

/// <summary>A trial and the curve of the attempt that counts.</summary>
public sealed record TrialCurve(TrialState Trial, IReadOnlyList<CurvePoint> Points)
{
    public bool IsPruned => Trial.Status.ToName() == "pruned";
    public bool IsFailedOrCancelled => Trial.Status is TrialStatus.Failed or TrialStatus.Cancelled;
}

/// <summary>One line of a comparison by a parameter: the mean loss per epoch of the trials with that value.</summary>
public sealed record GroupCurve(string Value, int Trials, IReadOnlyList<(int Epoch, double MeanLoss)> Points);

/// <summary>
/// Learning curves from a sweep's journal. The folded <see cref="SweepState"/> keeps only each trial's last epoch, so
/// the curves come from the events themselves: a trial's curve is the <see cref="EpochReported"/> events of its last
/// started attempt (epochs of an attempt that was lost and requeued are not the run that counted). Points are keyed
/// by epoch and the last report of an epoch wins, so an attempt that goes on from a checkpoint at a later epoch, or
/// reports an epoch again, still draws one point per epoch.
/// </summary>
public static class LearningCurves
{
    public static IReadOnlyList<TrialCurve> From(SweepState state, IEnumerable<ISweepEvent> events)
    {
        var lastStarted = new Dictionary<int, int>();
        var points = new Dictionary<(int Trial, int Attempt), SortedDictionary<int, CurvePoint>>();
        foreach (var e in events)
        {
            switch (e)
            {
                case TrialStarted s:
                    lastStarted[s.TrialId] = s.Attempt;
                    break;
                case EpochReported r:
                    if (!points.TryGetValue((r.TrialId, r.Attempt), out var curve))
                        points[(r.TrialId, r.Attempt)] = curve = new SortedDictionary<int, CurvePoint>();
                    curve[r.Epoch] = new CurvePoint(r.Epoch, r.Loss, r.Accuracy);
                    break;
            }
        }
        var curves = new List<TrialCurve>();
        foreach (var trial in state.Trials.Values)
        {
            if (!lastStarted.TryGetValue(trial.TrialId, out var attempt)) continue;
            if (!points.TryGetValue((trial.TrialId, attempt), out var curve) || curve.Count == 0) continue;
            curves.Add(new TrialCurve(trial, curve.Values.ToList()));
        }
        return curves;
    }

    /// <summary>
    /// The mean loss per epoch for each value of <paramref name="parameter"/> (a key of <see cref="SpaceKeys.All"/>),
    /// over the trials with that value that reported the epoch; failed trials and non-finite losses are left out.
    /// Values in their natural order (merge modes as the spec lists them, numbers ascending, false before true).
    /// </summary>
    public static IReadOnlyList<GroupCurve> MeanLossBy(IReadOnlyList<TrialCurve> curves, string parameter)
    {
        var key = KeyOf(parameter);
        return curves
            .Where(c => c.Trial.Status != TrialStatus.Failed)
            .GroupBy(c => key(c.Trial.Config))
            .OrderBy(g => g.Key.Order)
            .Select(g => new GroupCurve(g.Key.Label, g.Count(), g
                .SelectMany(c => c.Points)
                .Where(p => double.IsFinite(p.Loss))
                .GroupBy(p => p.Epoch)
                .OrderBy(e => e.Key)
                .Select(e => (e.Key, e.Average(p => p.Loss)))
                .ToList()))
            .ToList();
    }

    /// <summary>A parameter's value in a config: how it sorts, and how it is written (the hyperparameter table's short form).</summary>
    static Func<TrialConfig, (double Order, string Label)> KeyOf(string parameter)
    {
        var row = Hyperparameters.Find(parameter)
            ?? throw new ArgumentException($"unknown parameter '{parameter}'; allowed: {string.Join(", ", SpaceKeys.All)}", nameof(parameter));
        return c => (row.ToNumber(row.ValueOf(c)), row.FormatShort(row.ValueOf(c)));
    }

    static string Integer(int value) => value.ToString(CultureInfo.InvariantCulture);
}
