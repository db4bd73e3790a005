using System.Text.Json;

namespace LstmSweep.ClusterTests.Processes;

public sealed class DashboardExpressionsTests
{
    static readonly Dictionary<string, string> Sweep = new() { ["sweep"] = "demo-20260101-0000-ab12" };

    [Fact]
    public void EveryTargetOfEveryDashboardIsExtractedRowsIncludedWithItsPanelTitle()
    {
        var queries = DashboardExpressions.All();
        var targets = DashboardExpressions.Files().Sum(f => CountExprs(DashboardExpressions.Load(f)));
        Assert.Equal(targets, queries.Count(q => !q.IsVariable));
        // The cluster dashboard's Runtime row is collapsed: its panels are nested in it.
        Assert.Contains(queries, q => q is { Dashboard: "cluster.json", Panel: "CPU", RefId: "A" } && q.Expression.Contains("process_cpu_time_seconds_total"));
        var variable = Assert.Single(queries, q => q.IsVariable);
        Assert.Equal(("sweep.json", "variable sweep"), (variable.Dashboard, variable.Panel));
        Assert.Contains(queries, q => q is { Panel: "Running trials", Instant: true });
        Assert.Contains(queries, q => q is { Panel: "Training loss per running trial", Instant: false, PanelType: "timeseries" });
    }

    [Fact]
    public void VariablesAreSubstitutedInEverySyntaxAndAnUnknownOneThrows()
    {
        var (rate, interval, range) = (TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(5));
        Assert.Equal("rate(x{sweep=\"demo-20260101-0000-ab12\"}[60s])",
            DashboardExpressions.Substitute("rate(x{sweep=\"$sweep\"}[$__rate_interval])", Sweep, rate, interval, range));
        Assert.Equal("a{sweep=\"demo-20260101-0000-ab12\", s=\"demo-20260101-0000-ab12\", t=\"demo-20260101-0000-ab12\"}[15s] 15000 300s 300",
            DashboardExpressions.Substitute("a{sweep=\"${sweep}\", s=\"${sweep:raw}\", t=\"[[sweep]]\"}[$__interval] $__interval_ms $__range $__range_s", Sweep, rate, interval, range));
        Assert.Equal("1500ms", DashboardExpressions.Duration(TimeSpan.FromMilliseconds(1500)));
        Assert.Throws<ArgumentException>(() => DashboardExpressions.Substitute("x{instance=\"$instance\"}", Sweep, rate, interval, range));
    }

    [Fact]
    public void LabelValuesQueriesAreRecognised()
    {
        DashboardQuery Variable(string query) => new("d.json", "variable v", "variable", "", query, true);
        Assert.Equal(("lstmsweep_sweep_trials_remaining", "sweep"), Variable("label_values(lstmsweep_sweep_trials_remaining, sweep)").LabelValues);
        Assert.Equal(("up{job=\"lstmsweep\"}", "instance"), Variable("label_values(up{job=\"lstmsweep\"}, instance)").LabelValues);
        Assert.Equal(((string?)null, "sweep"), Variable("label_values(sweep)").LabelValues);
        Assert.Null(Variable("max by (sweep) (lstmsweep_sweep_trials_remaining)").LabelValues);
    }

    static int CountExprs(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Sum(p => p.Name == "expr" ? 1 : CountExprs(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Sum(CountExprs),
        _ => 0,
    };
}
