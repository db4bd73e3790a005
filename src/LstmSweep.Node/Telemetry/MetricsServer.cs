using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LstmSweep.Node.Telemetry;

/// <summary>
/// /metrics and /healthz for a process that is not a node (`lstmsweep run --metrics-port`), so an embedded sweep can
/// be scraped and watched in the same dashboards. Loopback only: a local Prometheus scrapes it.
/// </summary>
public static class MetricsServer
{
    /// <summary>Starts serving; returns the server (dispose to stop) and its URL, or an error naming the flag.</summary>
    public static async Task<(IAsyncDisposable? Server, string? Url, string? Error)> StartAsync(int port, string instance)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.AddLstmSweepMetrics(instance);
        var web = builder.Build();
        web.MapGet("/healthz", () => Results.Text("ok"));
        web.MapMetrics();
        try
        {
            await web.StartAsync();
        }
        catch (IOException e)
        {
            await web.DisposeAsync();
            return (null, null, $"--metrics-port {port}: cannot listen on 127.0.0.1:{port} ({e.Message}); choose another port (0 picks a free one)");
        }
        return (web, web.Urls.First(), null);
    }
}
