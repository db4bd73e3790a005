using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace LstmSweep.ClusterTests.Processes;

/// <summary>One series of a Prometheus query result: its labels and how many samples it has (1 for an instant query).</summary>
public sealed record PrometheusSeries(IReadOnlyDictionary<string, string> Labels, int Samples)
{
    public override string ToString() => "{" + string.Join(", ", Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";
}

/// <summary>A query Prometheus refused (a PromQL syntax error, an unknown function, a bad range).</summary>
public sealed class PrometheusQueryException(string expression, string error) : Exception($"{error} (query: {expression})")
{
    public string Error { get; } = error;
}

/// <summary>
/// A throwaway Prometheus (/usr/bin/prometheus, the Debian package `.ci/run` installs) on a free loopback port, its
/// storage in a temporary folder: killed and deleted on Dispose. <see cref="Scraping"/> generates a config with one job
/// `lstmsweep` scraping the given targets every second and the shipped deploy/prometheus/alerts.yml as its rule file.
/// </summary>
public sealed class PrometheusServer : IDisposable
{
    public const string Binary = "/usr/bin/prometheus";
    public static readonly string DeployFolder = Path.Combine(CliProcess.RepositoryRoot, "deploy", "prometheus");
    public static readonly string AlertRules = Path.Combine(DeployFolder, "alerts.yml");
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    readonly Process _process;
    readonly StringBuilder _log = new();

    public string Folder { get; }
    public int Port { get; }
    public HttpClient Http { get; }
    /// <summary>What Prometheus logged (it logs to stderr).</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Fails the test, saying how to get it, when the binary is missing.</summary>
    public static void RequireBinary() =>
        Assert.True(File.Exists(Binary), $"{Binary} is missing: install the Debian package prometheus (`.ci/run` installs it when missing)");

    /// <summary>A Prometheus scraping <paramref name="targets"/> (host:port) as job `lstmsweep` every second, with the shipped alert rules.</summary>
    public static PrometheusServer Scraping(params string[] targets) => new(folder => $"""
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        rule_files:
          - '{AlertRules}'
        scrape_configs:
          - job_name: lstmsweep
            metrics_path: /metrics
            static_configs:
              - targets: [{string.Join(", ", targets.Select(t => $"'{t}'"))}]
        """);

