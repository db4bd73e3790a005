using System.Collections.Concurrent;
using LstmSweep.Core.Data;
using LstmSweep.Core.Spec;

namespace LstmSweep.Training;

/// <summary>
/// Loads each array-task data file once and shares it between the trials of a sweep (trials only read it). An entry
/// is keyed by the file's length and modification time too, so a changed file is read again; a load that fails is
/// not remembered, so a corrected file is read again. The data-file rules (<see cref="DataFiles"/>: a regular file,
/// no larger than the limit) are checked again here, before every open: the file may have changed since the spec
/// was validated.
/// </summary>
public sealed class ArrayDatasetCache
{
    private readonly ConcurrentDictionary<(string Path, int? Features), (DataFiles.FileStamp Stamp, Lazy<ArrayDataset> Data)> loaded = new();

    /// <summary>The cache <see cref="TrialTrainer"/> uses.</summary>
    public static ArrayDatasetCache Shared { get; } = new();

    /// <summary>Largest file read; the coordinator applied its own (possibly raised) limit at validation.</summary>
    public long MaxFileBytes { get; init; } = long.MaxValue;

    /// <exception cref="ArrayDataException">The file cannot be read as a dataset, or is no longer a regular file.</exception>
    public ArrayDataset Get(string path, int? features)
    {
        var (stamp, refused) = DataFiles.Check(path, allowedFolders: null, MaxFileBytes);
        if (refused is not null) throw new ArrayDataException(refused);
        var key = (stamp!.RealPath, features);
        var entry = loaded.AddOrUpdate(key,
            k => (stamp, new Lazy<ArrayDataset>(() => ArrayDataset.Load(k.Path, k.Features))),
            (k, old) => old.Stamp == stamp ? old : (stamp, new Lazy<ArrayDataset>(() => ArrayDataset.Load(k.Path, k.Features))));
        try
        {
            return entry.Data.Value;
        }
        catch
        {
            loaded.TryRemove(KeyValuePair.Create(key, entry));
            throw;
        }
    }
}
