using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using ScottPlot;
using SkiaSharp;

namespace LstmSweep.Cli.Plotting;

/// <summary>How a figure is encoded: a PNG bitmap or an SVG document (Skia's SVG canvas, text kept as text).</summary>
public enum FigureFormat { Png, Svg }

/// <summary>
/// Draws a sweep's figures headless (ScottPlot on SkiaSharp, no window, no display) and encodes them as PNG or SVG.
/// </summary>
public static partial class SweepFigures
{
    const float HeaderHeight = 44;
    static readonly Color BestColor = Color.FromHex("#d62728");
    static readonly Color PrunedColor = Color.FromHex("#9a9a9a");

    /// <summary>Trials (besides the best) each named in the legend when there are at most this many; else one entry per kind.</summary>
    const int MaxNamedTrials = 10;

    /// <summary>
    /// Two panels, loss and accuracy per epoch on the evaluation set (or one panel of <paramref name="metric"/> when
    /// given), one line per trial: the best trial thick and red, pruned trials thin and grey, failed and cancelled ones
    /// dotted, the others thin in the palette's colours.
    /// </summary>
    public static byte[] LearningCurves(SweepState state, IReadOnlyList<TrialCurve> curves, int width, int height,
        CurveMetric? metric = null, FigureFormat format = FigureFormat.Png)
    {
        var loss = metric is { } one ? Panel(CurveMetrics.Describe(one), CurveMetrics.Names[(int)one]) : Panel("evaluation loss", "loss");
        var accuracy = Panel("evaluation accuracy", "accuracy");
        Func<CurvePoint, double> first = metric is { } m ? CurveMetrics.ValueOf(m) : p => p.Loss;

        var best = state.Best;
        var others = curves.Where(c => c.Trial.TrialId != best?.TrialId).ToList();
        bool nameEach = others.Count(c => !c.IsPruned && !c.IsFailedOrCancelled) <= MaxNamedTrials;
        var palette = OtherColors();
        int colorIndex = 0;
        bool prunedNamed = false, failedNamed = false;

        // Drawn first so they lie underneath: pruned, then failed/cancelled, then the others, then the best on top.
        foreach (var curve in others.OrderBy(c => c.IsPruned ? 0 : c.IsFailedOrCancelled ? 1 : 2).ThenBy(c => c.Trial.TrialId))
        {
            Color color; float lineWidth; LinePattern pattern = LinePattern.Solid; string? label;
            if (curve.IsPruned)
            {
                (color, lineWidth) = (PrunedColor.WithAlpha(0.7), 1);
                label = prunedNamed ? null : "pruned";
                prunedNamed = true;
            }
            else
            {
                (color, lineWidth) = (palette[colorIndex++ % palette.Length], 1.5f);
                if (curve.IsFailedOrCancelled)
                {
                    pattern = LinePattern.Dotted;
                    color = color.WithAlpha(0.6);
                    label = nameEach ? $"trial {curve.Trial.TrialId} ({curve.Trial.Status.ToName()})"
                        : failedNamed ? null : "failed or cancelled";
                    failedNamed = true;
                }
                else
                {
                    label = nameEach ? $"trial {curve.Trial.TrialId}" : null;
                }
            }
            AddLine(loss, curve, first, color, lineWidth, pattern, label);
            AddLine(accuracy, curve, p => p.Accuracy, color, lineWidth, pattern, null);
        }
        if (best is not null && curves.FirstOrDefault(c => c.Trial.TrialId == best.TrialId) is { } bestCurve)
        {
            AddLine(loss, bestCurve, first, BestColor, 3.5f, LinePattern.Solid, $"best: trial {best.TrialId}");
            AddLine(accuracy, bestCurve, p => p.Accuracy, BestColor, 3.5f, LinePattern.Solid, null);
        }

        if (loss.GetPlottables().Any(p => p is ScottPlot.Plottables.Scatter s && !string.IsNullOrEmpty(s.LegendText)))
            loss.ShowLegend(Alignment.UpperRight);
        // One legend, on the loss panel (falling curves leave its upper right free); the colours are the same in both.
        if (metric is not null)
        {
            if (curves.Count == 0) NoData(loss);
            return Render(width, height, Title(state, $"learning curves of {curves.Count} trial(s)"), (canvas, rect) => loss.Render(canvas, rect), format);
        }
        if (curves.Count == 0) NoData(loss, accuracy);

        var figure = new Multiplot();
        figure.Reset(loss);
        figure.AddPlot(accuracy);
        figure.Layout = new ScottPlot.MultiplotLayouts.Grid(rows: 1, columns: 2);
        return Render(width, height, Title(state, $"learning curves of {curves.Count} trial(s)"), figure.Render, format);
    }

