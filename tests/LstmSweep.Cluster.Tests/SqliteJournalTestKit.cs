using Akka.TestKit.Xunit2;
using LstmSweep.Cluster.Hosting;
using LstmSweep.Cluster.Persistence;

namespace LstmSweep.Cluster.Tests;

/// <summary>A TestKit whose ActorSystem journals to a real SQLite file of its own, deleted afterwards.</summary>
public abstract class SqliteJournalTestKit : TestKit
{
    readonly string _dbPath;

    /// <summary>The journal's SQLite file, for tests that write to it behind the actors' backs.</summary>
    protected string DbPath => _dbPath;

    protected SqliteJournalTestKit(string prefix) : this(Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}.db"), 0) { }

    SqliteJournalTestKit(string dbPath, int _)
        : base(SweepSystem.BaseConfig().WithFallback(JournalConfig.For(new DatabaseTarget(DatabaseKind.Sqlite, dbPath))))
    {
        _dbPath = dbPath;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_dbPath)!, Path.GetFileName(_dbPath) + "*")) File.Delete(file);
    }
}
