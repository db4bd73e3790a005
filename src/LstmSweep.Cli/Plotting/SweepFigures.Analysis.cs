using System.Globalization;
using LstmSweep.Core.Analysis;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using ScottPlot;

namespace LstmSweep.Cli.Plotting;

/// <summary>
/// The figures users of Optuna's dashboard look at first: optimisation history, parallel coordinates, importance and
/// slice plots. Parameters come from <see cref="ParameterValues.Of"/> only, so a new hyperparameter shows up in every
/// one of them without a change here.
/// </summary>
public static partial class SweepFigures
{
    static readonly Color PointColor = Color.FromHex("#1f77b4");

    /// <summary>The complete trials with a finite objective, in trial order: what history, parallel and slice draw.</summary>
    public static IReadOnlyList<(TrialState Trial, double Objective)> Scored(SweepState state)
        => state.Trials.Values
            .Where(t => t.Status == TrialStatus.Complete && state.ObjectiveOf(t) is double v && double.IsFinite(v))
            .Select(t => (t, state.ObjectiveOf(t)!.Value))
            .ToList();

    /// <summary>The keys with more than one value among the trials (a constant parameter explains nothing).</summary>
    static List<string> VaryingKeys(IReadOnlyList<(TrialState Trial, double Objective)> scored)
        => ParameterValues.Keys
            .Where(key => scored.Select(s => ParameterValues.Of(s.Trial.Config).Single(p => p.Key == key)).Distinct().Count() > 1)
            .ToList();

    /// <summary>Each complete trial's objective by trial id (blue points) and the best so far (a red step line).</summary>
    public static byte[] History(SweepState state, int width, int height, FigureFormat format = FigureFormat.Png)
    {
        var scored = Scored(state);
        var objective = state.Objective.ToName();
        var plot = new Plot();
        plot.Title("optimisation history");
        plot.XLabel("trial");
        plot.YLabel(objective);
        if (scored.Count == 0) Message(plot, "no complete trials yet");
        else
        {
            var xs = scored.Select(s => (double)s.Trial.TrialId).ToArray();
            var ys = scored.Select(s => s.Objective).ToArray();
            bool higherIsBetter = state.Objective == Objective.Accuracy;
            var best = new double[ys.Length];
            for (int i = 0; i < ys.Length; i++)
                best[i] = i == 0 ? ys[0] : higherIsBetter ? Math.Max(best[i - 1], ys[i]) : Math.Min(best[i - 1], ys[i]);
            var bestLine = plot.Add.Scatter(xs, best);
            bestLine.ConnectStyle = ConnectStyle.StepHorizontal;
            bestLine.Color = BestColor;
            bestLine.LineWidth = 3;
            bestLine.MarkerSize = 0;
            bestLine.LegendText = "best so far";
            var points = plot.Add.Scatter(xs, ys);
            points.LineWidth = 0;
            points.MarkerSize = 8;
            points.Color = PointColor;
            points.LegendText = $"{objective} of a trial";
            plot.ShowLegend(higherIsBetter ? Alignment.LowerRight : Alignment.UpperRight);
        }
        return Render(width, height, Title(state, $"history of {scored.Count} complete trial(s)"), (canvas, rect) => plot.Render(canvas, rect), format);
    }

