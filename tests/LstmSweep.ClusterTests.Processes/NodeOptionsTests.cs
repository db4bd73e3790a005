namespace LstmSweep.ClusterTests.Processes;

public sealed class NodeOptionsTests
{
    [Fact]
    public void NodeSettingsComeFromFlagsEnvironmentAndAppsettingsAndEveryBadOneIsReported()
    {
        using var scratch = new ScratchDirectory();
        scratch.Write("appsettings.json", """{ "node": { "http_port": "x" } }""");
        var env = new Dictionary<string, string> { ["LSTMSWEEP_PORT"] = "abc", ["LSTMSWEEP_ROLES"] = "worker,chef", ["LSTMSWEEP_SEEDS"] = "nohost" };

        var result = CliProcess.Run(scratch.Path, env, TimeSpan.FromMinutes(1), "node", "--slots", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("roles: unknown role 'chef'", result.Stderr);
        Assert.Contains("port: 'abc'", result.Stderr);
        Assert.Contains("http_port: 'x'", result.Stderr);
        Assert.Contains("seeds: 'nohost'", result.Stderr);
        Assert.Contains("slots: '0'", result.Stderr);
    }

    [Fact]
    public void ClientCommandsExit3WhenTheServerIsUnreachable()
    {
        using var scratch = new ScratchDirectory();
        var env = new Dictionary<string, string> { ["LSTMSWEEP_SERVER"] = "http://127.0.0.1:1" };
        foreach (var args in new[] { new[] { "status", "x-000000" }, ["nodes"], ["cancel", "x-000000"], ["list"] })
        {
            var result = CliProcess.Run(scratch.Path, env, TimeSpan.FromMinutes(1), args);
            Assert.True(result.ExitCode == 3, $"{string.Join(' ', args)}: {result}");
        }
    }

    [Fact]
    public void ANodeWhoseHttpPortIsTakenSaysSoAndWritesNothing()
    {
        using var scratch = new ScratchDirectory();
        var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var httpPort = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
            var db = scratch.File_("n.db");
            var result = CliProcess.Run(scratch.Path, null, TimeSpan.FromMinutes(1), "node", "--host", "127.0.0.1",
                "--port", FreePorts.Take(1)[0].ToString(), "--http-port", httpPort.ToString(), "--db", "sqlite:" + db, "--slots", "1");

            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains($"http_port: cannot listen on 127.0.0.1:{httpPort}", result.Stderr);
            Assert.Contains("--http-port", result.Stderr);
            Assert.DoesNotContain("node up", result.Stderr);
            Assert.False(File.Exists(db));
        }
        finally
        {
            taken.Stop();
        }
    }
}
