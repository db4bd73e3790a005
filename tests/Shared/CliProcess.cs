using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace LstmSweep.Tests.Shared;

/// <summary>Runs the real `lstmsweep` (the Cli project's build output) as a child process.</summary>
public sealed class CliProcess : IDisposable
{
    public static readonly string RepositoryRoot = FindRepositoryRoot();

    /// <summary>The built CLI of the same configuration as these tests (Debug or Release).</summary>
    static readonly string CliDll = Path.Combine(RepositoryRoot, "src", "LstmSweep.Cli", "bin",
        typeof(CliProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration, "net10.0", "lstmsweep.dll");

    readonly Process _process;
    readonly StringBuilder _stdout = new();
    readonly StringBuilder _stderr = new();

    public CliProcess(string workingDirectory, params string[] args) : this(workingDirectory, null, args) { }

    /// <param name="environment">LSTMSWEEP_* settings for this process; none is inherited from the test's own environment.</param>
    public CliProcess(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        Assert.True(File.Exists(CliDll), $"the CLI is not built at {CliDll}");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(CliDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("LSTMSWEEP_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        if (environment is not null) foreach (var (k, v) in environment) start.Environment[k] = v;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_stdout) _stdout.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;
    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }
    public bool HasExited => _process.HasExited;

    public static CliResult Run(string workingDirectory, params string[] args)
        => Run(workingDirectory, null, TimeSpan.FromMinutes(5), args);

    public static CliResult Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, params string[] args)
    {
        using var process = new CliProcess(workingDirectory, environment, args);
        return process.WaitForExit(timeout);
    }

    public CliResult WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"lstmsweep did not exit within {timeout}; stderr:\n{Stderr}");
        }
        _process.WaitForExit(); // drains the redirected streams
        return new CliResult(_process.ExitCode, Stdout, Stderr);
    }

    /// <summary>Waits until stderr contains <paramref name="text"/> (or the process exits, or time runs out).</summary>
    public bool WaitForStderr(Func<string, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition(Stderr)) return true;
            if (_process.HasExited) return condition(Stderr);
            Thread.Sleep(50);
        }
        return false;
    }

    /// <summary>SIGKILL: no handler runs, exactly as when a machine dies.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM: a node leaves the cluster gracefully.</summary>
    public void Terminate()
    {
        if (_process.HasExited) return;
        Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();
    }

    /// <summary>SIGINT: what Ctrl+C in a terminal sends.</summary>
    public void Interrupt()
    {
        if (_process.HasExited) return;
        Process.Start("kill", ["-INT", _process.Id.ToString()])!.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LstmSweep.sln"))) return dir.FullName;
        throw new InvalidOperationException("LstmSweep.sln not found above " + AppContext.BaseDirectory);
    }
}

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>A scratch folder per test, removed afterwards.</summary>
public sealed class ScratchDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("lstmsweep-test-").FullName;

    public string Write(string name, string content)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, content);
        return file;
    }

    public string File_(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
