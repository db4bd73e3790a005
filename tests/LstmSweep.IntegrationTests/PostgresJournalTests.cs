using System.Diagnostics;
using System.Text.Json;
using Npgsql;

namespace LstmSweep.IntegrationTests;

/// <summary>
/// The real `lstmsweep` on a real PostgreSQL server: a sweep written, read back, killed and resumed, each test in a
/// database of its own that starts empty.
/// </summary>
[Collection(PostgresCollection.Name)]
public class PostgresJournalTests(PostgresServer server)
{
    [Fact]
    public void RunThenResultsAndListReadTheSweepBack()
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("spec.yaml", Specs.Counter("pg-counter", epochs: 20));
        var db = "postgres:" + server.CreateDatabase();

        var run = CliProcess.Run(dir.Path, "run", spec, "--db", db, "--slots", "2", "--output", "json");
        Assert.True(run.ExitCode == 0, run + "\n--- server log\n" + server.LogTail());
        var root = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("completed", root.GetProperty("status").GetString());
        var sweepId = root.GetProperty("sweep_id").GetString()!;
        Assert.StartsWith("pg-counter-", sweepId);
        Assert.Equal(4, root.GetProperty("counts").GetProperty("complete").GetInt32());
        Assert.Contains("journal postgres:", run.Stderr);
        Assert.DoesNotContain(PostgresServer.Password, run.Stderr); // the journal's description leaves the password out

        var results = CliProcess.Run(dir.Path, "results", sweepId, "--db", db, "--output", "json");
        Assert.True(results.ExitCode == 0, results.ToString());
        Assert.Equal(run.Stdout.Trim(), results.Stdout.Trim());

        var list = CliProcess.Run(dir.Path, "list", "--db", db, "--output", "json");
        Assert.True(list.ExitCode == 0, list.ToString());
        var sweep = Assert.Single(JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray());
        Assert.Equal(sweepId, sweep.GetProperty("sweep_id").GetString());
        Assert.Equal("completed", sweep.GetProperty("status").GetString());
        Assert.Equal(4, sweep.GetProperty("trials").GetInt32());
        Assert.Equal(JsonSerializer.Serialize(root.GetProperty("counts")), JsonSerializer.Serialize(sweep.GetProperty("counts")));
        Assert.Equal(root.GetProperty("best").GetProperty("trial_id").GetInt32(), sweep.GetProperty("best_trial_id").GetInt32());
        Assert.Equal(root.GetProperty("best").GetProperty("accuracy").GetDouble(), sweep.GetProperty("best_objective").GetDouble());
    }

    [Fact]
    public void TablesAreCreatedOnFirstStartInAnEmptyDatabase()
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("spec.yaml", Specs.Counter("pg-fresh", epochs: 3));
        var connection = server.CreateDatabase("fresh");
        Assert.Empty(PublicTables(connection));

        var run = CliProcess.Run(dir.Path, "run", spec, "--db", "postgres:" + connection, "--output", "json");
        Assert.True(run.ExitCode == 0, run + "\n--- server log\n" + server.LogTail());
        var sweepId = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("sweep_id").GetString()!;

        // Akka.Persistence.Sql's default table mapping: journal (+ tags) and snapshot, in the user's default schema.
        var tables = PublicTables(connection);
        Assert.Contains("journal", tables);
        Assert.Contains("snapshot", tables);
        using var conn = new NpgsqlConnection(connection);
        conn.Open();
        using var count = new NpgsqlCommand("SELECT count(*) FROM journal WHERE persistence_id = @id", conn);
        count.Parameters.AddWithValue("id", "sweep-" + sweepId);
        Assert.True((long)count.ExecuteScalar()! > 4, "the sweep's events are in the journal table");
    }

    [Fact]
    public void ResumeAfterSigkillKeepsFinishedTrialsAndRunsTheRestOnce()
    {
        using var dir = new ScratchDirectory();
        ResumeScenario.KillAndResume(dir, "pg-resume", "postgres:" + server.CreateDatabase(), pauseBeforeKill: TimeSpan.Zero);
    }

    public static TheoryData<string, string> Unreachable => new()
    {
        { "wrong-password", "password authentication failed" },
        { "closed-port", "Connection refused" },
        { "missing-database", "does not exist" },
    };

    [Theory]
    [MemberData(nameof(Unreachable))]
    public void AnUnreachableDatabaseFailsAtOnceWithTheReason(string problem, string reason)
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("spec.yaml", Specs.Counter("pg-unreachable", epochs: 3));
        var good = new NpgsqlConnectionStringBuilder(server.CreateDatabase("unreachable"));
        var bad = new NpgsqlConnectionStringBuilder(good.ConnectionString);
        switch (problem)
        {
            case "wrong-password": bad.Password = "not-the-password"; break;
            case "closed-port": bad.Port = ClosedPort(); break;
            case "missing-database": bad.Database = "no_such_database"; break;
        }
        var db = "postgres:" + bad.ConnectionString;

        foreach (var args in new[] { new[] { "run", spec, "--db", db }, ["list", "--db", db], ["results", "x-000000", "--db", db],
                     ["run", spec, "--db", db, "--resume", "x-000000"] })
        {
            var clock = Stopwatch.StartNew();
            var result = CliProcess.Run(dir.Path, args);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{args[0]} took {clock.Elapsed}:\n{result}");
            Assert.True(result.ExitCode == 2, $"{string.Join(' ', args[..1])}: {result}");
            Assert.Contains("cannot connect to the journal database", result.Stderr);
            Assert.Contains(reason, result.Stderr);
            Assert.DoesNotContain("not-the-password", result.Stderr);
            Assert.Equal("", result.Stdout.Trim());
        }
        Assert.Empty(PublicTables(good.ConnectionString)); // nothing was written anywhere
    }

    static List<string> PublicTables(string connectionString)
    {
        using var conn = new NpgsqlConnection(connectionString);
        conn.Open();
        using var query = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name", conn);
        using var reader = query.ExecuteReader();
        var tables = new List<string>();
        while (reader.Read()) tables.Add(reader.GetString(0));
        return tables;
    }

    static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
