using System.Globalization;
using LstmSweep.Core.Analysis;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cli.Plotting;

/// <summary>One point of a trial's learning curve: the evaluation-set metrics and the training loss after an epoch.</summary>
public sealed record CurvePoint(int Epoch, double Loss, double Accuracy, double TrainLoss = double.NaN);

/// <summary>The per-epoch metric a figure draws (`plot --metric`).</summary>
public enum CurveMetric { EvalLoss, TrainLoss, Accuracy }

public static class CurveMetrics
{
    public static readonly IReadOnlyList<string> Names = ["eval_loss", "train_loss", "accuracy"];

    public static bool TryParse(string? name, out CurveMetric metric)
    {
        int index = Names.ToList().IndexOf(name ?? "");
        metric = (CurveMetric)Math.Max(0, index);
        return index >= 0;
    }

    public static Func<CurvePoint, double> ValueOf(CurveMetric metric) => metric switch
    {
        CurveMetric.TrainLoss => p => p.TrainLoss,
        CurveMetric.Accuracy => p => p.Accuracy,
        _ => p => p.Loss,
    };

    /// <summary>How a figure names the metric.</summary>
    public static string Describe(CurveMetric metric) => metric switch
    {
        CurveMetric.TrainLoss => "training loss",
        CurveMetric.Accuracy => "evaluation accuracy",
        _ => "evaluation loss",
    };
}

/// <summary>A trial and the curve of the attempt that counts.</summary>
public sealed record TrialCurve(TrialState Trial, IReadOnlyList<CurvePoint> Points)
{
    public bool IsPruned => Trial.Status.ToName() == "pruned";
    public bool IsFailedOrCancelled => Trial.Status is TrialStatus.Failed or TrialStatus.Cancelled;
}

/// <summary>One line of a comparison by a parameter: the mean of a metric per epoch over the trials with that value.</summary>
public sealed record GroupCurve(string Value, int Trials, IReadOnlyList<(int Epoch, double Mean)> Points);

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
                    curve[r.Epoch] = new CurvePoint(r.Epoch, r.Loss, r.Accuracy, r.TrainLoss);
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
    /// The mean of <paramref name="metric"/> per epoch for each value of <paramref name="parameter"/> (a key of
    /// <see cref="ParameterValues.Keys"/>), over the trials with that value that reported the epoch; failed trials and
    /// non-finite values are left out. Numbers ascending; categories in the order the trials first tried them (a
    /// grid's order is the spec's).
    /// </summary>
    public static IReadOnlyList<GroupCurve> MeanBy(IReadOnlyList<TrialCurve> curves, string parameter, CurveMetric metric = CurveMetric.EvalLoss)
    {
        if (!ParameterValues.Keys.Contains(parameter))
            throw new ArgumentException($"unknown parameter '{parameter}'; allowed: {string.Join(", ", ParameterValues.Keys)}", nameof(parameter));
        var value = CurveMetrics.ValueOf(metric);
        return curves
            .Where(c => c.Trial.Status != TrialStatus.Failed)
            .OrderBy(c => c.Trial.TrialId)
            .GroupBy(c => ParameterValues.Of(c.Trial.Config).Single(p => p.Key == parameter))
            .Select((g, firstSeen) => (Group: g, Order: g.Key.Number ?? firstSeen))
            .OrderBy(g => g.Order)
            .Select(x => new GroupCurve(x.Group.Key.Label, x.Group.Count(), x.Group
                .SelectMany(c => c.Points)
                .Where(p => double.IsFinite(value(p)))
                .GroupBy(p => p.Epoch)
                .OrderBy(e => e.Key)
                .Select(e => (e.Key, e.Average(value)))
                .ToList()))
            .ToList();
    }
}
