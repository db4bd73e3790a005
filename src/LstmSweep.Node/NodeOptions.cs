using System.Globalization;
using LstmSweep.Core.Spec;
using Microsoft.Extensions.Configuration;
using LstmSweep.Core.Trials;

namespace LstmSweep.Node;

/// <summary>
/// Every LSTMSWEEP_* setting, from one place: appsettings.json (section "node"), then environment variables
/// LSTMSWEEP_&lt;KEY&gt; (LSTMSWEEP_HTTP_PORT for http_port), then the command line, each overriding the one before.
/// Keys are the flag names with '-' as '_': the node's (roles, host, port, seeds, http_port, db, slots, checkpoints,
/// create_db), the process's (log_level, sbr_stable_after, otlp_endpoint, otlp_protocol), the HTTP API's (api_token,
/// max_event_streams, metrics_need_token), the client's (server), and what a spec may ask for (data_folders and the
/// caps of <see cref="LimitNames"/>). Nothing else in the code reads an LSTMSWEEP_* variable.
/// </summary>
public sealed record NodeOptions
{
    public const string CoordinatorRole = "coordinator";
    public const string WorkerRole = "worker";
    public const string EnvironmentPrefix = "LSTMSWEEP_";

    public static readonly string[] Keys =
    [
        "roles", "host", "port", "seeds", "http_port", "db", "slots", "checkpoints", "create_db",
        "log_level", "sbr_stable_after", "otlp_endpoint", "otlp_protocol",
        "api_token", "max_event_streams", "metrics_need_token", "server", "data_folders",
        .. LimitNames.All.Select(l => l.Key),
    ];

    public static readonly string[] LogLevels = ["DEBUG", "INFO", "WARNING", "ERROR"];

    public IReadOnlyList<string> Roles { get; init; } = [CoordinatorRole, WorkerRole];
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 4053;
    /// <summary>host:port of the seed nodes; empty means this node seeds itself.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];
    public int HttpPort { get; init; } = 5080;
    public string Db { get; init; } = "sqlite:lstmsweep.db";
    public int? Slots { get; init; }
    public string? Checkpoints { get; init; }

    /// <summary>create_db: a missing SQLite journal is created (else the node refuses it, exit 2: a mistyped path is not a new database).</summary>
    public bool CreateDb { get; init; }

    /// <summary>log_level: Akka's log level (DEBUG, INFO, WARNING, ERROR).</summary>
    public string LogLevel { get; init; } = "WARNING";

    /// <summary>sbr_stable_after: how long the split-brain resolver waits for a stable membership before downing.</summary>
    public string SbrStableAfter { get; init; } = "7s";

    /// <summary>otlp_endpoint, otlp_protocol: where spans go (none: tracing off); checked by NodeTelemetry.Otlp.</summary>
    public string? OtlpEndpoint { get; init; }
    public string? OtlpProtocol { get; init; }

    /// <summary>api_token: with it, every /api/* request needs "Authorization: Bearer &lt;token&gt;".</summary>
    public string? ApiToken { get; init; }

    /// <summary>max_event_streams: event streams (SSE) served at once; one more answers 503.</summary>
    public int MaxEventStreams { get; init; } = 32;

    /// <summary>metrics_need_token: /metrics asks for the token too (default open, for Prometheus).</summary>
    public bool MetricsNeedToken { get; init; }

    /// <summary>server: the HTTP API the client commands talk to.</summary>
    public string? Server { get; init; }

    /// <summary>data_folders: the folders whose files submitted specs may read (default none).</summary>
    public IReadOnlyList<string> DataFolders { get; init; } = [];

    /// <summary>The caps specs are checked against (max_planned_trials, max_units, ...).</summary>
    public SpecLimits Limits { get; init; } = SpecLimits.Default;

    /// <summary>How this node reads a spec submitted over HTTP.</summary>
    public SpecReadOptions SubmissionReadOptions => SpecReadOptions.ForSubmission(Limits, DataFolders);

    public bool IsCoordinator => Roles.Contains(CoordinatorRole);
    public bool IsWorker => Roles.Contains(WorkerRole);

