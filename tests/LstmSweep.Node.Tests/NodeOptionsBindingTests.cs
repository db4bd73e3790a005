using LstmSweep.Core.Spec;
using LstmSweep.Tests.Shared;
using LstmSweep.Core.Trials;

namespace LstmSweep.Node.Tests;

/// <summary>NodeOptions.Bind: every LSTMSWEEP_* setting, from appsettings, the environment and flags, in that order.</summary>
public sealed class NodeOptionsBindingTests
{
    static (NodeOptions? Options, IReadOnlyList<string> Errors) Bind(
        Dictionary<string, string?>? environment = null, Dictionary<string, string?>? flags = null, string? appsettings = null)
    {
        using var folder = new TempFolder();
        if (appsettings is not null) folder.Write("appsettings.json", appsettings);
        return NodeOptions.Bind(NodeOptions.Sources(flags ?? [], folder.Path, environment ?? []));
    }

    [Fact]
    public void WithNothingGivenTheDefaultsHold()
    {
        var (options, errors) = Bind();

        Assert.Empty(errors);
        Assert.Equal(["coordinator", "worker"], options!.Roles);
        Assert.Equal((4053, 5080, "WARNING", "7s", 32), (options.Port, options.HttpPort, options.LogLevel, options.SbrStableAfter, options.MaxEventStreams));
        Assert.Equal(SpecLimits.Default, options!.Limits);
        Assert.Empty(options.DataFolders);
        Assert.Null(options.ApiToken);
        Assert.False(options.CreateDb);
    }

    [Fact]
    public void EveryProcessSettingBindsFromItsVariable()
    {
        var (options, errors) = Bind(new()
        {
            ["LSTMSWEEP_LOG_LEVEL"] = "debug", ["LSTMSWEEP_SBR_STABLE_AFTER"] = "3s", ["LSTMSWEEP_OTLP_ENDPOINT"] = "http://collector:4318",
            ["LSTMSWEEP_OTLP_PROTOCOL"] = "grpc", ["LSTMSWEEP_API_TOKEN"] = "t0ken", ["LSTMSWEEP_SERVER"] = "http://c:5080",
            ["LSTMSWEEP_DATA_FOLDERS"] = "/data/a, /data/b", ["LSTMSWEEP_MAX_EVENT_STREAMS"] = "4", ["LSTMSWEEP_METRICS_NEED_TOKEN"] = "true",
            ["LSTMSWEEP_CREATE_DB"] = "true", ["LSTMSWEEP_MAX_PLANNED_TRIALS"] = "500000", ["LSTMSWEEP_MAX_DATA_FILE_BYTES"] = "1073741824",
            ["OTHER_VARIABLE"] = "ignored",
        });

        Assert.Empty(errors);
        Assert.Equal("DEBUG", options!.LogLevel);
        Assert.Equal("3s", options.SbrStableAfter);
        Assert.Equal(("http://collector:4318", "grpc"), (options.OtlpEndpoint, options.OtlpProtocol));
        Assert.Equal(("t0ken", "http://c:5080"), (options.ApiToken, options.Server));
        Assert.Equal(["/data/a", "/data/b"], options.DataFolders);
        Assert.Equal((4, true, true), (options.MaxEventStreams, options.MetricsNeedToken, options.CreateDb));
        Assert.Equal(500_000, options.Limits.MaxPlannedTrials);
        Assert.Equal(1L << 30, options.Limits.MaxDataFileBytes);
        Assert.Equal(SpecLimits.Default.MaxUnits, options.Limits.MaxUnits);
        Assert.Equal(options.DataFolders, options.SubmissionReadOptions.DataFolders);
        Assert.False(options.SubmissionReadOptions.RelativeDataPaths);
    }

    [Fact]
    public void FlagsOverrideTheEnvironmentWhichOverridesAppsettings()
    {
        var (options, errors) = Bind(
            environment: new() { ["LSTMSWEEP_HTTP_PORT"] = "6000", ["LSTMSWEEP_MAX_RETRIES"] = "7" },
            flags: new() { ["http_port"] = "7000" },
            appsettings: """{ "node": { "http_port": "5000", "max_retries": "3", "max_units": "64" } }""");

        Assert.Empty(errors);
        Assert.Equal(7000, options!.HttpPort);
        Assert.Equal(7, options.Limits.MaxRetries);
        Assert.Equal(64, options.Limits.MaxUnits);
    }

    [Fact]
    public void EveryBadSettingIsReportedWithItsKey()
    {
        var (options, errors) = Bind(new()
        {
            ["LSTMSWEEP_LOG_LEVEL"] = "chatty", ["LSTMSWEEP_SBR_STABLE_AFTER"] = "soon", ["LSTMSWEEP_MAX_EVENT_STREAMS"] = "0",
            ["LSTMSWEEP_METRICS_NEED_TOKEN"] = "maybe", ["LSTMSWEEP_DATA_FOLDERS"] = "relative/folder", ["LSTMSWEEP_MAX_UNITS"] = "-1",
            ["LSTMSWEEP_MAX_TRIAL_MEMORY_BYTES"] = "lots",
        });

        Assert.Null(options);
        foreach (var key in new[] { "log_level: 'chatty'", "sbr_stable_after: 'soon'", "max_event_streams: '0'", "metrics_need_token: 'maybe'",
                     "data_folders: 'relative/folder'", "max_units: '-1'", "max_trial_memory_bytes: 'lots'" })
            Assert.Contains(errors, e => e.StartsWith(key, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryLimitHasASettingKey()
    {
        var keys = NodeOptions.Keys;

        Assert.All(LimitNames.All, limit => Assert.Contains(limit.Key, keys));
        Assert.Equal(LimitNames.All.Count, LimitNames.All.Select(l => l.Key).Distinct().Count());
    }
}
