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

    /// <summary>The trials whose final weights outlive the sweep: the top keep_models of the leaderboard.</summary>
    public static IReadOnlyList<int> TrialsToKeep(Core.Sweeps.SweepState state)
        => state.Leaderboard().Take(state.Spec?.KeepModels ?? Core.Spec.SweepSpec.DefaultKeepModels).Select(t => t.TrialId).ToList();

    /// <summary>
    /// A finished sweep keeps the final weights of <paramref name="keptTrials"/> (its top keep_models trials, for predict
    /// and export): their newest checkpoint stays, everything else of the sweep is deleted. No trial kept: as
    /// <see cref="DeleteSweep"/>.
    /// </summary>
    public static void KeepOnly(string root, string sweepId, IReadOnlyCollection<int> keptTrials)
    {
        if (keptTrials.Count == 0)
        {
            DeleteSweep(root, sweepId);
            return;
        }
        var sweep = ForSweep(root, sweepId);
        if (!Directory.Exists(sweep)) return;
        var kept = keptTrials.Select(id => Path.GetFullPath(ForTrial(root, sweepId, id))).ToHashSet();
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(sweep).ToList())
            {
                if (!kept.Contains(Path.GetFullPath(entry))) DeleteEntry(entry);
                else if (Directory.Exists(entry)) KeepNewestCheckpoint(entry);
            }
        }
        catch (IOException) { } // best effort, as DeleteSweep
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Deletes all but the newest epoch-NNNNNN.ckpt (names sort by epoch) and any temporary file.</summary>
    static void KeepNewestCheckpoint(string trialDirectory)
    {
        var files = Directory.EnumerateFiles(trialDirectory).ToList();
        var newest = files.Where(f => Path.GetFileName(f) is var n && n.StartsWith("epoch-", StringComparison.Ordinal) && n.EndsWith(".ckpt", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).LastOrDefault();
        foreach (var file in files.Where(f => f != newest)) File.Delete(file);
    }

    static void DeleteEntry(string path)
    {
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        else File.Delete(path);
    }

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
