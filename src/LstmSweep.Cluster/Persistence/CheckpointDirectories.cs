namespace LstmSweep.Cluster.Persistence;

/// <summary>Where checkpoints live: {root}/{sweep id}/trial-{id}. One place decides the layout.</summary>
public static class CheckpointDirectories
{
    /// <summary>The default root: beside the SQLite file (or the working directory for PostgreSQL).</summary>
    public static string DefaultRoot(Persistence.DatabaseTarget database)
        => Path.Combine(database.Kind == Persistence.DatabaseKind.Sqlite
            ? Path.GetDirectoryName(database.Location) ?? "." : Directory.GetCurrentDirectory(), "lstmsweep-checkpoints");

    public static string ForSweep(string root, string sweepId) => Path.Combine(root, sweepId);

    public static string ForTrial(string root, string sweepId, int trialId) => Path.Combine(ForSweep(root, sweepId), $"trial-{trialId}");

    /// <summary>A finished sweep needs its checkpoints no more: nothing can resume or be promoted.</summary>
    public static void DeleteSweep(string root, string sweepId)
    {
        var directory = ForSweep(root, sweepId);
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            if (Directory.Exists(root) && !Directory.EnumerateFileSystemEntries(root).Any()) Directory.Delete(root);
        }
        catch (IOException) { } // best effort: a leftover folder costs disk, not correctness
        catch (UnauthorizedAccessException) { }
    }
}
