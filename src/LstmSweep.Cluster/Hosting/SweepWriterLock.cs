using Npgsql;
using LstmSweep.Cluster.Persistence;

namespace LstmSweep.Cluster.Hosting;

/// <summary>
/// One writer per sweep for `lstmsweep run`: held while a run (or `run --resume`) owns the sweep, so a second run of
/// the same sweep is refused instead of writing the journal beside the first. It is released by the operating system
/// or the server when the process ends in any way, SIGKILL included, so a killed run never leaves a stale lock:
/// SQLite: an exclusive flock on "DB-sweep-ID.lock" beside the database (.NET takes flock for FileShare.None);
/// PostgreSQL: a session advisory lock on a connection held open for the run.
/// </summary>
public sealed class SweepWriterLock : IDisposable
{
    readonly FileStream? _file;
    readonly NpgsqlConnection? _connection;

    SweepWriterLock(FileStream? file, NpgsqlConnection? connection) => (_file, _connection) = (file, connection);

    public static string LockFileFor(DatabaseTarget database, string sweepId) => $"{database.Location}-sweep-{sweepId}.lock";

    /// <summary>The lock, or null with the reason when another process holds it.</summary>
    public static (SweepWriterLock? Lock, string? HeldBy) TryAcquire(DatabaseTarget database, string sweepId)
    {
        if (database.Kind == DatabaseKind.Sqlite)
        {
            var path = LockFileFor(database, sweepId);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return (new SweepWriterLock(file, null), null);
            }
            catch (IOException e) when (e is not (DirectoryNotFoundException or PathTooLongException))
            {
                // The file cannot even be read while the lock is held (.NET takes a shared flock to read), so it names no owner.
                return (null, $"sweep {sweepId} is being run by another process (it holds {path})");
            }
        }
        // An unreachable server is the user's to fix (exit 2 with the server's reason), not an internal error.
        var connection = database.OpenPostgres();
        using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", AdvisoryKey(sweepId));
        if ((bool)command.ExecuteScalar()!) return (new SweepWriterLock(null, connection), null);
        connection.Dispose();
        return (null, $"sweep {sweepId} is being run by another process (its PostgreSQL advisory lock is held)");
    }

    /// <summary>A stable 64-bit key per sweep id (the first 8 bytes of its SHA-256).</summary>
    static long AdvisoryKey(string sweepId)
        => BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("lstmsweep:" + sweepId)));

    /// <summary>Releases the lock; for a finished sweep also removes the lock file (nothing will resume it).</summary>
    public void Release(bool sweepFinished)
    {
        if (_file is not null && sweepFinished)
            try { File.Delete(_file.Name); } catch (IOException) { } // while still held: no one can take the old inode
        Dispose();
    }

    public void Dispose()
    {
        _file?.Dispose();
        _connection?.Dispose();
    }
}
