using LstmSweep.Core.Data;
using LstmSweep.Training;

namespace LstmSweep.Training.Tests;

public sealed class ArrayDatasetCacheTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("lstmsweep-cache-").FullName;

    [Fact]
    public void AChangedFileIsReadAgain()
    {
        var cache = new ArrayDatasetCache();
        var path = Path.Combine(folder, "data.csv");
        File.WriteAllText(path, "1,2,0\n3,4,1\n");
        var first = cache.Get(path, null);

        File.WriteAllText(path, "1,2,0\n3,4,1\n5,6,2\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        var second = cache.Get(path, null);

        Assert.Equal(2, first.Samples);
        Assert.Equal(3, second.Samples);
        Assert.Same(second, cache.Get(path, null));
    }

    [Fact]
    public void AFileThatBecameAPipeIsRefusedWithoutBeingOpened()
    {
        var cache = new ArrayDatasetCache();
        var path = Path.Combine(folder, "data.csv");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path])) mkfifo.WaitForExit();

        var error = Assert.Throws<ArrayDataException>(() => cache.Get(path, null));

        Assert.Contains("not a regular file", error.Message);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