    /// <summary>
    /// The Keras bidirectional-LSTM tutorial's comparison: one line per value of a parameter, the mean of a metric
    /// (evaluation loss unless told) per epoch over the trials with that value.
    /// </summary>
    public static byte[] MeanBy(SweepState state, string parameter, IReadOnlyList<GroupCurve> groups, int width, int height,
        CurveMetric metric = CurveMetric.EvalLoss, FigureFormat format = FigureFormat.Png)
    {
        var plot = Panel($"mean {CurveMetrics.Describe(metric)} per epoch", CurveMetrics.Names[(int)metric]);
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            var line = plot.Add.ScatterLine(g.Points.Select(p => (double)p.Epoch).ToArray(), g.Points.Select(p => p.Mean).ToArray());
            line.Color = palette.GetColor(i);
            line.LineWidth = 2;
            line.MarkerSize = 0;
            line.LegendText = g.Value;
        }
        if (groups.Count > 0) plot.ShowLegend(Alignment.UpperRight);
        else NoData(plot);
        return Render(width, height, Title(state, $"by {parameter}, {groups.Sum(g => g.Trials)} trial(s)"), (canvas, rect) => plot.Render(canvas, rect), format);
    }

    static Plot Panel(string title, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        return plot;
    }

    static void AddLine(Plot plot, TrialCurve curve, Func<CurvePoint, double> metric, Color color, float width, LinePattern pattern, string? label)
    {
        var points = curve.Points.Where(p => double.IsFinite(metric(p))).ToList();
        if (points.Count == 0) return;
        var line = plot.Add.ScatterLine(points.Select(p => (double)p.Epoch).ToArray(), points.Select(metric).ToArray());
        line.Color = color;
        line.LineWidth = width;
        line.LinePattern = pattern;
        line.MarkerSize = points.Count == 1 ? width + 4 : 0; // a one-epoch curve is a dot, not nothing
        if (label is not null) line.LegendText = label;
    }

    static void NoData(params Plot[] plots)
    {
        foreach (var plot in plots)
        {
            var text = plot.Add.Text("no epochs reported yet", 0.5, 0.5);
            text.LabelAlignment = Alignment.MiddleCenter;
            plot.Axes.SetLimits(0, 1, 0, 1);
        }
    }

    static Color[] OtherColors()
    {
        // Category20 without its reds (the best trial's colour) and its greys (pruned trials'): its strong colours
        // first, then their light partners.
        var palette = new ScottPlot.Palettes.Category20();
        var usable = Enumerable.Range(0, palette.Colors.Length).Where(i => i is not (6 or 7 or 14 or 15)).ToList();
        return usable.Where(i => i % 2 == 0).Concat(usable.Where(i => i % 2 == 1)).Select(palette.GetColor).ToArray();
    }

    static string Title(SweepState state, string what) => $"{state.Name} ({state.SweepId}): {what}";

    static byte[] Render(int width, int height, string title, Action<SKCanvas, PixelRect> drawBody, FigureFormat format)
    {
        if (format == FigureFormat.Svg)
        {
            using var stream = new MemoryStream();
            // The SVG canvas writes its document when it is disposed, so it is disposed before the stream is read.
            using (var svg = SKSvgCanvas.Create(SKRect.Create(width, height), stream))
                Draw(svg, width, height, title, drawBody);
            return stream.ToArray();
        }
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"cannot create a {width}x{height} drawing surface");
        Draw(surface.Canvas, width, height, title, drawBody);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    static void Draw(SKCanvas canvas, int width, int height, string title, Action<SKCanvas, PixelRect> drawBody)
    {
        using (var background = new SKPaint { Color = SKColors.White })
            canvas.DrawRect(0, 0, width, height, background);
        // The body below the title band. A multiplot lays out in its rectangle's size but draws from the canvas's
        // origin, so the canvas is moved rather than the rectangle. ScottPlot fills its background: the title comes after.
        canvas.Save();
        canvas.Translate(0, HeaderHeight);
        drawBody(canvas, new PixelRect(0, width, height - HeaderHeight, 0));
        canvas.Restore();
        using (var paint = new SKPaint { Color = SKColors.White })
            canvas.DrawRect(0, 0, width, HeaderHeight, paint);
        var typeface = Fonts.GetTypeface(Fonts.Default, bold: true, italic: false); // ScottPlot's, cached: not disposed here
        using (var font = new SKFont(typeface, 18))
        using (var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true })
            canvas.DrawText(title, width / 2f, HeaderHeight * 0.7f, SKTextAlign.Center, font, paint);
    }

    /// <summary>
    /// Picks a sans-serif font for every text of the figures. Skia (without fontconfig) finds the fonts installed in
    /// the system's font folders and ScottPlot takes the first it finds, often a serif or a maths font. Returns false
    /// when there is no font at all: the figures then draw without any text.
    /// </summary>
    public static bool UseSansSerifFont()
    {
        // With no font installed, Skia still lists one family: the empty one, without glyphs.
        var families = SKFontManager.Default.FontFamilies
            .Where(f => !string.IsNullOrWhiteSpace(f) && SKFontManager.Default.MatchFamily(f) is { GlyphCount: > 0 })
            .ToList();
        if (families.Count == 0) return false;
        string[] preferred = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica", "FreeSans"];
        var sans = preferred.FirstOrDefault(f => families.Contains(f, StringComparer.OrdinalIgnoreCase))
            ?? families.FirstOrDefault(f => f.Contains("Sans", StringComparison.OrdinalIgnoreCase) && !f.Contains("Mono", StringComparison.OrdinalIgnoreCase));
        if (sans is not null) Fonts.Default = sans;
        return true;
    }
}
