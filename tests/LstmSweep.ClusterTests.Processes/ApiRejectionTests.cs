using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace LstmSweep.ClusterTests.Processes;

/// <summary>One coordinator node with LSTMSWEEP_API_TOKEN set, started once for <see cref="ApiRejectionTests"/>.</summary>
public sealed class TokenNode : IAsyncLifetime
{
    public const string Token = "s3cret-token";
    public TestCluster Cluster { get; } = new(nodes: 1);

    /// <summary>Sends no token unless a test adds one.</summary>
    public HttpClient Anonymous => anonymous ??= Cluster.NewClientWithoutToken();
    HttpClient? anonymous;

    public async Task InitializeAsync()
    {
        Cluster.Environment["LSTMSWEEP_API_TOKEN"] = Token;
        Cluster.Start(0, "coordinator", slots: 1);
        await Cluster.WaitForMembersAsync(1);
    }

    public Task DisposeAsync()
    {
        Cluster.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Malformed POST /api/sweeps bodies against one running node: each is refused with its reason, none is kept.</summary>
[Collection(nameof(ClusterProcesses))]
public sealed class ApiRejectionTests(TokenNode node) : IClassFixture<TokenNode>
{
    const string Head = "name: bad\ntask: cumsum\n";

    /// <summary>Case name: body, bearer token (null: none), expected status, expected error path (400 only), message fragment.</summary>
    static readonly Dictionary<string, (string Body, string? Bearer, HttpStatusCode Status, string? Path, string Fragment)> Cases = new()
    {
        ["bad YAML"] = ("name: s\ntask: [cumsum\n", TokenNode.Token, HttpStatusCode.BadRequest, "", "invalid YAML at line"),
        ["JSON syntax error"] = ("{\"name\": \"s\", \"task\": \"cumsum\",, }", TokenNode.Token, HttpStatusCode.BadRequest, "", "invalid JSON at line 1"),
        ["a list, not a mapping"] = ("- name: s\n", TokenNode.Token, HttpStatusCode.BadRequest, "", "the spec must be a mapping of keys"),
        ["empty body"] = ("", TokenNode.Token, HttpStatusCode.BadRequest, "", "the spec is empty"),
        ["unknown top-level key"] = (Head + "spcae: {}\n", TokenNode.Token, HttpStatusCode.BadRequest, "spcae", "unknown key 'spcae'; allowed: name, task"),
        ["unknown space key"] = (Head + "space: {dropout: [0.1]}\n", TokenNode.Token, HttpStatusCode.BadRequest, "space.dropout", "unknown hyperparameter 'dropout'"),
        ["units not a number"] = (Head + "space: {units: [ten]}\n", TokenNode.Token, HttpStatusCode.BadRequest, "space.units[0]", "expected a positive integer, got 'ten'"),
        ["units a JSON string"] = ("{\"name\": \"s\", \"task\": \"cumsum\", \"space\": {\"units\": [\"ten\"]}}", TokenNode.Token, HttpStatusCode.BadRequest,
            "space.units[0]", "got the string \"ten\""),
        ["seed not an integer"] = (Head + "seed: 1.5\n", TokenNode.Token, HttpStatusCode.BadRequest, "seed", "expected an integer, got '1.5'"),
        ["stateful not a boolean"] = (Head + "space: {stateful: [yes]}\n", TokenNode.Token, HttpStatusCode.BadRequest, "space.stateful[0]", "expected true or false, got 'yes'"),
        ["empty list"] = (Head + "space: {units: []}\n", TokenNode.Token, HttpStatusCode.BadRequest, "space.units", "empty list"),
        ["negative units"] = (Head + "space: {units: [-4]}\n", TokenNode.Token, HttpStatusCode.BadRequest, "space.units[0]", "expected a positive integer, got '-4'"),
        ["learning rate 0"] = (Head + "space: {learning_rate: [0]}\n", TokenNode.Token, HttpStatusCode.BadRequest, "space.learning_rate[0]", "expected a number in (0, 10], got '0'"),
        ["unknown task"] = ("name: s\ntask: sine\n", TokenNode.Token, HttpStatusCode.BadRequest, "task", "unknown task 'sine'; allowed: cumsum"),
        ["unknown merge mode"] = (Head + "space: {merge_mode: [avg]}\n", TokenNode.Token, HttpStatusCode.BadRequest, "space.merge_mode[0]", "unknown merge mode 'avg'"),
        ["bad name"] = ("name: My Sweep\ntask: cumsum\n", TokenNode.Token, HttpStatusCode.BadRequest, "name", "invalid name 'My Sweep'"),
        ["task_options for a task without options"] = ("name: s\ntask: stateful-counter\ntask_options: {timesteps: 5}\n", TokenNode.Token, HttpStatusCode.BadRequest,
            "task_options.timesteps", "it takes no options"),
        ["task_options key of another task"] = (Head + "task_options: {n_max: 5}\n", TokenNode.Token, HttpStatusCode.BadRequest, "task_options.n_max",
            "unknown option 'n_max' for task cumsum"),
        ["grid larger than max_trials"] = (Head + "max_trials: 3\nspace: {units: [1, 2], merge_mode: [none, sum]}\n", TokenNode.Token, HttpStatusCode.BadRequest,
            "max_trials", "the grid has 4 points but max_trials is 3"),
        ["a range with grid"] = (Head + "space: {units: {min: 10, max: 20}}\n", TokenNode.Token, HttpStatusCode.BadRequest, "space.units", "use a list, or strategy: random"),
        ["relative array path"] = ("name: arr\ntask: array\ntask_options:\n  path: data/series.csv\n", TokenNode.Token, HttpStatusCode.BadRequest,
            "task_options.path", "absolute path"),
        // Issue 12: requests that used to stop, exhaust or read the node.
        ["a name with a final newline"] = ("name: \"poison\\n\"\ntask: cumsum\n", TokenNode.Token, HttpStatusCode.BadRequest, "name", "invalid name"),
        ["a block-scalar name"] = ("name: |\n  poison\ntask: cumsum\n", TokenNode.Token, HttpStatusCode.BadRequest, "name", "invalid name"),
        ["80 KB of nested brackets"] = (new string('[', 80_000), TokenNode.Token, HttpStatusCode.BadRequest, "", "levels deep"),
        ["400k-deep block lists"] = ("a:\n" + string.Concat(Enumerable.Repeat("- ", 400_000)) + "x\n", TokenNode.Token, HttpStatusCode.BadRequest, "", "levels deep"),
        ["max_trials 2147483647"] = (Head + "strategy: random\nmax_trials: 2147483647\n", TokenNode.Token, HttpStatusCode.BadRequest, "max_trials",
            "more than the 100000 a sweep may plan (the limit max_planned_trials)"),
        ["an 8e9-point grid"] = (Head + "space: {units: " + Values(2000) + ", epochs: " + Values(2000) + ", batch_size: " + Values(2000) + "}\n",
            TokenNode.Token, HttpStatusCode.BadRequest, "space", "the grid has 8000000000 points"),
        ["retries 2147483647"] = (Head + "retries: 2147483647\n", TokenNode.Token, HttpStatusCode.BadRequest, "retries", "(the limit max_retries)"),
        ["timesteps 2147483647"] = (Head + "task_options: {timesteps: 2147483647}\n", TokenNode.Token, HttpStatusCode.BadRequest,
            "task_options.timesteps", "(the limit max_timesteps)"),
        ["samples 2147483647"] = ("name: s\ntask: echo-second\ntask_options: {samples: 2147483647}\n", TokenNode.Token, HttpStatusCode.BadRequest,
            "task_options.samples", "(the limit max_samples)"),
        ["classes 2147483647"] = ("name: s\ntask: echo-second\ntask_options: {n_max: 2147483647}\n", TokenNode.Token, HttpStatusCode.BadRequest,
            "task_options.n_max", "(the limit max_classes)"),
        ["a trial larger than the memory a trial may use"] = (Head + "task_options: {timesteps: 10000}\nspace: {units: [4000], batch_size: [60000]}\n",
            TokenNode.Token, HttpStatusCode.BadRequest, "space", "(the limit max_trial_memory_bytes)"),
        ["/etc/shadow"] = (ArraySpec("/etc/shadow"), TokenNode.Token, HttpStatusCode.BadRequest, "task_options.path", "this node reads no data files for submitted specs"),
        ["/proc/self/environ"] = (ArraySpec("/proc/self/environ"), TokenNode.Token, HttpStatusCode.BadRequest, "task_options.path", "this node reads no data files"),
        ["/proc/self/mounts"] = (ArraySpec("/proc/self/mounts"), TokenNode.Token, HttpStatusCode.BadRequest, "task_options.path", "this node reads no data files"),
        ["/dev/zero"] = (ArraySpec("/dev/zero"), TokenNode.Token, HttpStatusCode.BadRequest, "task_options.path", "this node reads no data files"),
        ["../../ escape"] = (ArraySpec("../../etc/passwd"), TokenNode.Token, HttpStatusCode.BadRequest, "task_options.path", "absolute path"),
        ["a NUL in the path"] = ("name: arr\ntask: array\ntask_options: {path: \"/data/a\\0b.csv\"}\n", TokenNode.Token, HttpStatusCode.BadRequest,
            "task_options.path", "NUL or control character"),
        ["missing token"] = (Specs.Counter(), null, HttpStatusCode.Unauthorized, null, "missing or wrong bearer token"),
        ["wrong token"] = (Specs.Counter(), "wrong", HttpStatusCode.Unauthorized, null, "missing or wrong bearer token"),
        ["body over 1 MiB"] = (Specs.Counter() + "\n#" + new string('x', 1024 * 1024 + 10), TokenNode.Token, HttpStatusCode.RequestEntityTooLarge, null,
            "larger than 1048576 bytes"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    static string Values(int n) => "[" + string.Join(", ", Enumerable.Range(1, n)) + "]";

    static string ArraySpec(string path) => $"name: arr\ntask: array\ntask_options: {{path: '{path}'}}\n";

    static HttpRequestMessage Get(string path, string? scheme = "Bearer", string? token = TokenNode.Token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (scheme is not null) request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {token}");
        return request;
    }

    [Theory]
    [InlineData("api/sweeps")]
    [InlineData("api/sweeps/nope-000000")]
    [InlineData("api/sweeps/nope-000000/trials")]
    [InlineData("api/sweeps/nope-000000/events")]
    [InlineData("api/nodes")]
    public async Task ReadsNeedTheTokenToo(string path)
    {
        using var none = await node.Anonymous.SendAsync(Get(path, scheme: null));
        using var wrong = await node.Anonymous.SendAsync(Get(path, token: "s3cret-tokem"));
        using var longer = await node.Anonymous.SendAsync(Get(path, token: TokenNode.Token + "x"));
        using var lowercase = await node.Anonymous.SendAsync(Get(path, scheme: "bearer"));

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, longer.StatusCode);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        // RFC 7235: the scheme is case-insensitive; with the token, the request gets past the check (200 or 404).
        Assert.True(lowercase.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{path}: {(int)lowercase.StatusCode}");
        await AssertUpAndEmptyAsync();
    }

    [Fact]
    public async Task HealthReadinessAndMetricsStayOpen()
    {
        foreach (var path in new[] { "healthz", "ready", "metrics" })
        {
            using var response = await node.Anonymous.SendAsync(Get(path, scheme: null));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        }
    }

    [Theory]
    [InlineData("api/sweeps?limit=0", "limit")]
    [InlineData("api/sweeps?limit=100000", "limit")]
    [InlineData("api/sweeps?offset=-1", "offset")]
    [InlineData("api/sweeps?view=everything", "view")]
    public async Task ABadPageRequestNamesItsParameter(string path, string parameter)
    {
        using var response = await node.Anonymous.SendAsync(Get(path));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(parameter, problem.GetProperty("errors")[0].GetProperty("path").GetString());
        await AssertUpAndEmptyAsync();
    }

    [Fact]
    public async Task TheSummaryViewAndPagesAnswerWithTheTotalCount()
    {
        using var response = await node.Anonymous.SendAsync(Get("api/sweeps?view=summary&limit=10&offset=0"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("0", response.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(0, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task AMalformedRequestIsRefusedWithItsReasonAndNothingIsKept(string name)
    {
        var (body, bearer, expected, path, fragment) = Cases[name];
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/sweeps") { Content = new StringContent(body, Encoding.UTF8, "application/yaml") };
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        // The server answers 413 from Content-Length alone: without 100-continue the client may still be sending the
        // body when the server closes the connection (a reset instead of the answer).
        request.Headers.ExpectContinue = true;
        using var response = await node.Anonymous.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(expected == response.StatusCode, $"{name}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        if (path is null)
            Assert.Contains(fragment, problem.GetProperty("title").GetString());
        else
        {
            var errors = problem.GetProperty("errors").EnumerateArray().Select(e => (Path: e.GetProperty("path").GetString(), Message: e.GetProperty("message").GetString()!)).ToList();
            Assert.True(errors.Any(e => e.Path == path && e.Message.Contains(fragment, StringComparison.Ordinal)),
                $"{name}: expected {path}: ...{fragment}..., got:\n{string.Join("\n", errors.Select(e => $"{e.Path}: {e.Message}"))}");
        }

        await AssertUpAndEmptyAsync();
    }

    [Fact]
    public async Task CancelWithoutTheTokenIs401AndAnUnknownSweepIs404()
    {
        using (var cancel = new HttpRequestMessage(HttpMethod.Post, "api/sweeps/nope-000000/cancel"))
            Assert.Equal(HttpStatusCode.Unauthorized, (await node.Anonymous.SendAsync(cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await node.Anonymous.SendAsync(Get("api/sweeps/nope-000000"))).StatusCode);
        await AssertUpAndEmptyAsync();
    }

    async Task AssertUpAndEmptyAsync()
    {
        var http = node.Anonymous;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("ready")).StatusCode);
        using var sweeps = await http.SendAsync(Get("api/sweeps"));
        Assert.Equal(0, JsonDocument.Parse(await sweeps.Content.ReadAsStringAsync()).RootElement.GetArrayLength()); // nothing reached the journal
    }
}