    /// <summary>appsettings.json (optional, in the working directory), then LSTMSWEEP_* variables, then the flags given.</summary>
    public static IConfiguration Sources(IReadOnlyDictionary<string, string?> flags, string? directory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var builder = new ConfigurationBuilder()
            .SetBasePath(directory ?? Directory.GetCurrentDirectory())
            .AddJsonFile("appsettings.json", optional: true);
        // Tests hand in their own environment instead of the process's.
        if (environment is null) builder.AddEnvironmentVariables(EnvironmentPrefix);
        else
            builder.AddInMemoryCollection(environment
                .Where(p => p.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
                .Select(p => KeyValuePair.Create(p.Key[EnvironmentPrefix.Length..].Replace("__", ":"), p.Value)));
        return builder.AddInMemoryCollection(flags.Where(p => p.Value is not null)).Build();
    }

    /// <summary>One setting as given (appsettings, environment), for a command that needs only it (the client's server and token).</summary>
    public static string? Read(string key, IConfiguration? configuration = null)
    {
        configuration ??= Sources(new Dictionary<string, string?>());
        return (configuration[key] ?? configuration["node:" + key]) is { Length: > 0 } value ? value : null;
    }

    /// <summary>Binds and validates; every problem is reported, with the key it belongs to.</summary>
    public static (NodeOptions? Options, IReadOnlyList<string> Errors) Bind(IConfiguration configuration)
    {
        var errors = new List<string>();
        string? Get(string key) => configuration[key] ?? configuration["node:" + key];
        int? Int(string key, int min, int max)
        {
            if (Get(key) is not { } text) return null;
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
            errors.Add($"{key}: '{text}' is not a whole number from {min} to {max}");
            return null;
        }
        static List<string> List(string? text) => (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

        var options = new NodeOptions();
        if (Get("roles") is { } rolesText)
        {
            var roles = List(rolesText).Select(r => r.ToLowerInvariant()).Distinct().ToList();
            foreach (var bad in roles.Where(r => r is not (CoordinatorRole or WorkerRole)))
                errors.Add($"roles: unknown role '{bad}'; allowed: {CoordinatorRole}, {WorkerRole}");
            if (roles.Count == 0) errors.Add("roles: at least one of coordinator, worker");
            options = options with { Roles = roles };
        }
        if (Get("host") is { Length: > 0 } host) options = options with { Host = host };
        if (Int("port", 0, 65535) is { } port) options = options with { Port = port };
        if (Int("http_port", 0, 65535) is { } httpPort) options = options with { HttpPort = httpPort };
        if (Int("slots", 1, 4096) is { } slots) options = options with { Slots = slots };
        if (Get("db") is { Length: > 0 } db) options = options with { Db = db };
        if (Get("checkpoints") is { Length: > 0 } checkpoints) options = options with { Checkpoints = checkpoints };
        bool? Bool(string key)
        {
            if (Get(key) is not { } text) return null;
            if (bool.TryParse(text, out var value)) return value;
            errors.Add($"{key}: '{text}' is not true or false");
            return null;
        }
        if (Bool("create_db") is { } createDb) options = options with { CreateDb = createDb };
        if (Get("log_level") is { Length: > 0 } logLevel)
        {
            if (LogLevels.Contains(logLevel.ToUpperInvariant())) options = options with { LogLevel = logLevel.ToUpperInvariant() };
            else errors.Add($"log_level: '{logLevel}' is not a level; use {string.Join(", ", LogLevels)}");
        }
        if (Get("sbr_stable_after") is { Length: > 0 } stableAfter)
        {
            if (System.Text.RegularExpressions.Regex.IsMatch(stableAfter, @"^[0-9]{1,6}(ms|s|m)\z")) options = options with { SbrStableAfter = stableAfter };
            else errors.Add($"sbr_stable_after: '{stableAfter}' is not a duration; give e.g. 7s, 500ms or 1m");
        }
        if (Get("otlp_endpoint") is { Length: > 0 } otlpEndpoint) options = options with { OtlpEndpoint = otlpEndpoint };
        if (Get("otlp_protocol") is { Length: > 0 } otlpProtocol) options = options with { OtlpProtocol = otlpProtocol };
        if (Get("api_token") is { Length: > 0 } token) options = options with { ApiToken = token };
        if (Int("max_event_streams", 1, 100_000) is { } streams) options = options with { MaxEventStreams = streams };
        if (Bool("metrics_need_token") is { } metricsNeedToken) options = options with { MetricsNeedToken = metricsNeedToken };
        if (Get("server") is { Length: > 0 } server) options = options with { Server = server };
        if (Get("data_folders") is { } foldersText)
        {
            var folders = List(foldersText);
            foreach (var folder in folders.Where(f => !Path.IsPathFullyQualified(f)))
                errors.Add($"data_folders: '{folder}' is not an absolute path");
            options = options with { DataFolders = folders };
        }
        var (limits, limitErrors) = BindLimits(Get, options.Limits);
        errors.AddRange(limitErrors);
        options = options with { Limits = limits };
        if (Get("seeds") is { } seedsText)
        {
            var seeds = List(seedsText);
            foreach (var seed in seeds)
            {
                var colon = seed.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(seed[(colon + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
                    errors.Add($"seeds: '{seed}' is not host:port");
            }
            options = options with { Seeds = seeds };
        }
        return errors.Count == 0 ? (options, errors) : (null, errors);
    }

    /// <summary>The caps given as settings (max_planned_trials, ...), each a whole number from 1 to its ceiling.</summary>
    public static (SpecLimits Limits, IReadOnlyList<string> Errors) BindLimits(Func<string, string?> get, SpecLimits limits)
    {
        var errors = new List<string>();
        foreach (var (key, _, set) in LimitNames.All)
        {
            if (get(key) is not { } text) continue;
            var ceiling = LimitNames.Ceiling(key);
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 1 && value <= ceiling)
                limits = set(limits, value);
            else
                errors.Add($"{key}: '{text}' is not a whole number from 1 to {ceiling}");
        }
        return (limits, errors);
    }

    /// <summary>The seed nodes as Akka addresses; a node without seeds joins itself (the first node of a cluster).</summary>
    public IReadOnlyList<string> SeedAddresses(string systemName)
        => (Seeds.Count > 0 ? Seeds : [$"{Host}:{Port}"]).Select(s => $"akka.tcp://{systemName}@{s}").ToList();
}