    /// <summary>A Prometheus with the config <paramref name="config"/> writes, given the server's own folder (for files it refers to).</summary>
    public PrometheusServer(Func<string, string> config)
    {
        RequireBinary();
        Folder = Directory.CreateTempSubdirectory("lstmsweep-prometheus-").FullName;
        var configFile = Path.Combine(Folder, "prometheus.yml");
        File.WriteAllText(configFile, config(Folder));
        Port = FreePorts.Take(1)[0];
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Folder };
        foreach (var arg in new[]
                 {
                     "--config.file=" + configFile, "--storage.tsdb.path=" + Path.Combine(Folder, "data"),
                     $"--web.listen-address=127.0.0.1:{Port}", "--storage.tsdb.retention.time=1h",
                 })
            start.ArgumentList.Add(arg);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}/"), Timeout = TimeSpan.FromSeconds(30) };
        WaitUntilReady();
    }

    void WaitUntilReady()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit();
                Assert.Fail($"prometheus exited with {_process.ExitCode} at start:\n{Log}");
            }
            try
            {
                using var response = Http.GetAsync("-/ready").GetAwaiter().GetResult();
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            Thread.Sleep(100);
        }
        Assert.Fail($"prometheus was not ready within {StartTimeout}:\n{Log}");
    }

    /// <summary>Waits until Prometheus has scraped <paramref name="target"/> (host:port) successfully at least <paramref name="scrapes"/> times.</summary>
    public async Task WaitForScrapesAsync(string target, int scrapes, TimeSpan timeout)
    {
        var query = $"sum_over_time(up{{job=\"lstmsweep\", instance=\"{target}\"}}[10m])";
        var clock = Stopwatch.StartNew();
        double seen = 0;
        while (clock.Elapsed < timeout)
        {
            var result = await QueryValuesAsync(query);
            seen = result.Count == 0 ? 0 : result[0].Value;
            if (seen >= scrapes) return;
            await Task.Delay(250);
        }
        var targets = await GetAsync("api/v1/targets");
        Assert.Fail($"{target} was scraped successfully {seen} time(s) in {timeout}, not {scrapes}; targets: {targets}\n{Log}");
    }

    /// <summary>An instant query at <paramref name="time"/> (now when null): the series it returns.</summary>
    public async Task<List<PrometheusSeries>> QueryAsync(string expression, DateTimeOffset? time = null)
    {
        var data = await ApiAsync("api/v1/query", expression, ("time", Unix(time ?? DateTimeOffset.UtcNow)));
        return Series(data);
    }

    /// <summary>A range query from <paramref name="start"/> to <paramref name="end"/> every <paramref name="step"/>: the series it returns.</summary>
    public async Task<List<PrometheusSeries>> QueryRangeAsync(string expression, DateTimeOffset start, DateTimeOffset end, TimeSpan step)
    {
        var data = await ApiAsync("api/v1/query_range", expression,
            ("start", Unix(start)), ("end", Unix(end)), ("step", step.TotalSeconds.ToString(CultureInfo.InvariantCulture)));
        return Series(data);
    }

    /// <summary>An instant query's series with their values (NaN included).</summary>
    public async Task<List<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryValuesAsync(string expression)
    {
        var data = await ApiAsync("api/v1/query", expression, ("time", Unix(DateTimeOffset.UtcNow)));
        var list = new List<(IReadOnlyDictionary<string, string>, double)>();
        if (data.GetProperty("resultType").GetString() == "scalar")
            list.Add((new Dictionary<string, string>(), ParseValue(data.GetProperty("result")[1])));
        else
            foreach (var s in data.GetProperty("result").EnumerateArray())
                list.Add((Labels(s), ParseValue(s.GetProperty("value")[1])));
        return list;
    }

    /// <summary>The values of <paramref name="label"/> over the series <paramref name="match"/> selects (Grafana's label_values).</summary>
    public async Task<List<string>> LabelValuesAsync(string label, string match)
    {
        var json = await GetAsync($"api/v1/label/{Uri.EscapeDataString(label)}/values?match[]={Uri.EscapeDataString(match)}");
        return json.GetProperty("data").EnumerateArray().Select(v => v.GetString()!).ToList();
    }

    /// <summary>GET of an API path, the whole JSON answer; fails the test on an error status.</summary>
    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    async Task<JsonElement> ApiAsync(string path, string expression, params (string Key, string Value)[] parameters)
    {
        var form = new List<KeyValuePair<string, string>> { new("query", expression) };
        form.AddRange(parameters.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));
        using var response = await Http.PostAsync(path, new FormUrlEncodedContent(form));
        var text = await response.Content.ReadAsStringAsync();
        JsonElement root;
        try { root = JsonDocument.Parse(text).RootElement.Clone(); }
        catch (JsonException) { throw new PrometheusQueryException(expression, $"{(int)response.StatusCode}: {text}"); }
        if (root.GetProperty("status").GetString() != "success")
            throw new PrometheusQueryException(expression, root.TryGetProperty("error", out var e) ? e.GetString()! : text);
        return root.GetProperty("data");
    }

    static List<PrometheusSeries> Series(JsonElement data) => data.GetProperty("resultType").GetString() switch
    {
        "vector" => data.GetProperty("result").EnumerateArray().Select(s => new PrometheusSeries(Labels(s), 1)).ToList(),
        "matrix" => data.GetProperty("result").EnumerateArray().Select(s => new PrometheusSeries(Labels(s), s.GetProperty("values").GetArrayLength())).ToList(),
        "scalar" => [new PrometheusSeries(new Dictionary<string, string>(), 1)],
        var other => throw new InvalidOperationException($"unexpected result type {other}"),
    };

    static Dictionary<string, string> Labels(JsonElement series) =>
        series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    static double ParseValue(JsonElement value) => value.GetString() switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        var text => double.Parse(text!, CultureInfo.InvariantCulture),
    };

    static string Unix(DateTimeOffset time) => (time.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        Http.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
