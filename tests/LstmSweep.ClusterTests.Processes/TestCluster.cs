using System.Net.Http.Json;
using System.Text.Json;

namespace LstmSweep.ClusterTests.Processes;

/// <summary>
/// Real `lstmsweep node` processes on loopback, sharing one journal (SQLite in the scratch folder, or the given
/// `--db`, e.g. a PostgreSQL database of <see cref="PostgresServer"/>): node 0 is the first seed (the lowest
/// address, so it survives a 1:1 split under keep-majority); the others join it.
/// </summary>
public sealed class TestCluster : IDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    readonly List<CliProcess> _nodes = new();
    readonly List<string> _stderrOfEarlierRuns = new();
    readonly int[] _ports;
    readonly int[] _httpPorts;
    public ScratchDirectory Scratch { get; } = new();
    public string Db { get; }

    /// <summary>Node 0's HTTP port: the coordinator the tests talk to. Every node serves HTTP on its own port.</summary>
    public int HttpPort => _httpPorts[0];
    public string Server => $"http://127.0.0.1:{HttpPort}";
    public Dictionary<string, string> Environment { get; } = new() { ["LSTMSWEEP_SBR_STABLE_AFTER"] = "3s" };
    public HttpClient Http { get; }

    public TestCluster(int nodes, string? db = null)
    {
        Db = db ?? "sqlite:" + Path.Combine(Scratch.Path, "cluster.db");
        var ports = FreePorts.Take(2 * nodes);
        _ports = ports[..nodes];
        _httpPorts = ports[nodes..];
        Http = new HttpClient(new TokenHandler(Environment)) { BaseAddress = new Uri(Server + "/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>A client that sends only the headers a test gives it (no token), for tests of the API's checks.</summary>
    public HttpClient NewClientWithoutToken() => new() { BaseAddress = new Uri(Server + "/"), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Sends the cluster's LSTMSWEEP_API_TOKEN (when set) with every request that has no Authorization of its own.</summary>
    sealed class TokenHandler(IReadOnlyDictionary<string, string> environment) : DelegatingHandler(new HttpClientHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Authorization is null && environment.TryGetValue("LSTMSWEEP_API_TOKEN", out var token))
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A client (with the token, if any) for another node's HTTP port: the coordinator after a hand-over.</summary>
    public HttpClient HttpTo(int node) => new(new TokenHandler(Environment))
    {
        BaseAddress = new Uri($"http://127.0.0.1:{_httpPorts[node]}/"), Timeout = TimeSpan.FromSeconds(30),
    };

    public int PortOf(int node) => _ports[node];
    public int HttpPortOf(int node) => _httpPorts[node];
    public CliProcess Node(int node) => _nodes[node];

    /// <summary>Starts a node: roles, slots; it serves HTTP on <see cref="HttpPortOf"/> (the sweeps API if a coordinator).</summary>
    public CliProcess Start(int node, string roles, int slots, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var env = new Dictionary<string, string>(Environment);
        if (extraEnvironment is not null) foreach (var (k, v) in extraEnvironment) env[k] = v;
        var process = new CliProcess(Scratch.Path, env, "node", "--roles", roles, "--host", "127.0.0.1",
            "--port", _ports[node].ToString(), "--seeds", $"127.0.0.1:{_ports[0]}", "--http-port", _httpPorts[node].ToString(),
            "--db", Db, "--create-db", "--slots", slots.ToString(), "--checkpoints", Path.Combine(Scratch.Path, "checkpoints"));
        while (_nodes.Count <= node) _nodes.Add(null!);
        if (_nodes[node] is { } before)
        {
            _stderrOfEarlierRuns.Add($"node {node} (an earlier run):\n{before.Stderr}");
            before.Dispose();
        }
        _nodes[node] = process;
        Assert.True(process.WaitForStderr(s => s.Contains("node up:"), StartTimeout), $"node {node} did not come up:\n{process.Stderr}");
        return process;
    }

    /// <summary>Waits until the API lists this many members, all up.</summary>
    public async Task WaitForMembersAsync(int count)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var members = await Http.GetFromJsonAsync<JsonElement>("api/nodes");
                if (members.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") == count) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        Assert.Fail($"the cluster did not reach {count} members up; node stderr:\n" + string.Join("\n---\n", _nodes.Select(n => n?.Stderr)));
    }

    /// <summary>The sweep's journal events, read through the API's event stream (which ends after sweep_finished).</summary>
    public Task<List<(string Name, JsonElement Data)>> EventsAsync(string sweepId) => EventsAsync(Http, sweepId);

    public static async Task<List<(string Name, JsonElement Data)>> EventsAsync(HttpClient http, string sweepId)
    {
        var events = new List<(string, JsonElement)>();
        using var stream = await http.GetStreamAsync($"api/sweeps/{sweepId}/events");
        using var reader = new StreamReader(stream);
        string? name = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) events.Add((name!, JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone()));
        }
        return events;
    }

    public string AllStderr => string.Join("\n--- next node\n", _stderrOfEarlierRuns.Concat(_nodes.Select((n, i) => $"node {i}:\n{n?.Stderr}")));

    public void Dispose()
    {
        foreach (var node in _nodes) node?.Dispose();
        Http.Dispose();
        Scratch.Dispose();
    }
}