    /// <summary>
    /// One vertical axis per varying hyperparameter and a last one for the objective; each complete trial a line across
    /// them, coloured by its objective (Viridis: dark is worst, yellow best), the best trial thick and red on top.
    /// </summary>
    public static byte[] ParallelCoordinates(SweepState state, int width, int height, FigureFormat format = FigureFormat.Png)
    {
        var scored = Scored(state);
        var keys = VaryingKeys(scored);
        var plot = new Plot();
        plot.Title("parallel coordinates");
        var axes = keys.Select(key => AxisOf(key, scored.Select(s => ParameterValues.Of(s.Trial.Config).Single(p => p.Key == key)).ToList())).ToList();
        var objectiveName = state.Objective.ToName();
        axes.Add(NumericAxis(objectiveName, scored.Select(s => s.Objective).ToList(), log: false));
        bool higherIsBetter = state.Objective == Objective.Accuracy;
        var colormap = new ScottPlot.Colormaps.Viridis();
        var (low, high) = scored.Count == 0 ? (0.0, 1.0) : (scored.Min(s => s.Objective), scored.Max(s => s.Objective));
        var bestId = state.Best?.TrialId;
        var xs = Enumerable.Range(0, axes.Count).Select(i => (double)i).ToArray();
        foreach (var (trial, value) in scored.OrderBy(s => s.Trial.TrialId == bestId))
        {
            var pairs = ParameterValues.Of(trial.Config);
            var ys = keys.Select((key, i) => axes[i].Position(pairs.Single(p => p.Key == key))).Append(axes[^1].Position(HyperparameterValue.Numeric(objectiveName, value))).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            double goodness = high > low ? (value - low) / (high - low) : 1;
            if (!higherIsBetter) goodness = 1 - goodness;
            bool isBest = trial.TrialId == bestId;
            line.Color = isBest ? BestColor : colormap.GetColor(goodness).WithAlpha(0.8);
            line.LineWidth = isBest ? 3.5f : 1.5f;
            line.MarkerSize = isBest ? 6 : 4;
        }
        for (int i = 0; i < axes.Count; i++)
        {
            var axisLine = plot.Add.VerticalLine(i);
            axisLine.Color = Colors.Black;
            axisLine.LineWidth = 1;
            foreach (var (position, label) in axes[i].Labels)
            {
                var text = plot.Add.Text(label, i + 0.03, position);
                text.LabelAlignment = Alignment.MiddleLeft;
                text.LabelFontSize = 11;
                text.LabelBackgroundColor = Colors.White.WithAlpha(0.7);
            }
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, axes.Select(a => a.Name).ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([], []);
        plot.Axes.SetLimits(-0.2, Math.Max(1, axes.Count - 1) + 0.5, -0.08, 1.08);
        if (scored.Count == 0) Message(plot, "no complete trials yet");
        return Render(width, height, Title(state, $"{scored.Count} complete trial(s) across {keys.Count} varying parameter(s)"),
            (canvas, rect) => plot.Render(canvas, rect), format);
    }

    /// <summary>Horizontal bars, most important at the top, labelled with their share.</summary>
    public static byte[] Importance(SweepState state, ImportanceReport report, int width, int height, FigureFormat format = FigureFormat.Png)
    {
        var plot = new Plot();
        plot.Title($"hyperparameter importance for {report.Objective} (fANOVA)");
        plot.XLabel("share of the objective's variance");
        var importances = report.Importances;
        if (importances.Count == 0) Message(plot, $"importance needs {ImportanceReport.MinTrials} complete trials");
        else
        {
            var positions = Enumerable.Range(0, importances.Count).Select(i => (double)(importances.Count - 1 - i)).ToArray();
            var bars = importances.Select((p, i) => new ScottPlot.Bar
            {
                Position = positions[i], Value = p.Importance, FillColor = PointColor, LineWidth = 0,
                Label = p.Importance.ToString("F3", CultureInfo.InvariantCulture),
            }).ToList();
            var barPlot = plot.Add.Bars(bars);
            barPlot.Horizontal = true;
            barPlot.ValueLabelStyle.FontSize = 12;
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, importances.Select(p => p.Key).ToArray());
            plot.Axes.SetLimits(0, 1.1, -0.7, importances.Count - 0.3);
        }
        return Render(width, height, Title(state, $"importance over {report.Trials} complete trial(s)"), (canvas, rect) => plot.Render(canvas, rect), format);
    }

