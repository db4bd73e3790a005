using Microsoft.Data.Sqlite;

namespace LstmSweep.Cluster.Persistence;

public enum DatabaseKind { Sqlite, Postgres }

/// <summary>
/// Where the journal lives, as users write it: `sqlite:PATH` (one process, embedded) or `postgres:CONNECTION-STRING`
/// (a cluster). One place parses that form so every command reads it the same way.
/// </summary>
public sealed record DatabaseTarget(DatabaseKind Kind, string Location)
{
    public const string DefaultSqlitePath = "lstmsweep.db";
    public static DatabaseTarget Default => new(DatabaseKind.Sqlite, Path.GetFullPath(DefaultSqlitePath));

    public static bool TryParse(string? text, out DatabaseTarget target, out string error)
    {
        target = Default;
        error = "";
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (text.StartsWith("sqlite:", StringComparison.Ordinal))
        {
            var path = text["sqlite:".Length..];
            if (path.Length == 0) { error = "--db sqlite: needs a file path, e.g. --db sqlite:./lstmsweep.db"; return false; }
            target = new DatabaseTarget(DatabaseKind.Sqlite, Path.GetFullPath(path));
            return true;
        }
        if (text.StartsWith("postgres:", StringComparison.Ordinal))
        {
            var connection = text["postgres:".Length..];
            if (connection.Length == 0) { error = "--db postgres: needs a connection string, e.g. --db \"postgres:Host=localhost;Database=lstmsweep;Username=lstmsweep\""; return false; }
            target = new DatabaseTarget(DatabaseKind.Postgres, connection);
            return true;
        }
        error = $"--db '{text}' is not a database this knows; use sqlite:PATH or postgres:CONNECTION-STRING";
        return false;
    }

    /// <summary>The ADO.NET connection string handed to the journal.</summary>
    public string ConnectionString => Kind == DatabaseKind.Sqlite
        ? new SqliteConnectionStringBuilder { DataSource = Location, Pooling = true, DefaultTimeout = 30 }.ToString()
        : Location;

    /// <summary>LinqToDB's provider name for the journal plugin.</summary>
    public string ProviderName => Kind == DatabaseKind.Sqlite ? LinqToDB.ProviderName.SQLiteMS : LinqToDB.ProviderName.PostgreSQL15;

    /// <summary>Whether the database can already hold sweeps (for read-only commands that must not create a file).</summary>
    public bool Exists => Kind != DatabaseKind.Sqlite || File.Exists(Location);

    public string Describe() => Kind == DatabaseKind.Sqlite ? $"sqlite:{Location}" : "postgres";

    /// <summary>
    /// Prepares an SQLite file for a writer: write-ahead logging lets readers (`results`, `list`) read while a sweep
    /// writes. The setting is stored in the file, so this runs once per process that writes.
    /// </summary>
    public void PrepareForWriting()
    {
        if (Kind != DatabaseKind.Sqlite) return;
        var directory = Path.GetDirectoryName(Location);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }
}
