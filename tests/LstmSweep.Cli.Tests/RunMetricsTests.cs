using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace LstmSweep.Cli.Tests;

/// <summary>`run --metrics-port`: an embedded sweep serves the same /metrics a node does, while it runs.</summary>
public class RunMetricsTests
{
    [Fact]
    public async Task ARunWithAMetricsPortServesItsSweepAndTrialsWhileItTrains()
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("counter.yaml", Specs.Counter(epochs: 600));
        using var run = new CliProcess(dir.Path, "run", spec, "--slots", "2", "--metrics-port", "0", "--db", "sqlite:" + dir.File_("s.db"));
        Assert.True(run.WaitForStderr(s => s.Contains("/metrics"), TimeSpan.FromMinutes(1)), run.Stderr);
        var url = Regex.Match(run.Stderr, @"metrics: (http://127\.0\.0\.1:\d+/metrics)").Groups[1].Value;
        using var http = new HttpClient();

        string text = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline && !(text.Contains("lstmsweep_trial_epoch{") && text.Contains("lstmsweep_sweep_trials{")))
        {
            text = await http.GetStringAsync(url);
            await Task.Delay(100);
        }
        Assert.Contains("lstmsweep_trial_epoch{", text);
        Assert.Contains("lstmsweep_sweep_trials{", text);
        Assert.Matches(@"lstmsweep_slots\{[^}]*state=""busy""\} [12]\b", text);
        Assert.DoesNotContain("lstmsweep_cluster_members", text); // no cluster in an embedded run

        var result = run.WaitForExit(TimeSpan.FromMinutes(3));
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void ATakenMetricsPortIsBadInputBeforeAnythingIsWritten()
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("counter.yaml", Specs.Counter());
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;
            var result = CliProcess.Run(dir.Path, null, TimeSpan.FromMinutes(1), "run", spec, "--metrics-port", port.ToString(), "--db", "sqlite:" + dir.File_("s.db"));
            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains($"--metrics-port {port}", result.Stderr);
            Assert.False(File.Exists(dir.File_("s.db")));
        }
        finally
        {
            taken.Stop();
        }
    }
}
