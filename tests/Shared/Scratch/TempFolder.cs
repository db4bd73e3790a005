namespace LstmSweep.Tests.Shared;

/// <summary>
/// A fresh folder for one test's files, removed afterwards: the one temp-folder helper the test projects link
/// (tests/Shared/Scratch is not part of the tests/Shared/*.cs glob, so projects without Npgsql can link it alone).
/// </summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "lstmsweep-test-") => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    /// <summary>Writes a file (its folders created) and returns its full path.</summary>
    public string Write(string name, string text)
    {
        var file = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        System.IO.File.WriteAllText(file, text);
        return file;
    }

    /// <summary>The full path of a file in the folder, which need not exist.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
