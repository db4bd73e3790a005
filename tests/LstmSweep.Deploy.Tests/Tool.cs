using System.Diagnostics;
using System.Text;

namespace LstmSweep.Deploy.Tests;

public sealed record ToolResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"{Command}: exit {ExitCode}\n--- stdout\n{Tail(Stdout)}\n--- stderr\n{Tail(Stderr)}";
    static string Tail(string text) => text.Length <= 6000 ? text : "..." + text[^6000..];
}

/// <summary>Runs an external program (docker, docker-compose, kubectl, node) to completion.</summary>
public static class Tool
{
    public static ToolResult Run(string file, IEnumerable<string> args, TimeSpan? timeout = null, string? stdin = null,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null,
            UseShellExecute = false, WorkingDirectory = workingDirectory ?? CliProcess.RepositoryRoot,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        if (environment is not null) foreach (var (k, v) in environment) start.Environment[k] = v;
        var command = file + " " + string.Join(' ', start.ArgumentList);
        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
        try { process.Start(); }
        catch (System.ComponentModel.Win32Exception e) { return new ToolResult(command, -1, "", $"cannot start {file}: {e.Message}"); }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (stderr) stderr.AppendLine($"(killed after {timeout})");
            return new ToolResult(command, -1, stdout.ToString(), stderr.ToString());
        }
        process.WaitForExit();
        return new ToolResult(command, process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    public static ToolResult Run(string file, params string[] args) => Run(file, args, null);

    /// <summary>Runs and fails the test unless the exit code is 0.</summary>
    public static ToolResult Check(string file, IEnumerable<string> args, TimeSpan? timeout = null, string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = Run(file, args, timeout, stdin, environment: environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    /// <summary>The first of <paramref name="candidates"/> that exists, else the bare name (looked up on PATH).</summary>
    public static string Find(string name, params string[] candidates) => candidates.FirstOrDefault(File.Exists) ?? name;
}
