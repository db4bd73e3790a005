using System.Data.Common;
using LstmSweep.Core.Sweeps;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace LstmSweep.Cluster.Persistence;

/// <summary>
/// Reads sweeps straight from Akka.Persistence.Sql's journal table with plain ADO.NET: no actor system, so `results`,
/// `list`, `plot`, `importance` and `report` answer at once. Read-only (SQLite is opened with Mode=ReadOnly, PostgreSQL
/// is only queried) and safe while a sweep runs: rows are appended by the coordinator and read here in
/// sequence-number order, so a reader sees a prefix of the journal, the same events the coordinator had persisted.
/// Reads the plugin's default schema (table journal, columns as the plugin creates them). Snapshots only shorten a
/// coordinator's recovery: no event is ever deleted, so folding the whole journal gives the coordinator's state.
/// </summary>
public sealed class DirectJournalReader(DatabaseTarget database) : ISweepReader
{

    DbConnection Open()
    {
        DbConnection connection = database.Kind == DatabaseKind.Sqlite
            ? new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database.Location, Mode = SqliteOpenMode.ReadOnly, DefaultTimeout = 30 }.ToString())
            : new NpgsqlConnection(database.ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Whether the journal tables exist yet (a database no sweep has written to has none).</summary>
    static async Task<bool> HasJournalAsync(DbConnection connection, CancellationToken cancel)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = connection is SqliteConnection
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'journal'"
            : "SELECT count(*) FROM information_schema.tables WHERE table_name = 'journal'";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancel)) > 0;
    }

    public async Task<IReadOnlyList<string>> SweepIdsAsync(CancellationToken cancel = default)
    {
        await using var connection = Open();
        if (!await HasJournalAsync(connection, cancel)) return [];
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT persistence_id FROM journal WHERE persistence_id LIKE 'sweep-%'";
        var ids = new List<string>();
        await using var rows = await command.ExecuteReaderAsync(cancel);
        while (await rows.ReadAsync(cancel))
        {
            var id = rows.GetString(0);
            if (id != PersistenceIds.Manager) ids.Add(id[PersistenceIds.SweepPrefix.Length..]);
        }
        return ids;
    }

    public async Task<SweepState?> ReadAsync(string sweepId, CancellationToken cancel = default)
    {
        var state = SweepState.Fold(sweepId, await ReadEventsAsync(sweepId, cancel));
        return state.IsSubmitted ? state : null;
    }

    /// <summary>Every event of the sweep so far, in the order they were written; empty when no sweep has that id.</summary>
    public async Task<IReadOnlyList<ISweepEvent>> ReadEventsAsync(string sweepId, CancellationToken cancel = default)
    {
        await using var connection = Open();
        if (!await HasJournalAsync(connection, cancel)) return [];
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT manifest, message FROM journal WHERE persistence_id = @id AND deleted = @no ORDER BY sequence_number";
        AddParameter(command, "@id", PersistenceIds.SweepPrefix + sweepId);
        AddParameter(command, "@no", false);
        var events = new List<ISweepEvent>();
        await using var rows = await command.ExecuteReaderAsync(cancel);
        while (await rows.ReadAsync(cancel))
            if (JournalEventDecoder.Decode(rows.GetString(0), (byte[])rows.GetValue(1)) is ISweepEvent e) events.Add(e);
        return events;
    }

    public async Task<IReadOnlyList<SweepState>> ReadAllAsync(CancellationToken cancel = default)
    {
        var states = new List<SweepState>();
        foreach (var id in await SweepIdsAsync(cancel))
            if (await ReadAsync(id, cancel) is { } state) states.Add(state);
        return states.OrderBy(s => s.SubmittedAt).ToList();
    }

    static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
