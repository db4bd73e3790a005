using System.Text.Json;

namespace LstmSweep.Deploy.Tests;

/// <summary>The image deploy/docker/Dockerfile builds, run on a real engine: it trains, it serves, it is not root.</summary>
[Collection(DockerCollection.Name)]
public sealed class ImageTests(DockerFixture docker)
{
    static readonly string Docker = DockerFixture.Docker;

    [Fact]
    public void TheRuntimeBaseLacksGLIBCXX3432SoTheImageBuildRanTheCompatibilityStep()
    {
        // Debian 12's libstdc++ stops at GLIBCXX_3.4.30: the TorchSharp in the image only loads because the build
        // stage (the same Debian) patched it. The quickstart test shows it loads and trains.
        var versions = Tool.Check(Docker, ["run", "--rm", "--network", "host", "--entrypoint", "bash", DockerFixture.Image, "-c",
            "grep -ao 'GLIBCXX_3\\.4\\.[0-9]*' $(ldconfig -p | awk '/libstdc\\+\\+\\.so\\.6 /{print $NF; exit}') | sort -uV | tail -1; " +
            "ls /app/runtimes/linux-x64/native/libLibTorchSharp.so; ls /app/runtimes"]).Stdout;
        var lines = versions.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("GLIBCXX_3.4.30", lines[0]);
        Assert.Contains("/app/runtimes/linux-x64/native/libLibTorchSharp.so", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("win") || l.StartsWith("osx")); // other systems' libtorch left out
    }

    [Fact]
    public void TheQuickstartTrainsInAContainer()
    {
        var run = Tool.Check(Docker, ["run", "--rm", "--network", "host", DockerFixture.Image,
            "run", "/app/examples/quickstart.yaml", "--output", "json"], TimeSpan.FromMinutes(5));
        using var json = JsonDocument.Parse(run.Stdout);
        var text = json.RootElement.ToString();
        var trials = json.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.True(trials.Count == 4, text);
        Assert.All(trials, t => Assert.Equal("complete", t.GetProperty("status").GetString()));
        Assert.All(trials, t => Assert.InRange(t.GetProperty("accuracy").GetDouble(), 0.5, 1.0));
        Assert.Equal("completed", json.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ANodeInAContainerServesHealthzAndReadyRunsAsNonRootAndLeavesOnStop()
    {
        var name = DockerFixture.ContainerName("node");
        var ports = FreePorts.Take(2);
        try
        {
            Tool.Check(Docker, ["run", "-d", "--name", name, "--network", "host",
                "-e", "LSTMSWEEP_HOST=127.0.0.1", "-e", $"LSTMSWEEP_PORT={ports[0]}", "-e", $"LSTMSWEEP_HTTP_PORT={ports[1]}",
                DockerFixture.Image, "node"]);
            var health = await Waiting.ForOkAsync($"http://127.0.0.1:{ports[1]}/healthz", TimeSpan.FromSeconds(60));
            Assert.True(health.Ok, $"/healthz: {health.Last}\n{Logs(name)}");
            var ready = await Waiting.ForOkAsync($"http://127.0.0.1:{ports[1]}/ready", TimeSpan.FromSeconds(60));
            Assert.True(ready.Ok, $"/ready: {ready.Last}\n{Logs(name)}");
            var metrics = await Waiting.ForOkAsync($"http://127.0.0.1:{ports[1]}/metrics", TimeSpan.FromSeconds(10));
            Assert.True(metrics.Ok && metrics.Last.Contains("process_"), metrics.Last);

            Assert.Equal("10001 10001", Tool.Check(Docker, ["exec", name, "sh", "-c", "echo $(id -u) $(id -g)"]).Stdout.Trim());
            Assert.Equal("10001:10001", Inspect(name, "{{.Config.User}}"));

            // The image's HEALTHCHECK (GET /healthz) turns the container healthy.
            Assert.True(await Waiting.UntilAsync(() => Inspect(name, "{{.State.Health.Status}}") == "healthy", TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(1)),
                $"health: {Inspect(name, "{{json .State.Health}}")}");

            // docker stop is SIGTERM: the node leaves the cluster and exits 0 well inside the grace period.
            Tool.Check(Docker, ["stop", "-t", "60", name], TimeSpan.FromSeconds(90));
            Assert.Equal("0", Inspect(name, "{{.State.ExitCode}}"));
            Assert.Contains("left the cluster", Logs(name));
        }
        finally
        {
            DockerFixture.RemoveContainer(name);
        }
    }

    [Fact]
    public void TheImageDeclaresThePortsEntrypointAndHealthcheckTheDeploymentsRelyOn()
    {
        Assert.Equal("""["/app/entrypoint.sh"]""", Inspect(DockerFixture.Image, "{{json .Config.Entrypoint}}"));
        var exposed = Inspect(DockerFixture.Image, "{{json .Config.ExposedPorts}}");
        Assert.Contains($"\"{Deployment.AkkaPort}/tcp\"", exposed);
        Assert.Contains($"\"{Deployment.HttpPort}/tcp\"", exposed);
        Assert.Contains("/app/healthcheck.sh", Inspect(DockerFixture.Image, "{{json .Config.Healthcheck.Test}}"));
        var env = Inspect(DockerFixture.Image, "{{json .Config.Env}}");
        Assert.Contains($"LSTMSWEEP_PORT={Deployment.AkkaPort}", env);
        Assert.Contains($"LSTMSWEEP_HTTP_PORT={Deployment.HttpPort}", env);
        // `lstmsweep` is the entrypoint: an argument is a CLI command.
        var validate = Tool.Run(Docker, "run", "--rm", "--network", "host", DockerFixture.Image, "validate", "/app/examples/quickstart.yaml");
        Assert.True(validate.ExitCode == 0, validate.ToString());
        var bad = Tool.Run(Docker, "run", "--rm", "--network", "host", DockerFixture.Image, "validate", "/app/examples/none.yaml");
        Assert.Equal(2, bad.ExitCode);
        Assert.NotEmpty(docker.BuildOutput);
    }

    static string Inspect(string name, string format) => Tool.Run(Docker, "inspect", "-f", format, name).Stdout.Trim();
    static string Logs(string name) { var r = Tool.Run(Docker, "logs", name); return r.Stdout + r.Stderr; }
}
