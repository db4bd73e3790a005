using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace LstmSweep.Deploy.Tests;

/// <summary>
/// docker-compose.yml run as a stack by docker-compose on the real engine: the coordinator and a worker from the
/// project's image, with an override that only swaps in host networking, distinct free ports and this machine's
/// journal (no registry of images here: PostgreSQL is the host's binaries on loopback, Prometheus the host's binary
/// scraping the same /metrics, Grafana is not run). A sweep goes through the coordinator with `lstmsweep submit --wait`.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class ComposeStackTests(DockerFixture docker) : IDisposable
{
    readonly string _project = "lstmsweeptest" + Guid.NewGuid().ToString("N")[..8];
    readonly ScratchDirectory _scratch = new();
    readonly PostgresServer _postgres = new();
    string? _override;
    string? _resolved;

    [Fact]
    public async Task TheStackRunsASweepSubmittedToTheCoordinatorAndPrometheusScrapesEveryNode()
    {
        Assert.NotNull(docker);
        var ports = FreePorts.Take(4);
        var (coordinatorHttp, workerHttp) = (ports[1], ports[3]);
        var journal = "postgres:" + _postgres.CreateDatabase("compose");
        // The stack is docker-compose.yml as docker-compose resolves it (`config`, with LSTMSWEEP_IMAGE naming the
        // test's image), less the published ports, which host networking refuses; then the override.
        var resolved = Compose.Config(ImageVariable);
        Assert.True(resolved.ExitCode == 0, resolved.ToString());
        var stack = new YamlStream();
        stack.Load(new StringReader(resolved.Stdout));
        foreach (var (_, service) in ((YamlMappingNode)((YamlMappingNode)stack.Documents[0].RootNode)["services"]).Children)
            ((YamlMappingNode)service).Children.Remove(new YamlScalarNode("ports"));
        using (var writer = new StreamWriter(_resolved = _scratch.File_("docker-compose.resolved.yml"))) stack.Save(writer, assignAnchors: false);
        _override = _scratch.Write("docker-compose.test.yml", $$"""
            # The test's override: host networking (the engine here has no bridge), free ports, the host's PostgreSQL.
            services:
              coordinator:
                network_mode: host
                restart: "no"
                environment:
                  LSTMSWEEP_HOST: 127.0.0.1
                  LSTMSWEEP_PORT: "{{ports[0]}}"
                  LSTMSWEEP_HTTP_PORT: "{{coordinatorHttp}}"
                  LSTMSWEEP_DB: "{{journal}}"
              worker:
                network_mode: host
                restart: "no"
                environment:
                  LSTMSWEEP_HOST: 127.0.0.1
                  LSTMSWEEP_PORT: "{{ports[2]}}"
                  LSTMSWEEP_HTTP_PORT: "{{workerHttp}}"
                  LSTMSWEEP_SEEDS: "127.0.0.1:{{ports[0]}}"
                  LSTMSWEEP_DB: "{{journal}}"
            """);

        // The compose file's own depends_on would start postgres (no image of it here): the test starts the services
        // in the order the health conditions give, waiting on the coordinator's own HEALTHCHECK in between.
        ComposeCheck("up", "-d", "--no-deps", "--no-build", "coordinator");
        var coordinator = ComposeCheck("ps", "-q", "coordinator").Stdout.Trim();
        Assert.True(await Waiting.UntilAsync(() => Health(coordinator) == "healthy", TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(1)),
            $"the coordinator did not turn healthy: {Health(coordinator)}\n{Logs()}");
        ComposeCheck("up", "-d", "--no-deps", "--no-build", "worker");
        var ready = await Waiting.ForOkAsync($"http://127.0.0.1:{workerHttp}/ready", TimeSpan.FromSeconds(90));
        Assert.True(ready.Ok, $"the worker did not join: {ready.Last}\n{Logs()}");

        using var prometheus = PrometheusServer.Scraping($"127.0.0.1:{coordinatorHttp}", $"127.0.0.1:{workerHttp}");

        var submit = CliProcess.Run(_scratch.Path, null, TimeSpan.FromMinutes(5),
            "submit", Path.Combine(Deployment.Root, "examples", "quickstart.yaml"), "--server", $"http://127.0.0.1:{coordinatorHttp}", "--wait", "--output", "json");
        Assert.True(submit.ExitCode == 0, submit + "\n" + Logs());
        using (var result = JsonDocument.Parse(submit.Stdout))
        {
            Assert.Equal("completed", result.RootElement.GetProperty("status").GetString());
            Assert.Equal(4, result.RootElement.GetProperty("counts").GetProperty("complete").GetInt32());
        }

        await prometheus.WaitForScrapesAsync($"127.0.0.1:{coordinatorHttp}", 3, TimeSpan.FromSeconds(60));
        await prometheus.WaitForScrapesAsync($"127.0.0.1:{workerHttp}", 3, TimeSpan.FromSeconds(60));
        // The worker trained the trials (its epoch timings are in Prometheus), the coordinator journalled their epochs.
        var timed = await prometheus.QueryValuesAsync($"sum(lstmsweep_epoch_duration_seconds_count{{instance=\"127.0.0.1:{workerHttp}\"}})");
        Assert.True(timed.Count == 1 && timed[0].Value > 0, "no epoch timings scraped from the worker");
        var epochs = await prometheus.QueryValuesAsync($"sum(lstmsweep_epochs_total{{instance=\"127.0.0.1:{coordinatorHttp}\"}})");
        Assert.True(epochs.Count == 1 && epochs[0].Value > 0, "no epochs scraped from the coordinator");

        // `down` stops the nodes with SIGTERM: each leaves the cluster and exits 0.
        var worker = ComposeCheck("ps", "-q", "worker").Stdout.Trim();
        ComposeCheck("stop", "worker", "coordinator");
        Assert.Equal("0", Inspect(worker, "{{.State.ExitCode}}"));
        Assert.Equal("0", Inspect(coordinator, "{{.State.ExitCode}}"));
    }

    ToolResult ComposeCheck(params string[] args)
    {
        var result = Tool.Run(DockerFixture.Compose, [.. ProjectArguments(), .. args], TimeSpan.FromMinutes(3), environment: ImageVariable);
        Assert.True(result.ExitCode == 0, result + "\n" + Logs());
        return result;
    }

    string Logs()
    {
        if (_override is null) return "";
        var logs = Tool.Run(DockerFixture.Compose, [.. ProjectArguments(), "logs", "--no-color", "--tail", "40"]);
        return logs.Stdout + logs.Stderr;
    }

    /// <summary>The file's own image variable, naming the image the fixture built.</summary>
    static readonly Dictionary<string, string> ImageVariable = new() { ["LSTMSWEEP_IMAGE"] = DockerFixture.Image };

    string[] ProjectArguments() => ["-p", _project, "--project-directory", Deployment.Root, "-f", _resolved!, "-f", _override!];

    static string Health(string container) => Inspect(container, "{{.State.Health.Status}}");
    static string Inspect(string container, string format) => Tool.Run(DockerFixture.Docker, "inspect", "-f", format, container).Stdout.Trim();

    public void Dispose()
    {
        if (_override is not null)
            Tool.Run(DockerFixture.Compose, [.. ProjectArguments(), "down", "-v", "--timeout", "60"], TimeSpan.FromMinutes(2));
        _postgres.Dispose();
        _scratch.Dispose();
    }
}
