using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace LstmSweep.Cli.Tests;

/// <summary>
/// `dotnet pack src/LstmSweep.Cli` and `dotnet tool install` for real: the CLI packed once (from the build these tests
/// already use, --no-build), installed into a temporary tool path, and run from there, TorchSharp native library,
/// libstdc++ compatibility step and all.
/// </summary>
public sealed class InstalledTool : IDisposable
{
    static readonly string Configuration = typeof(InstalledTool).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;

    public ScratchDirectory Dir { get; } = new();
    public string Command { get; }

    public InstalledTool()
    {
        var packages = Dir.File_("nupkg");
        var pack = Run("dotnet", CliProcess.RepositoryRoot, TimeSpan.FromMinutes(8),
            "pack", Path.Combine("src", "LstmSweep.Cli"), "-c", Configuration, "--no-build", "-o", packages, "--disable-build-servers");
        Assert.True(pack.ExitCode == 0, pack.Output);
        var tools = Dir.File_("tools");
        var install = Run("dotnet", Dir.Path, TimeSpan.FromMinutes(5),
            "tool", "install", "--tool-path", tools, "--add-source", packages, "--ignore-failed-sources", "lstmsweep");
        Assert.True(install.ExitCode == 0, install.Output);
        Command = Path.Combine(tools, "lstmsweep");
    }

    public static (int ExitCode, string Stdout, string Output) Run(string file, string directory, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("LSTMSWEEP_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish in {timeout}");
        }
        return (process.ExitCode, stdout.Result, $"exit {process.ExitCode}\n{stdout.Result}\n{stderr.Result}");
    }

    public void Dispose() => Dir.Dispose();
}

public class PackagingTests(InstalledTool tool) : IClassFixture<InstalledTool>
{
    [Fact]
    public void TheInstalledCommandValidatesTheQuickstartSpec()
    {
        var result = InstalledTool.Run(tool.Command, tool.Dir.Path, TimeSpan.FromMinutes(1),
            "validate", Path.Combine(CliProcess.RepositoryRoot, "examples", "quickstart.yaml"));
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("valid", result.Output);
    }

    [Fact]
    public void TheInstalledCommandTrainsATinySweep()
    {
        // Training loads TorchSharp's native library from the tool's own copy: this fails if it was not packed, or if
        // the copy lacks the libstdc++ compatibility step on a host that needs it.
        var spec = tool.Dir.Write("tiny.yaml", """
            name: tiny
            task: stateful-counter
            strategy: grid
            space:
              units: [4]
              epochs: [2]
            """);
        var result = InstalledTool.Run(tool.Command, tool.Dir.Path, TimeSpan.FromMinutes(3),
            "run", spec, "--db", "sqlite:" + tool.Dir.File_("tiny.db"), "--output", "json");
        Assert.True(result.ExitCode == 0, result.Output);
        var sweep = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("completed", sweep.GetProperty("status").GetString());
        Assert.Equal(1, sweep.GetProperty("counts").GetProperty("complete").GetInt32());
    }
}
