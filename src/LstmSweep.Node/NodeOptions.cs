using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace LstmSweep.Node;

/// <summary>
/// Everything a node is told, from one place: appsettings.json (section "node"), then environment variables
/// LSTMSWEEP_&lt;FLAG&gt; (LSTMSWEEP_HTTP_PORT for --http-port), then the command line, each overriding the one before.
/// Keys are the flag names with '-' as '_': roles, host, port, seeds, http_port, db, slots, checkpoints.
/// </summary>
public sealed record NodeOptions
{
    public const string CoordinatorRole = "coordinator";
    public const string WorkerRole = "worker";
    public const string EnvironmentPrefix = "LSTMSWEEP_";

    public static readonly string[] Keys = ["roles", "host", "port", "seeds", "http_port", "db", "slots", "checkpoints"];

    public IReadOnlyList<string> Roles { get; init; } = [CoordinatorRole, WorkerRole];
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 4053;
    /// <summary>host:port of the seed nodes; empty means this node seeds itself.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];
    public int HttpPort { get; init; } = 5080;
    public string Db { get; init; } = "sqlite:lstmsweep.db";
    public int? Slots { get; init; }
    public string? Checkpoints { get; init; }

    public bool IsCoordinator => Roles.Contains(CoordinatorRole);
    public bool IsWorker => Roles.Contains(WorkerRole);

    /// <summary>appsettings.json (optional, in the working directory), then LSTMSWEEP_* variables, then the flags given.</summary>
    public static IConfiguration Sources(IReadOnlyDictionary<string, string?> flags, string? directory = null)
        => new ConfigurationBuilder()
            .SetBasePath(directory ?? Directory.GetCurrentDirectory())
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables(EnvironmentPrefix)
            .AddInMemoryCollection(flags.Where(p => p.Value is not null))
            .Build();

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

    /// <summary>The seed nodes as Akka addresses; a node without seeds joins itself (the first node of a cluster).</summary>
    public IReadOnlyList<string> SeedAddresses(string systemName)
        => (Seeds.Count > 0 ? Seeds : [$"{Host}:{Port}"]).Select(s => $"akka.tcp://{systemName}@{s}").ToList();
}
