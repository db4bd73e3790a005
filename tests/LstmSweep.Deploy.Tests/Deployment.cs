using System.Text.RegularExpressions;

namespace LstmSweep.Deploy.Tests;

/// <summary>
/// What the deployment files must agree with, read from the project's own source, never restated here: the node's
/// settings and defaults (src/LstmSweep.Node/NodeOptions.cs), the environment variables the code reads, the HTTP
/// paths the node serves, and the image's Dockerfile.
/// </summary>
public static class Deployment
{
    public static readonly string Root = CliProcess.RepositoryRoot;
    public static readonly string DockerfilePath = Path.Combine(Root, "deploy", "docker", "Dockerfile");
    public static readonly string ComposePath = Path.Combine(Root, "docker-compose.yml");
    public static readonly string DashboardsFolder = Path.Combine(Root, "deploy", "grafana", "dashboards");
    static readonly string NodeOptionsSource = File.ReadAllText(Path.Combine(Root, "src", "LstmSweep.Node", "NodeOptions.cs"));
    public static readonly string Dockerfile = File.ReadAllText(DockerfilePath);

    /// <summary>The node's default cluster (Akka) port.</summary>
    public static int AkkaPort => Default("Port");

    /// <summary>The node's default HTTP port (API, /healthz, /ready, /metrics).</summary>
    public static int HttpPort => Default("HttpPort");

    static int Default(string property)
    {
        var match = Regex.Match(NodeOptionsSource, $@"public int {property} {{ get; init; }} = (\d+);");
        Assert.True(match.Success, $"NodeOptions.{property}'s default not found in NodeOptions.cs");
        return int.Parse(match.Groups[1].Value);
    }

    /// <summary>
    /// Every LSTMSWEEP_* variable the code reads: the node's settings (NodeOptions.Keys, read as LSTMSWEEP_&lt;KEY&gt;)
    /// and every other one the source names (log level, OTLP, API token, ...).
    /// </summary>
    public static readonly IReadOnlySet<string> KnownVariables = ReadKnownVariables();

    static HashSet<string> ReadKnownVariables()
    {
        var keys = Regex.Match(NodeOptionsSource, @"Keys =\s*\[(?<keys>[^\]]*)\]");
        Assert.True(keys.Success, "NodeOptions.Keys not found in NodeOptions.cs");
        var known = Regex.Matches(keys.Groups["keys"].Value, "\"([a-z_]+)\"").Select(m => "LSTMSWEEP_" + m.Groups[1].Value.ToUpperInvariant()).ToHashSet();
        Assert.Contains("LSTMSWEEP_SEEDS", known);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories))
            foreach (Match m in Regex.Matches(File.ReadAllText(file), "\"(LSTMSWEEP_[A-Z_]+)\""))
                known.Add(m.Groups[1].Value);
        return known;
    }

    /// <summary>The node settings (NodeOptions.Keys) only: what `lstmsweep node` binds.</summary>
    public static readonly IReadOnlySet<string> NodeSettingVariables =
        Regex.Matches(Regex.Match(NodeOptionsSource, @"Keys =\s*\[(?<keys>[^\]]*)\]").Groups["keys"].Value, "\"([a-z_]+)\"")
            .Select(m => "LSTMSWEEP_" + m.Groups[1].Value.ToUpperInvariant()).ToHashSet();

    /// <summary>GET paths every node serves: the routes HttpApi maps, and the metrics path.</summary>
    public static readonly IReadOnlySet<string> ServedPaths = ReadServedPaths();

    static HashSet<string> ReadServedPaths()
    {
        var api = File.ReadAllText(Path.Combine(Root, "src", "LstmSweep.Node", "HttpApi.cs"));
        var paths = Regex.Matches(api, "MapGet\\(\"(/[a-z/]+)\"").Select(m => m.Groups[1].Value).ToHashSet();
        var telemetry = File.ReadAllText(Path.Combine(Root, "src", "LstmSweep.Node", "Telemetry", "NodeTelemetry.cs"));
        paths.Add(Regex.Match(telemetry, "MetricsPath = \"([^\"]+)\"").Groups[1].Value);
        return paths;
    }

    /// <summary>The Dockerfile's runtime user, uid:gid.</summary>
    public static (int Uid, int Gid) ImageUser
    {
        get
        {
            var match = Regex.Match(Dockerfile, @"^USER (\d+):(\d+)\s*$", RegexOptions.Multiline);
            Assert.True(match.Success, "the Dockerfile names no numeric USER uid:gid");
            return (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value));
        }
    }

    /// <summary>The Dockerfile's EXPOSE ports.</summary>
    public static IReadOnlySet<int> ExposedPorts =>
        Regex.Matches(Dockerfile, @"^EXPOSE (.+)$", RegexOptions.Multiline)
            .SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(int.Parse).ToHashSet();

    /// <summary>A default ENV value of the Dockerfile's runtime stage.</summary>
    public static string? DockerfileEnv(string name)
    {
        var match = Regex.Match(Dockerfile, $@"\b{name}=(\S+)");
        return match.Success ? match.Groups[1].Value : null;
    }
}
