using System.Net;
using System.Text.Json;

namespace LstmSweep.ClusterTests.Processes;

/// <summary>
/// One sweep, read from its journal (--db) and from a node serving that journal (--server): the same CSV, the same
/// JSON, the same list, and a finished sweep cannot be cancelled (409).
/// </summary>
[Collection(nameof(ClusterProcesses))]
public sealed class OutputParityTests
{
    [Fact]
    public async Task DbAndServerPrintTheSameResultsAndAFinishedSweepIsNotCancelled()
    {
        using var cluster = new TestCluster(nodes: 1);
        var db = cluster.Db;
        var spec = cluster.Scratch.Write("spec.yaml", Specs.Counter("parity", epochs: 20));
        var run = CliProcess.Run(cluster.Scratch.Path, "run", spec, "--db", db, "--output", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var sweepId = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("sweep_id").GetString()!;

        cluster.Start(0, "coordinator", slots: 1);
        await cluster.WaitForMembersAsync(1);
        var server = new Dictionary<string, string> { ["LSTMSWEEP_SERVER"] = cluster.Server };
        CliResult FromDb(params string[] args) => CliProcess.Run(cluster.Scratch.Path, [.. args, "--db", db]);
        CliResult FromServer(params string[] args) => CliProcess.Run(cluster.Scratch.Path, server, TimeSpan.FromMinutes(1), args);

        foreach (var format in new[] { "csv", "json" })
        {
            var viaDb = FromDb("results", sweepId, "--output", format);
            var viaServer = FromServer("results", sweepId, "--output", format);
            Assert.True(viaDb.ExitCode == 0 && viaServer.ExitCode == 0, $"{viaDb}\n{viaServer}");
            Assert.Equal(viaDb.Stdout, viaServer.Stdout);
        }
        Assert.Equal(23, FromDb("results", sweepId, "--output", "csv").Stdout.Split('\n')[0].Split(',').Length);

        var listDb = FromDb("list", "--output", "json");
        var listServer = FromServer("list", "--output", "json");
        Assert.Equal(listDb.Stdout, listServer.Stdout);
        Assert.NotEqual(JsonValueKind.Null, JsonDocument.Parse(listServer.Stdout).RootElement[0].GetProperty("submitted_at").ValueKind);

        using var cancel = await cluster.Http.PostAsync($"api/sweeps/{sweepId}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
        Assert.Contains("already ended (completed)", await cancel.Content.ReadAsStringAsync());
        var cancelCli = FromServer("cancel", sweepId);
        Assert.True(cancelCli.ExitCode == 2, cancelCli.ToString());
    }
}
