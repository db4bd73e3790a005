using System.Text.Json;
using System.Text.RegularExpressions;

namespace LstmSweep.ClusterTests.Processes;

/// <summary>
/// What Grafana needs of a provisioned dashboard, and the house rules of the shipped ones: each problem as a line
/// (none for a good dashboard), so that a test can show each rule catching a broken dashboard.
/// </summary>
public static class DashboardLint
{
    public const int MinSchemaVersion = 36;
    /// <summary>Panels that draw over time: their rate()/increase() windows follow the scrape interval and zoom.</summary>
    static readonly HashSet<string> TimePanels = ["timeseries", "heatmap"];
    static readonly Regex RangeSelector = new(@"\[([^\]]*)\]");
    static readonly Regex Comparison = new(@"(?<![=!<>~])(>=|<=|==|!=|>|<)(?!\s*bool\b)\s*-?[0-9.]");

    public static List<string> Problems(JsonElement dashboard, string datasourceUid)
    {
        var problems = new List<string>();
        if (Str(dashboard, "title") is not { Length: > 0 }) problems.Add("no title");
        if (Str(dashboard, "uid") is not { Length: > 0 }) problems.Add("no uid");
        if (!dashboard.TryGetProperty("schemaVersion", out var schema) || schema.ValueKind != JsonValueKind.Number || schema.GetInt32() < MinSchemaVersion)
            problems.Add($"schemaVersion missing or below {MinSchemaVersion}");
        if (!dashboard.TryGetProperty("panels", out var top) || top.ValueKind != JsonValueKind.Array || top.GetArrayLength() == 0)
            problems.Add("no panels");

        var ids = new Dictionary<int, string>();
        foreach (var panel in DashboardExpressions.Panels(dashboard))
        {
            var title = Str(panel, "title") ?? "(untitled)";
            var type = Str(panel, "type");
            var where = $"panel '{title}'";
            if (type is not { Length: > 0 }) problems.Add($"{where}: no type");
            if (!panel.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out var n))
                problems.Add($"{where}: no integer id");
            else if (!ids.TryAdd(n, title))
                problems.Add($"{where}: id {n} is also the id of panel '{ids[n]}'");
            problems.AddRange(GridPosProblems(panel, where));
            if (!panel.TryGetProperty("datasource", out _)) problems.Add($"{where}: no datasource");

            if (type == "row")
            {
                if (panel.TryGetProperty("collapsed", out var c) && c.ValueKind == JsonValueKind.False
                    && panel.TryGetProperty("panels", out var inner) && inner.GetArrayLength() > 0)
                    problems.Add($"{where}: an expanded row keeps its panels at the top level, not nested");
                continue;
            }
            if (!panel.TryGetProperty("targets", out var targets) || targets.ValueKind != JsonValueKind.Array || targets.GetArrayLength() == 0)
            {
                problems.Add($"{where}: no query");
                continue;
            }
            var refIds = new HashSet<string>();
            foreach (var target in targets.EnumerateArray())
            {
                var refId = Str(target, "refId");
                var at = $"{where} target {refId ?? "?"}";
                if (refId is not { Length: > 0 } || !refIds.Add(refId)) problems.Add($"{at}: refId missing or repeated");
                if (!target.TryGetProperty("datasource", out _)) problems.Add($"{at}: no datasource");
                if (Str(target, "expr") is not { Length: > 0 } expr)
                {
                    problems.Add($"{at}: no expr");
                    continue;
                }
                if (TimePanels.Contains(type ?? ""))
                    foreach (Match m in RangeSelector.Matches(expr))
                        if (m.Groups[1].Value != "$__rate_interval")
                            problems.Add($"{at}: range [{m.Groups[1].Value}] in a {type} panel; use [$__rate_interval]");
                if (Comparison.IsMatch(expr))
                    problems.Add($"{at}: a comparison filter drops series (the panel goes blank instead of showing 0): {expr}");
                if (type == "heatmap" && Str(target, "format") != "heatmap") problems.Add($"{at}: a heatmap target needs format heatmap");
                if (type == "table" && Str(target, "format") != "table") problems.Add($"{at}: a table target needs format table");
            }
        }

        if (dashboard.TryGetProperty("templating", out var templating) && templating.TryGetProperty("list", out var variables))
            foreach (var variable in variables.EnumerateArray())
                if (Str(variable, "type") == "query" && !variable.TryGetProperty("datasource", out _))
                    problems.Add($"variable {Str(variable, "name")}: no datasource");

        problems.AddRange(DatasourceProblems(dashboard, "$", datasourceUid));
        return problems;
    }

    static IEnumerable<string> GridPosProblems(JsonElement panel, string where)
    {
        if (!panel.TryGetProperty("gridPos", out var grid) || grid.ValueKind != JsonValueKind.Object)
        {
            yield return $"{where}: no gridPos";
            yield break;
        }
        int? Get(string key) => grid.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;
        var (h, w, x, y) = (Get("h"), Get("w"), Get("x"), Get("y"));
        if (h is null || w is null || x is null || y is null) yield return $"{where}: gridPos needs integers h, w, x, y";
        else if (h < 1 || w < 1 || x < 0 || y < 0 || x + w > 24) yield return $"{where}: gridPos {{h {h}, w {w}, x {x}, y {y}}} is outside the 24-column grid";
    }

    /// <summary>Every "datasource" anywhere in the document must be {"type": "prometheus", "uid": uid}.</summary>
    static IEnumerable<string> DatasourceProblems(JsonElement element, string path, string uid)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var at = $"{path}.{property.Name}";
                    if (property.Name == "datasource")
                    {
                        var v = property.Value;
                        if (v.ValueKind != JsonValueKind.Object || Str(v, "type") != "prometheus" || Str(v, "uid") != uid || v.EnumerateObject().Count() != 2)
                            yield return $"{at}: {v.GetRawText()} is not {{\"type\": \"prometheus\", \"uid\": \"{uid}\"}}";
                    }
                    else
                        foreach (var p in DatasourceProblems(property.Value, at, uid)) yield return p;
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                    foreach (var p in DatasourceProblems(item, $"{path}[{i++}]", uid)) yield return p;
                break;
        }
    }

    static string? Str(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
