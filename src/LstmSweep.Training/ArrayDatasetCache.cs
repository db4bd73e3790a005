using System.Collections.Concurrent;
using LstmSweep.Core.Data;

namespace LstmSweep.Training;

/// <summary>
/// Loads each array-task data file once and shares it between the trials of a sweep (trials only read it).
/// A load that fails is not remembered, so a corrected file is read again.
/// </summary>
public sealed class ArrayDatasetCache
{
    private readonly ConcurrentDictionary<(string Path, int? Features), Lazy<ArrayDataset>> loaded = new();

    /// <summary>The cache <see cref="TrialTrainer"/> uses.</summary>
    public static ArrayDatasetCache Shared { get; } = new();

    /// <exception cref="ArrayDataException">The file cannot be read as a dataset.</exception>
    public ArrayDataset Get(string path, int? features)
    {
        var key = (Path.GetFullPath(path), features);
        var entry = loaded.GetOrAdd(key, k => new Lazy<ArrayDataset>(() => ArrayDataset.Load(k.Path, k.Features)));
        try
        {
            return entry.Value;
        }
        catch
        {
            loaded.TryRemove(KeyValuePair.Create(key, entry));
            throw;
        }
    }
}
