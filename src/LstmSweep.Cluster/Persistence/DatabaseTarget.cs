using Microsoft.Data.Sqlite;
using Npgsql;

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
            try
            {
                _ = new NpgsqlConnectionStringBuilder(connection);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
            {
                error = $"--db postgres: is not a valid PostgreSQL connection string ({e.Message}); e.g. --db \"postgres:Host=localhost;Port=5432;Database=lstmsweep;Username=lstmsweep;Password=...\"";
                return false;
            }
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

    /// <summary>
    /// Whether the database can already hold sweeps (for read-only commands that must not create a file). A PostgreSQL
    /// server is assumed to: <see cref="EnsureReachable"/> checks it can be reached.
    /// </summary>
    public bool Exists => Kind != DatabaseKind.Sqlite || File.Exists(Location);

    /// <summary>What <see cref="Describe"/> says: never the password.</summary>
    public override string ToString() => Describe();

    /// <summary>For messages: the SQLite path, or the PostgreSQL connection string without its password.</summary>
    public string Describe()
    {
        if (Kind == DatabaseKind.Sqlite) return $"sqlite:{Location}";
        var builder = new NpgsqlConnectionStringBuilder(Location);
        builder.Remove("Password");
        builder.Remove("Passfile");
        return $"postgres:{builder.ConnectionString}";
    }

    /// <summary>
    /// Opens one connection to the PostgreSQL server and closes it; throws <see cref="DatabaseUnreachableException"/>
    /// with the server's reason (wrong password, no such database, nothing listening) when that fails. The wait is
    /// bounded by the connection string's Timeout (Npgsql's default: 15 s). A no-op for SQLite.
    /// </summary>
    public void EnsureReachable()
    {
        if (Kind != DatabaseKind.Postgres) return;
        using var connection = OpenPostgres();
    }

    /// <summary>An open connection to the PostgreSQL journal, or <see cref="DatabaseUnreachableException"/> with the server's reason.</summary>
    public NpgsqlConnection OpenPostgres()
    {
        var connection = new NpgsqlConnection(Location);
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or ArgumentException)
        {
            connection.Dispose();
            var reason = e is PostgresException pg ? $"{pg.SqlState}: {pg.MessageText}" : e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
            throw new DatabaseUnreachableException($"cannot connect to the journal database {Describe()}: {reason}", e);
        }
    }

    /// <summary>
    /// Checks that a PostgreSQL journal can be reached (the journal creates its tables itself on first start), or
    /// prepares an SQLite file for a writer: write-ahead logging lets readers (`results`, `list`) read while a sweep
    /// writes. The setting is stored in the file, so this runs once per process that writes.
    /// </summary>
    public void PrepareForWriting()
    {
        if (Kind == DatabaseKind.Postgres)
        {
            // Fail now with the reason, rather than after the coordinator's ask times out.
            EnsureReachable();
            return;
        }
        var directory = Path.GetDirectoryName(Location);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }
}

/// <summary>
/// The journal database cannot be reached: the message says which database (without its password) and why. Its
/// text is the whole message, with no stack trace, as it is meant for the user of the command line.
/// </summary>
public sealed class DatabaseUnreachableException(string message, Exception inner) : Exception(message, inner)
{
    public override string ToString() => Message;
}
