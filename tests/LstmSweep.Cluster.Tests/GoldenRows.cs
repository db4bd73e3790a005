using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Cluster.Persistence.Stored;
using LstmSweep.Core.Spec;
using Microsoft.Data.Sqlite;

namespace LstmSweep.Cluster.Tests;

/// <summary>The golden journal rows (tests/LstmSweep.Cluster.Tests/Golden/&lt;version&gt;/&lt;manifest&gt;.json) and how tests use them.</summary>
public static class GoldenRows
{
    public const string SpecText = """
        name: golden
        task: stateful-counter
        strategy: grid
        scheduler: asha
        retries: 2
        asha: {min_epochs: 1, max_epochs: 9, reduction_factor: 3, pause: true}
        space: {units: [4, 5, 6, 7]}
        """;

    public static readonly SweepSpec Spec = SpecParser.Parse(SpecText).Spec!;

    /// <summary>The source folder (so LSTMSWEEP_WRITE_GOLDEN=1 can write new golden files where they are committed).</summary>
    public static string Folder { get; } = FindFolder();

    static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LstmSweep.Cluster.Tests.csproj"))) return Path.Combine(dir.FullName, "Golden");
        throw new DirectoryNotFoundException("tests/LstmSweep.Cluster.Tests not found above " + AppContext.BaseDirectory);
    }

    public static string PathOf(string manifest) => Path.Combine(Folder, manifest[(manifest.LastIndexOf('.') + 1)..], manifest + ".json");

    public static object Read(ActorSystem system, string manifest)
    {
        var serializer = (SerializerWithStringManifest)system.Serialization.FindSerializerForType(typeof(LstmSweep.Core.Sweeps.SweepFinished));
        return serializer.FromBinary(File.ReadAllBytes(PathOf(manifest)), manifest);
    }

    /// <summary>One row of a golden journal file (journal-*.jsonl): a manifest and the row as that version wrote it.</summary>
    public sealed record Row(string Manifest, byte[] Payload);

    public static IReadOnlyList<Row> Journal(string name) => File.ReadAllLines(Path.Combine(Folder, "v1", name + ".jsonl"))
        .Where(line => line.Length > 0)
        .Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            return new Row(doc.RootElement.GetProperty("manifest").GetString()!,
                System.Text.Encoding.UTF8.GetBytes(doc.RootElement.GetProperty("payload").GetRawText()));
        })
        .ToList();

    /// <summary>Writes rows into the SQLite journal as an older version's journal plugin did (the table must exist).</summary>
    public static void WriteJournal(string connectionString, string persistenceId, IEnumerable<Row> rows)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        long sequence = 0;
        foreach (var row in rows)
        {
            var insert = connection.CreateCommand();
            insert.CommandText = "insert into journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) " +
                                 "values ($created, 0, $id, $seq, $message, $manifest, $serializer, 'golden')";
            insert.Parameters.AddWithValue("$created", DateTime.UtcNow.Ticks);
            insert.Parameters.AddWithValue("$id", persistenceId);
            insert.Parameters.AddWithValue("$seq", ++sequence);
            insert.Parameters.AddWithValue("$message", row.Payload);
            insert.Parameters.AddWithValue("$manifest", row.Manifest);
            insert.Parameters.AddWithValue("$serializer", SweepSerializer.SerializerId);
            insert.ExecuteNonQuery();
        }
    }

    public static long Count(string connectionString, string sql)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }
}
