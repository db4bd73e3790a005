using System.Diagnostics;

namespace LstmSweep.Cli.Tests;

/// <summary>
/// A real headless Chromium (Debian's chromium package; .ci/run installs it) run as a process: a screenshot of a page
/// with the console messages it logged, or the page's DOM after its scripts ran.
/// </summary>
static class HeadlessChromium
{
    static readonly string[] Candidates = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

    public static string Binary { get; } = Candidates
        .SelectMany(name => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, name)))
        .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("no chromium on PATH: install Debian's chromium package (bash .ci/run installs it when missing)");

    /// <summary>A page as the browser saw it: its console messages (errors, CSP violations, logs) and what it produced.</summary>
    public sealed record Visit(IReadOnlyList<string> ConsoleMessages, string Output, string Log);

    public static Visit Screenshot(string page, string screenshot, int width, int height)
        => Run(page, $"--screenshot={screenshot}", $"--window-size={width},{height}", "--hide-scrollbars");

    public static Visit DumpDom(string page) => Run(page, "--dump-dom", "--virtual-time-budget=3000");

    static Visit Run(string page, params string[] mode)
    {
        var profile = Directory.CreateTempSubdirectory("lstmsweep-chromium-");
        try
        {
            var start = new ProcessStartInfo(Binary)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            // Root in CI needs --no-sandbox; a profile of its own keeps parallel runs apart; logging=stderr puts the
            // page's console messages (as INFO:CONSOLE lines) on stderr.
            foreach (var arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                         $"--user-data-dir={profile.FullName}", "--enable-logging=stderr", "--v=0" }.Concat(mode))
                start.ArgumentList.Add(arg);
            start.ArgumentList.Add(new Uri(Path.GetFullPath(page)).AbsoluteUri);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish with {page} in 2 minutes");
            }
            var log = stderr.Result;
            var console = log.Split('\n').Where(line => line.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
            return new Visit(console, stdout.Result, log);
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { /* a crashpad helper may still hold a file */ }
        }
    }
}