    /// <summary>One panel per varying hyperparameter: every complete trial's objective against its value.</summary>
    public static byte[] Slice(SweepState state, int width, int height, FigureFormat format = FigureFormat.Png)
    {
        var scored = Scored(state);
        var keys = VaryingKeys(scored);
        var objective = state.Objective.ToName();
        var panels = new List<Plot>();
        foreach (var key in keys)
        {
            var values = scored.Select(s => ParameterValues.Of(s.Trial.Config).Single(p => p.Key == key)).ToList();
            var panel = new Plot();
            panel.Title(key);
            panel.YLabel(objective);
            double[] xs;
            if (values.Any(v => v.IsCategorical))
            {
                var categories = values.Select(v => v.Label).Distinct().ToList();
                xs = values.Select(v => (double)categories.IndexOf(v.Label)).ToArray();
                panel.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                    Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), categories.ToArray());
                panel.Axes.SetLimitsX(-0.5, categories.Count - 0.5);
            }
            else
            {
                bool log = values.All(v => v.LogScale && v.Number > 0);
                xs = values.Select(v => log ? Math.Log10(v.Number!.Value) : v.Number!.Value).ToArray();
                panel.XLabel(log ? $"log10 {key}" : key);
            }
            var points = panel.Add.Scatter(xs, scored.Select(s => s.Objective).ToArray());
            points.LineWidth = 0;
            points.MarkerSize = 8;
            points.Color = PointColor;
            panels.Add(panel);
        }
        string title = Title(state, $"slice of {scored.Count} complete trial(s)");
        if (panels.Count == 0)
        {
            var empty = new Plot();
            Message(empty, scored.Count == 0 ? "no complete trials yet" : "no parameter took more than one value");
            return Render(width, height, title, (canvas, rect) => empty.Render(canvas, rect), format);
        }
        var figure = new Multiplot();
        figure.Reset(panels[0]);
        foreach (var panel in panels.Skip(1)) figure.AddPlot(panel);
        int columns = Math.Min(panels.Count, 3);
        figure.Layout = new ScottPlot.MultiplotLayouts.Grid(rows: (panels.Count + columns - 1) / columns, columns: columns);
        return Render(width, height, title, figure.Render, format);
    }

    /// <summary>A parallel-coordinates axis: where a value sits on it (0 bottom, 1 top) and the labels along it.</summary>
    sealed record ParallelAxis(string Name, Func<HyperparameterValue, double> Position, IReadOnlyList<(double Position, string Label)> Labels);

    static ParallelAxis AxisOf(string key, IReadOnlyList<HyperparameterValue> values)
    {
        if (values.Any(v => v.IsCategorical))
        {
            var categories = values.Select(v => v.Label).Distinct().ToList();
            double Where(int i) => categories.Count == 1 ? 0.5 : (double)i / (categories.Count - 1);
            return new ParallelAxis(key, v => Where(categories.IndexOf(v.Label)), categories.Select((c, i) => (Where(i), c)).ToList());
        }
        return NumericAxis(key, values.Select(v => v.Number!.Value).ToList(), values.All(v => v.LogScale && v.Number > 0));
    }

    static ParallelAxis NumericAxis(string key, IReadOnlyList<double> values, bool log)
    {
        Func<double, double> scale = log ? Math.Log : v => v;
        double low = values.Count == 0 ? 0 : values.Min(scale), high = values.Count == 0 ? 1 : values.Max(scale);
        double Where(double v) => high > low ? (scale(v) - low) / (high - low) : 0.5;
        var labels = values.Count == 0 ? new List<(double, string)>()
            : values.Distinct().Count() == 1 ? [(0.5, Format(values[0]))]
            : [(0.0, Format(values.MinBy(scale))), (1.0, Format(values.MaxBy(scale)))];
        return new ParallelAxis(key, v => Where(v.Number!.Value), labels);
    }

    static string Format(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    static void Message(Plot plot, string message)
    {
        var text = plot.Add.Text(message, 0.5, 0.5);
        text.LabelAlignment = Alignment.MiddleCenter;
        text.LabelFontSize = 18;
        plot.Axes.SetLimits(0, 1, 0, 1);
    }
}
