using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Akka.Cluster;
using LstmSweep.Cluster.Hosting;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Cluster.Telemetry;
using LstmSweep.Node.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LstmSweep.Node;

/// <summary>`lstmsweep node`: runs one cluster member until SIGTERM/SIGINT, then leaves gracefully.</summary>
public static class NodeHost
{
    /// <summary>Exit code for settings the node cannot run with (the CLI's "bad input").</summary>
    public const int BadSettingsExit = 2;

    /// <summary>
    /// Returns the process exit code: 0 after a graceful leave, 1 when the cluster downed this node,
    /// <see cref="BadSettingsExit"/> when its settings cannot work (a taken HTTP port, a malformed OTLP endpoint).
    /// </summary>
    public static async Task<int> RunAsync(NodeOptions options, DatabaseTarget database, Action<string> info)
    {
        SweepSystem.LogLevel = options.LogLevel;
        var (otlp, otlpError) = NodeTelemetry.Otlp(options.OtlpEndpoint, options.OtlpProtocol);
        if (otlpError is not null)
        {
            info(otlpError);
            return BadSettingsExit;
        }
        var instance = $"{options.Host}:{options.Port}";
        using var tracing = otlp is null ? null : NodeTelemetry.StartTracing(otlp, instance);

        if (HttpPortTaken(options) is { } taken)
        {
            info(taken);
            return BadSettingsExit;
        }

        // A mistyped path is not a new database: only create_db (--create-db) creates a missing SQLite file.
        if (!database.Exists && !options.CreateDb)
        {
            info($"db: there is no database at {database.Location}; give the --db of an existing journal, or add --create-db " +
                 "(create_db, LSTMSWEEP_CREATE_DB=true) to start a new one");
            return BadSettingsExit;
        }
        foreach (var folder in options.DataFolders.Where(f => !Directory.Exists(f)))
            info($"note: data folder {folder} does not exist; submitted specs cannot read from it");

        database.PrepareForWriting();
        database.EnsureReachable();
        var plan = options.IsWorker ? SlotDevices.PlanForThisMachine(options.Slots) : null;
        if (plan?.FallbackNote is { } note) info($"note: {note}");
        var devices = plan is null ? null : SlotDevices.Apply(plan);
        var node = ClusterNode.Start(options, database, devices);

        var up = new TaskCompletionSource();
        node.Cluster.RegisterOnMemberUp(() => up.TrySetResult());

        // Every node serves HTTP: /healthz, /ready and /metrics; coordinator nodes the sweeps API as well.
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://{options.Host}:{options.HttpPort}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = HttpApi.MaxBodyBytes + 1);
        builder.Services.AddProblemDetails();
        builder.Services.AddLstmSweepMetrics(instance);
        var web = builder.Build();
        HttpApi.UseTokenCheck(web, options);
        ClusterMeters.Observe(node.System);
        HttpApi.Map(web, node);
        web.MapMetrics();
        try
        {
            await web.StartAsync();
        }
        catch (IOException e) // taken between the check and now
        {
            info(HttpPortMessage(options, e.Message));
            await node.System.Terminate();
            return BadSettingsExit;
        }
        var url = web.Urls.FirstOrDefault() ?? $"http://{options.Host}:{options.HttpPort}";

        var stop = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult("SIGTERM"); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult("SIGINT"); });
        _ = node.System.WhenTerminated.ContinueWith(_ => stop.TrySetResult("terminated"), TaskScheduler.Default);

        _ = up.Task.ContinueWith(_ => info(
            $"node up: {node.Cluster.SelfAddress} roles {string.Join(",", options.Roles)}" +
            (devices is null ? "" : $", {devices.Count} slot(s)") +
            $", {url}" + (options.IsCoordinator ? "" : " (health and metrics)") +
            (tracing is null ? "" : $", traces to {otlp!.Endpoint}") +
            $", journal {database.Describe()}"), TaskScheduler.Default);

        var reason = await stop.Task;
        int exit = 0;
        if (reason == "terminated")
        {
            info("node stopped: the cluster removed this member (downed)");
            exit = 1;
        }
        else
        {
            info($"{reason}: leaving the cluster (running trials are handed back)");
            await node.LeaveAsync();
            info("left the cluster");
        }
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5))) await web.StopAsync(grace.Token);
        await node.System.Terminate();
        return exit;
    }

    /// <summary>Checked before the node joins the cluster, so a node that cannot serve HTTP never becomes a member.</summary>
    static string? HttpPortTaken(NodeOptions options)
    {
        if (options.HttpPort == 0) return null;
        var address = IPAddress.TryParse(options.Host, out var ip) ? ip : IPAddress.Any;
        try
        {
            var probe = new TcpListener(address, options.HttpPort);
            probe.Start();
            probe.Stop();
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return HttpPortMessage(options, "address already in use");
        }
        catch (SocketException) { return null; } // not ours to judge (e.g. an address of another interface): Kestrel says
    }

    static string HttpPortMessage(NodeOptions options, string why)
        => $"http_port: cannot listen on {options.Host}:{options.HttpPort} ({why}); give each node on one machine its own --http-port (0 picks a free one)";
}
