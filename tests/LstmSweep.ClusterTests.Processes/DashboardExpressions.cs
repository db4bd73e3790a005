using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LstmSweep.ClusterTests.Processes;

/// <summary>One query of a shipped dashboard: a panel target's PromQL, or a template variable's query.</summary>
/// <param name="Dashboard">The dashboard's file name (sweep.json).</param>
/// <param name="Panel">The panel's title, or "variable NAME".</param>
/// <param name="PanelType">timeseries, stat, table, heatmap, ...; "variable" for a template variable.</param>
/// <param name="RefId">The target's refId (A, B, ...); empty for a variable.</param>
/// <param name="Expression">The query as written, variables not substituted.</param>
/// <param name="Instant">The target asks for an instant query only (tables, and stats marked instant).</param>
public sealed record DashboardQuery(string Dashboard, string Panel, string PanelType, string RefId, string Expression, bool Instant)
{
    public bool IsVariable => PanelType == "variable";

    /// <summary>Grafana's <c>label_values(metric, label)</c> (or <c>label_values(label)</c>): the series selector and the label; null for PromQL.</summary>
    public (string? Match, string Label)? LabelValues =>
        DashboardExpressions.LabelValuesQuery.Match(Expression) is { Success: true } m
            ? (m.Groups["match"].Success ? m.Groups["match"].Value.Trim() : null, m.Groups["label"].Value)
            : null;

    public override string ToString() => $"{Dashboard} / {Panel}{(RefId.Length > 0 ? $" [{RefId}]" : "")}: {Expression}";
}

/// <summary>
/// Reads every query of the dashboards in deploy/grafana/dashboards (panels nested in rows and template variables
/// included) and substitutes Grafana's variables so that Prometheus can evaluate them.
/// </summary>
public static class DashboardExpressions
{
    public static readonly string Folder = Path.Combine(CliProcess.RepositoryRoot, "deploy", "grafana", "dashboards");

    internal static readonly Regex LabelValuesQuery = new(@"^\s*label_values\(\s*(?:(?<match>.+?)\s*,\s*)?(?<label>[a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$", RegexOptions.Singleline);

    /// <summary>$name, ${name}, ${name:format} and [[name]]: Grafana's variable syntaxes.</summary>
    static readonly Regex Variable = new(@"\$\{(?<name>\w+)(?::[^}]*)?\}|\[\[(?<name>\w+)\]\]|\$(?<name>\w+)");

    public static IReadOnlyList<string> Files() => Directory.GetFiles(Folder, "*.json").OrderBy(f => f, StringComparer.Ordinal).ToList();

    public static JsonElement Load(string file) => JsonDocument.Parse(File.ReadAllText(file)).RootElement.Clone();

    /// <summary>Every panel, depth first: a row's nested panels (a collapsed row holds them) follow the row.</summary>
    public static IEnumerable<JsonElement> Panels(JsonElement dashboard)
    {
        if (!dashboard.TryGetProperty("panels", out var panels) || panels.ValueKind != JsonValueKind.Array) yield break;
        foreach (var panel in panels.EnumerateArray())
        {
            yield return panel;
            foreach (var nested in Panels(panel)) yield return nested;
        }
    }

    /// <summary>Every query of every dashboard file.</summary>
    public static List<DashboardQuery> All() => Files().SelectMany(f => Extract(Load(f), Path.GetFileName(f))).ToList();

    /// <summary>The template variables' queries, then every panel target's expression (targets without one are skipped: the lint reports them).</summary>
    public static IEnumerable<DashboardQuery> Extract(JsonElement dashboard, string name)
    {
        if (dashboard.TryGetProperty("templating", out var templating) && templating.TryGetProperty("list", out var list))
            foreach (var variable in list.EnumerateArray())
            {
                if (Str(variable, "type") != "query") continue;
                var query = variable.TryGetProperty("query", out var q)
                    ? q.ValueKind == JsonValueKind.Object ? Str(q, "query") : q.ValueKind == JsonValueKind.String ? q.GetString() : null
                    : null;
                if (!string.IsNullOrWhiteSpace(query))
                    yield return new DashboardQuery(name, $"variable {Str(variable, "name")}", "variable", "", query, Instant: true);
            }
        foreach (var panel in Panels(dashboard))
        {
            if (!panel.TryGetProperty("targets", out var targets) || targets.ValueKind != JsonValueKind.Array) continue;
            foreach (var target in targets.EnumerateArray())
                if (Str(target, "expr") is { Length: > 0 } expr)
                {
                    var instant = target.TryGetProperty("instant", out var i) && i.ValueKind == JsonValueKind.True
                                  && !(target.TryGetProperty("range", out var r) && r.ValueKind == JsonValueKind.True);
                    yield return new DashboardQuery(name, Str(panel, "title") ?? "(untitled)", Str(panel, "type") ?? "", Str(target, "refId") ?? "", expr, instant);
                }
        }
    }

    /// <summary>
    /// The expression with Grafana's variables replaced: the given template variables (sweep), $__rate_interval,
    /// $__interval, $__interval_ms, $__range, $__range_s, $__range_ms. An unknown variable throws, so a typo fails.
    /// </summary>
    public static string Substitute(string expression, IReadOnlyDictionary<string, string> variables, TimeSpan rateInterval, TimeSpan interval, TimeSpan range)
    {
        var builtIn = new Dictionary<string, string>
        {
            ["__rate_interval"] = Duration(rateInterval),
            ["__interval"] = Duration(interval),
            ["__interval_ms"] = ((long)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            ["__range"] = Duration(range),
            ["__range_s"] = ((long)range.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            ["__range_ms"] = ((long)range.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        };
        return Variable.Replace(expression, m =>
        {
            var name = m.Groups["name"].Value;
            if (variables.TryGetValue(name, out var value) || builtIn.TryGetValue(name, out value)) return value;
            throw new ArgumentException($"unknown variable ${name} in: {expression}");
        });
    }

    /// <summary>A PromQL duration: whole seconds as "90s", otherwise milliseconds ("1500ms").</summary>
    public static string Duration(TimeSpan span) => span.TotalMilliseconds % 1000 == 0
        ? ((long)span.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
        : ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    static string? Str(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
