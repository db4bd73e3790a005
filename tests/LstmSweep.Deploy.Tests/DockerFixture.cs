using System.Diagnostics;

namespace LstmSweep.Deploy.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DockerCollection : ICollectionFixture<DockerFixture>
{
    public const string Name = "docker";
}

/// <summary>
/// One docker engine and one build of the project's image for every container test of a run. No registry of images
/// is reachable here, so the base images are made locally (images/build-local-bases.sh: Debian 12 by debootstrap,
/// plus the host's .NET) and passed to deploy/docker/Dockerfile as its SDK_IMAGE and RUNTIME_IMAGE; they stay in the
/// engine, so later runs on the same machine skip that minute. The engine is started when none answers
/// (as root: dockerd without a bridge or iptables; every container uses host networking, loopback only).
/// No engine and no way to start one is a failure, never a skip.
/// </summary>
public sealed class DockerFixture : IDisposable
{
    public const string DebianImage = "lstmsweep-test/debian:bookworm";
    public const string RuntimeBase = "lstmsweep-test/aspnet:10.0";
    public const string SdkBase = "lstmsweep-test/sdk:10.0";
    public const string Image = "lstmsweep-test/lstmsweep:latest";

    /// <summary>Debian's docker client when installed (it matches Debian's dockerd), else the one on PATH.</summary>
    public static readonly string Docker = Tool.Find("docker", "/usr/bin/docker");
    public static readonly string Compose = Tool.Find("docker-compose", "/usr/bin/docker-compose");
    static readonly string Dockerd = Tool.Find("dockerd", "/usr/sbin/dockerd", "/usr/bin/dockerd");

    Process? _dockerd;
    public string BuildOutput { get; }
    public TimeSpan BuildTime { get; }

    public DockerFixture()
    {
        EnsureEngine();
        var cache = Environment.IsPrivilegedProcess ? "/var/cache/lstmsweep-deploy-tests" : Path.Combine(Path.GetTempPath(), "lstmsweep-deploy-tests");
        Directory.CreateDirectory(cache);
        Tool.Check("bash", [Path.Combine(AppContext.BaseDirectory, "images", "build-local-bases.sh"), cache, DebianImage, RuntimeBase, SdkBase],
            TimeSpan.FromMinutes(10), environment: new Dictionary<string, string> { ["DOCKER"] = Docker });

        var clock = Stopwatch.StartNew();
        using var feed = new LocalNuGetFeed(preferredPort: 47311);
        var build = Tool.Run(Docker, BuildArguments(feed.ServiceIndex), TimeSpan.FromMinutes(15));
        BuildTime = clock.Elapsed;
        Assert.True(build.ExitCode == 0, "the image did not build:\n" + build);
        BuildOutput = build.Stdout + build.Stderr;
        // The build stage's layers are the cache of the next build (the restore alone is ~2.5 GB) but, in a multi-stage
        // build, dangling: only leftovers older than a day go.
        Tool.Run(Docker, "image", "prune", "-f", "--filter", "until=24h");
    }

    static List<string> BuildArguments(string nugetSource)
    {
        var args = new List<string>
        {
            "build", "--network", "host", "-f", "deploy/docker/Dockerfile",
            "--build-arg", "SDK_IMAGE=" + SdkBase, "--build-arg", "RUNTIME_IMAGE=" + RuntimeBase, "-t", Image,
        };
        // LSTMSWEEP_DEPLOY_TESTS_NUGET=registry restores from the image's default source (the public registry)
        // instead of the local feed: the SDK base carries the host's CA bundle, and the registry's address, when the
        // host has it in /etc/hosts, goes in by --add-host (a build container does not inherit that file).
        if (Environment.GetEnvironmentVariable("LSTMSWEEP_DEPLOY_TESTS_NUGET") != "registry")
            args.AddRange(["--build-arg", "NUGET_SOURCE=" + nugetSource]);
        foreach (var (host, address) in HostsEntries()) args.AddRange(["--add-host", $"{host}:{address}"]);
        args.Add(".");
        return args;
    }

    /// <summary>The host's /etc/hosts names other than loopback ones, read now (never written into a file).</summary>
    static IEnumerable<(string Host, string Address)> HostsEntries()
    {
        if (!File.Exists("/etc/hosts")) yield break;
        foreach (var line in File.ReadLines("/etc/hosts"))
        {
            var fields = line.Split('#')[0].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || fields[0].StartsWith("127.") || fields[0] is "::1" || fields[0].StartsWith("fe") || fields[0].StartsWith("ff")) continue;
            foreach (var host in fields.Skip(1)) yield return (host, fields[0]);
        }
    }

    void EnsureEngine()
    {
        if (Tool.Run(Docker, "info").ExitCode == 0) return;
        Assert.True(File.Exists(Dockerd) || Dockerd == "dockerd",
            $"no docker engine answers ({Docker} info) and no dockerd to start: install docker.io (.ci/run does)");
        Assert.True(Environment.IsPrivilegedProcess,
            $"no docker engine answers ({Docker} info) and starting dockerd needs root: start it, or run as root (CI does)");
        var log = Path.Combine(Path.GetTempPath(), $"lstmsweep-dockerd-{Environment.ProcessId}.log");
        var start = new ProcessStartInfo(Dockerd)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        // No bridge, no iptables: the machine allows neither; containers use host networking.
        foreach (var arg in new[] { "--bridge=none", "--iptables=false", "--ip-masq=false" }) start.ArgumentList.Add(arg);
        _dockerd = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        _dockerd.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        _dockerd.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        _dockerd.BeginOutputReadLine();
        _dockerd.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_dockerd.HasExited) break;
            if (Tool.Run(Docker, "info").ExitCode == 0) return;
            Thread.Sleep(500);
        }
        string text;
        lock (output) text = output.ToString();
        Assert.Fail($"dockerd did not come up:\n{text[Math.Max(0, text.Length - 4000)..]}");
    }

    /// <summary>A unique container name, so a run never meets a leftover of another.</summary>
    public static string ContainerName(string purpose) => $"lstmsweep-test-{purpose}-{Guid.NewGuid():N}"[..40];

    public static void RemoveContainer(string name) => Tool.Run(Docker, "rm", "-f", "-v", name);

    public void Dispose()
    {
        if (_dockerd is null) return;
        Tool.Run("kill", "-TERM", _dockerd.Id.ToString()); // SIGTERM: dockerd stops its containers and exits cleanly
        if (!_dockerd.WaitForExit(TimeSpan.FromSeconds(30))) _dockerd.Kill();
        _dockerd.Dispose();
    }
}
