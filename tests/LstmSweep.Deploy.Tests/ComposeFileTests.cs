using YamlDotNet.RepresentationModel;

namespace LstmSweep.Deploy.Tests;

/// <summary>docker-compose.yml read by docker-compose (no engine needed): accepted, and consistent with the node and the image.</summary>
public sealed class ComposeFileTests
{
    static readonly Lazy<YamlMappingNode> Services = new(() =>
    {
        var config = Compose.Config();
        Assert.True(config.ExitCode == 0, config.ToString());
        return Compose.Services(config.Stdout);
    });

    [Fact]
    public void DockerComposeAcceptsTheFileAndEveryImageIsOverridableByAVariable()
    {
        var services = Services.Value;
        Assert.Equal(["coordinator", "grafana", "postgres", "prometheus", "worker"], services.Children.Keys.Select(k => k.Text()!).Order());
        var overridden = Compose.Config(new Dictionary<string, string>
        {
            ["LSTMSWEEP_IMAGE"] = "registry.example/lstmsweep:7", ["POSTGRES_IMAGE"] = "pg:x", ["PROMETHEUS_IMAGE"] = "prom:x", ["GRAFANA_IMAGE"] = "graf:x",
        });
        Assert.True(overridden.ExitCode == 0, overridden.ToString());
        var images = Compose.Services(overridden.Stdout);
        Assert.Equal("registry.example/lstmsweep:7", images.Service("coordinator").Get("image").Text());
        Assert.Equal("registry.example/lstmsweep:7", images.Service("worker").Get("image").Text());
        Assert.Equal("pg:x", images.Service("postgres").Get("image").Text());
        Assert.Equal("prom:x", images.Service("prometheus").Get("image").Text());
        Assert.Equal("graf:x", images.Service("grafana").Get("image").Text());
        Assert.Equal("lstmsweep:latest", services.Service("coordinator").Get("image").Text()); // what k8s/base deploys too
        Assert.Equal("deploy/docker/Dockerfile", services.Service("coordinator").Get("build")!.Get("dockerfile").Text());
    }

    [Fact]
    public void EveryLSTMSWEEPVariableIsOneTheCodeReadsAndThePortsAreTheImages()
    {
        var services = Services.Value;
        foreach (var name in new[] { "coordinator", "worker" })
        {
            var env = services.Service(name).Environment();
            var unknown = env.Keys.Where(k => k.StartsWith("LSTMSWEEP_") && !Deployment.KnownVariables.Contains(k)).ToList();
            Assert.True(unknown.Count == 0, $"{name}: not read by the code: {string.Join(", ", unknown)}");
            Assert.Equal(Deployment.AkkaPort.ToString(), env["LSTMSWEEP_PORT"]);
            Assert.Equal(Deployment.HttpPort.ToString(), env["LSTMSWEEP_HTTP_PORT"]);
            Assert.StartsWith("postgres:Host=postgres;", env["LSTMSWEEP_DB"]);
            Assert.Equal(["node"], ((YamlSequenceNode)services.Service(name).Get("command")!).Select(c => c.Text()));
        }
        var coordinator = services.Service("coordinator").Environment();
        Assert.Equal("coordinator", coordinator["LSTMSWEEP_ROLES"]);
        Assert.False(coordinator.ContainsKey("LSTMSWEEP_SEEDS")); // the coordinator is the seed: it joins itself
        var worker = services.Service("worker").Environment();
        Assert.Equal($"{coordinator["LSTMSWEEP_HOST"]}:{coordinator["LSTMSWEEP_PORT"]}", worker["LSTMSWEEP_SEEDS"]);
        Assert.Equal("coordinator", coordinator["LSTMSWEEP_HOST"]); // the service name other containers resolve
        var published = ((YamlSequenceNode)services.Service("coordinator").Get("ports")!).Single();
        Assert.Equal(Deployment.HttpPort.ToString(), published.Get("target").Text());
    }

    [Fact]
    public void WorkersScaleAndEveryServiceWaitsForAHealthyDependency()
    {
        var services = Services.Value;
        var worker = services.Service("worker");
        Assert.Null(worker.Get("container_name")); // a fixed name or host port would stop --scale worker=N
        Assert.Null(worker.Get("ports"));
        Assert.Equal("auto", worker.Environment()["LSTMSWEEP_HOST"]); // each container advertises its own address
        Assert.Equal("service_healthy", services.Service("coordinator").Get("depends_on")!.Get("postgres")!.Get("condition").Text());
        Assert.Equal("service_healthy", worker.Get("depends_on")!.Get("coordinator")!.Get("condition").Text());
        Assert.NotNull(services.Service("postgres").Get("healthcheck"));
        Assert.Contains(services.Service("postgres").Volumes(), v => v.Target == "/var/lib/postgresql/data");
        Assert.Contains(worker.Volumes(), v => v.Target == worker.Environment()["LSTMSWEEP_CHECKPOINTS"]); // shared by the workers
        // A node's SIGTERM starts the graceful leave: the default 10 s before SIGKILL is too short for it.
        foreach (var node in new[] { "coordinator", "worker" }) Assert.Equal("60s", services.Service(node).Get("stop_grace_period").Text());
    }

    [Fact]
    public void PrometheusAndGrafanaUseDeployPrometheusAndDeployGrafana()
    {
        var services = Services.Value;
        string Source(string service, string target) => services.Service(service).Volumes().Single(v => v.Target == target).Source;
        Assert.Equal(Path.Combine(Deployment.Root, "deploy", "prometheus"), Source("prometheus", "/etc/prometheus"));
        Assert.Contains("--config.file=/etc/prometheus/prometheus.yml", ((YamlSequenceNode)services.Service("prometheus").Get("command")!).Select(c => c.Text()));
        Assert.Equal(Path.Combine(Deployment.Root, "deploy", "grafana", "provisioning"), Source("grafana", "/etc/grafana/provisioning"));
        // The provider (deploy/grafana/provisioning/dashboards) loads /var/lib/grafana/dashboards: the dashboards are mounted there.
        Assert.Equal(Deployment.DashboardsFolder, Source("grafana", "/var/lib/grafana/dashboards"));
        Assert.Contains("path: /var/lib/grafana/dashboards", File.ReadAllText(Path.Combine(Deployment.Root, "deploy", "grafana", "provisioning", "dashboards", "lstmsweep.yml")));
        var grafana = services.Service("grafana").Environment();
        Assert.Equal("true", grafana["GF_AUTH_ANONYMOUS_ENABLED"]);
        Assert.Equal("Viewer", grafana["GF_AUTH_ANONYMOUS_ORG_ROLE"]);
        // The datasource's url is the compose service and its port.
        Assert.Contains("url: http://prometheus:9090", File.ReadAllText(Path.Combine(Deployment.Root, "deploy", "grafana", "provisioning", "datasources", "prometheus.yml")));
        Assert.Contains("coordinator:" + Deployment.HttpPort, File.ReadAllText(Path.Combine(Deployment.Root, "deploy", "prometheus", "prometheus.yml")));
    }
}
