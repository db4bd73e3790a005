using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using LstmSweep.Cluster.Actors;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using LstmSweep.Node.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LstmSweep.Node;

/// <summary>
/// The HTTP API of a node; the sweeps part on coordinator nodes. Sweeps are submitted and cancelled through the <see cref="Cluster.Actors.SweepManager"/>
/// singleton (via its proxy, wherever it runs) and read from the journal, exactly as `results` reads them. JSON is
/// snake_case; a sweep is the same <see cref="SweepDocument"/> `run --output json` prints.
/// </summary>
public static class HttpApi
{
    public const long MaxBodyBytes = 1024 * 1024;
    public const string TokenVariable = "LSTMSWEEP_API_TOKEN";

    /// <summary>GET /api/sweeps answers at most this many sweeps a page (?limit= asks for fewer or, up to this, more).</summary>
    public const int MaxPageSize = 500;
    public const int DefaultPageSize = 100;

    /// <summary>The response header with the number of sweeps in the journal, whatever the page.</summary>
    public const string TotalCountHeader = "X-Total-Count";

    static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public static readonly JsonSerializerOptions EventJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>
    /// With a token configured (api_token, LSTMSWEEP_API_TOKEN), every /api/* request needs "Authorization: Bearer
    /// &lt;token&gt;" (the scheme in any case, RFC 7235), and /metrics too when metrics_need_token is set; /healthz and
    /// /ready stay open for probes. Added before the endpoints are mapped.
    /// </summary>
    public static void UseTokenCheck(IApplicationBuilder app, NodeOptions options)
    {
        if (options.ApiToken is not { } token) return;
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        app.Use(async (http, next) =>
        {
            var path = http.Request.Path;
            var guarded = path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
                          || (options.MetricsNeedToken && path.StartsWithSegments(NodeTelemetry.MetricsPath, StringComparison.OrdinalIgnoreCase));
            if (guarded && !HasToken(http.Request, expected))
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                await Results.Problem(title: "missing or wrong bearer token", statusCode: 401).ExecuteAsync(http);
                return;
            }
            await next(http);
        });
    }

    /// <summary>Constant time in the token's content and length: both sides are compared as SHA-256 digests.</summary>
    static bool HasToken(HttpRequest request, byte[] expectedDigest)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, expectedDigest);
    }

    /// <summary>
    /// Every node: /healthz, /ready, /api/nodes (and /metrics, mapped by the host). Coordinator nodes add the sweeps API;
    /// on a worker-only node it answers 404 with where to send it instead.
    /// </summary>
    public static void Map(IEndpointRouteBuilder app, ClusterNode node)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/ready", () => node.Cluster.SelfMember.Status == MemberStatus.Up
            ? Results.Text("ready")
            : Results.Text($"not ready: {node.Cluster.SelfMember.Status}", statusCode: 503));

        app.MapGet("/api/nodes", () =>
        {
            var state = node.Cluster.State;
            return Results.Json(state.Members.Select(m => new
            {
                Address = m.Address.ToString(),
                Roles = m.Roles.OrderBy(r => r).ToList(),
                Status = m.Status.ToString().ToLowerInvariant(),
                Reachable = !state.Unreachable.Contains(m),
                Self = m.Address.Equals(node.Cluster.SelfAddress),
            }), EventJson);
        });

        if (node.Options.IsCoordinator) MapSweeps(app, node);
        else
            app.Map("/api/sweeps/{**rest}", () => Results.Problem(statusCode: 404,
                title: "this node has no coordinator role: send sweep requests to a coordinator node's HTTP port"));
    }

    static void MapSweeps(IEndpointRouteBuilder app, ClusterNode node)
    {
        var reader = new SweepJournalReader(node.System);
        var liveJournal = PersistenceQuery.Get(node.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var materializer = node.System.Materializer();
        var openStreams = 0;

        app.MapPost("/api/sweeps", async (HttpContext http) =>
        {
            var (text, tooLarge) = await ReadBodyAsync(http);
            if (tooLarge) return TooLarge();
            var parsed = SpecParser.Parse(text!, specPath: null, node.Options.SubmissionReadOptions);
            if (parsed.Spec is not { } spec)
                return Results.Problem(title: $"the spec has {parsed.Errors.Count} problem(s); nothing was submitted", statusCode: 400,
                    extensions: new Dictionary<string, object?>
                    {
                        ["errors"] = parsed.Errors.Select(e => new Dictionary<string, string> { ["path"] = e.Path, ["message"] = e.Message }).ToList(),
                    });
            // A fresh id each try: an id the journal already holds is refused (never answered with the other sweep's id).
            for (int attempt = 1; ; attempt++)
            {
                var sweepId = SweepPlan.NewSweepId(spec.Name);
                var (header, trials) = SweepPlan.For(spec, text!, sweepId, DateTimeOffset.UtcNow);
                try
                {
                    switch (await node.Manager.Ask<object>(new SubmitSweep(header, trials), AskTimeout))
                    {
                        case SweepAccepted accepted:
                            return Results.Json(new { SweepId = accepted.SweepId, Trials = trials.Count }, EventJson, statusCode: 201);
                        case SweepRejected { IdTaken: true } when attempt < 3:
                            continue;
                        case SweepRejected rejected:
                            return Results.Problem(title: $"the sweep was not submitted: {rejected.Reason}", statusCode: rejected.IdTaken ? 409 : 400);
                        case var other:
                            return Results.Problem(title: $"the sweep manager did not accept the sweep ({other})", statusCode: 503);
                    }
                }
                catch (AskTimeoutException)
                {
                    return Results.Problem(title: "the sweep manager did not answer in time (is a coordinator up?)", statusCode: 503);
                }
            }
        });

        // A page of sweeps, oldest first: ?limit (default 100, at most 500) and ?offset; ?view=summary for list entries
        // (no trials). Only the page's journals are read; X-Total-Count says how many sweeps there are.
        app.MapGet("/api/sweeps", async (HttpContext http, int? limit, int? offset, string? view) =>
        {
            if (limit is < 1 or > MaxPageSize)
                return BadQuery("limit", $"{limit} is not a page size; give 1 to {MaxPageSize}");
            if (offset is < 0)
                return BadQuery("offset", $"{offset} is negative; give 0 or more");
            if (view is not (null or "full" or "summary"))
                return BadQuery("view", $"'{view}' is not a view; use full or summary");
            var ids = await reader.SweepIdsAsync(http.RequestAborted);
            var states = new List<SweepState>();
            foreach (var id in ids.Skip(offset ?? 0).Take(limit ?? DefaultPageSize))
                if (await reader.ReadAsync(id, http.RequestAborted) is { } state) states.Add(state);
            states = states.OrderBy(s => s.SubmittedAt).ToList();
            http.Response.Headers[TotalCountHeader] = ids.Count.ToString(CultureInfo.InvariantCulture);
            return view == "summary"
                ? Results.Content(JsonSerializer.Serialize(states.Select(SweepListEntry.From), SweepDocument.JsonOptions), "application/json")
                : Results.Content("[" + string.Join(",", states.Select(s => SweepDocument.From(s).ToJson())) + "]", "application/json");
        });

        app.MapGet("/api/sweeps/{id}", async (string id) =>
            await reader.ReadAsync(id) is { } state
                ? Results.Content(SweepDocument.From(state).ToJson(), "application/json")
                : NoSweep(id));

        app.MapGet("/api/sweeps/{id}/trials", async (string id) =>
            await reader.ReadAsync(id) is { } state
                ? Results.Content(JsonSerializer.Serialize(SweepDocument.From(state).Trials, SweepDocument.JsonOptions), "application/json")
                : NoSweep(id));

        app.MapPost("/api/sweeps/{id}/cancel", async (string id) =>
        {
            // A finished sweep has nothing left to cancel: say so instead of accepting a request that changes nothing.
            if (await reader.ReadAsync(id) is { } known && known.IsFinished)
                return Results.Problem(title: $"sweep '{id}' already ended ({known.Status.ToName()}); there is nothing to cancel", statusCode: 409);
            try
            {
                return await node.Manager.Ask<object>(new CancelSweep(id), AskTimeout) switch
                {
                    SweepAccepted a => Results.Json(new { SweepId = a.SweepId, Status = "cancel_requested" }, EventJson, statusCode: 202),
                    SweepUnavailable u => Results.Problem(title: $"sweep '{id}' cannot take commands now: {u.Reason}", statusCode: 503),
                    _ => NoSweep(id),
                };
            }
            catch (AskTimeoutException)
            {
                return Results.Problem(title: "the sweep manager did not answer in time (is a coordinator up?)", statusCode: 503);
            }
        });

        // Server-sent events: every journal event of the sweep, in order, as JSON, then live as the journal gets them
        // (Akka.Persistence.Query, no re-reading); ends after sweep_finished. At most max_event_streams at once.
        app.MapGet("/api/sweeps/{id}/events", async (string id, HttpContext http) =>
        {
            var cancel = http.RequestAborted;
            if (Interlocked.Increment(ref openStreams) > node.Options.MaxEventStreams)
            {
                Interlocked.Decrement(ref openStreams);
                http.Response.Headers.RetryAfter = "5";
                await Results.Problem(title: $"{node.Options.MaxEventStreams} event streams are open, the most this node serves " +
                                             "(max_event_streams); try again later", statusCode: 503).ExecuteAsync(http);
                return;
            }
            try
            {
                if (await reader.ReadAsync(id, cancel) is null)
                {
                    await NoSweep(id).ExecuteAsync(http);
                    return;
                }
                http.Response.ContentType = "text/event-stream";
                http.Response.Headers.CacheControl = "no-cache";
                (UniqueKillSwitch kill, Task<Akka.Done> done) = liveJournal.EventsByPersistenceId(SweepCoordinator.PersistenceIdFor(id), 0, long.MaxValue)
                    .Select(envelope => envelope.Event)
                    .Where(e => e is ISweepEvent)
                    .Select(e => (ISweepEvent)e)
                    .TakeWhile(e => e is not SweepFinished, inclusive: true)
                    .ViaMaterialized(KillSwitches.Single<ISweepEvent>(), Keep.Right)
                    .SelectAsync(1, async e =>
                    {
                        await http.Response.WriteAsync(
                            $"event: {SweepEventNames.Of(e)}\ndata: {JsonSerializer.Serialize(e, e.GetType(), EventJson)}\n\n", cancel);
                        await http.Response.Body.FlushAsync(cancel);
                        return e;
                    })
                    .ToMaterialized(Sink.Ignore<ISweepEvent>(), Keep.Both)
                    .Run(materializer);
                await using (cancel.Register(() => kill.Shutdown()))
                {
                    try { await done; }
                    catch (OperationCanceledException) { }
                    catch (IOException) { } // the client went away mid-write
                }
            }
            finally
            {
                Interlocked.Decrement(ref openStreams);
            }
        });
    }

    static IResult BadQuery(string parameter, string message)
        => Results.Problem(title: $"{parameter}: {message}", statusCode: 400,
            extensions: new Dictionary<string, object?> { ["errors"] = new[] { new Dictionary<string, string> { ["path"] = parameter, ["message"] = message } } });

    static IResult NoSweep(string id)
        => Results.Problem(title: $"no sweep '{id}'", statusCode: 404);

    static IResult TooLarge()
        => Results.Problem(title: $"the body is larger than {MaxBodyBytes} bytes", statusCode: 413);

    static async Task<(string? Text, bool TooLarge)> ReadBodyAsync(HttpContext http)
    {
        if (http.Request.ContentLength > MaxBodyBytes) return (null, true);
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes) return (null, true);
        }
        return (Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), false);
    }
}

/// <summary>
/// One sweep in a list (`list --output json`, GET /api/sweeps?view=summary): the same fields from the journal and from
/// a server. Field names are a contract: add, never rename.
/// </summary>
public sealed record SweepListEntry(
    string SweepId, string Name, string Status, string Task, string Objective, DateTimeOffset? SubmittedAt,
    DateTimeOffset? FinishedAt, int Trials, IReadOnlyDictionary<string, int> Counts, double? BestObjective, int? BestTrialId)
{
    public static SweepListEntry From(SweepState s)
    {
        var document = SweepDocument.From(s);
        return new SweepListEntry(s.SweepId, s.Name, document.Status, document.Task, document.Objective, s.SubmittedAt,
            s.FinishedAt, s.Trials.Count, document.Counts, s.Best is { } b ? s.ObjectiveOf(b) : null, s.Best?.TrialId);
    }
}

/// <summary>The event names of the SSE stream: the journal's manifest names without their version.</summary>
static class SweepEventNames
{
    public static string Of(ISweepEvent e) => e switch
    {
        SweepSubmitted => "sweep_submitted",
        TrialScheduled => "trial_scheduled",
        TrialStarted => "trial_started",
        EpochReported => "epoch_reported",
        TrialFinished => "trial_finished",
        TrialRequeued => "trial_requeued",
        TrialPromoted => "trial_promoted",
        SweepCancelRequested => "sweep_cancel_requested",
        SweepFinished => "sweep_finished",
        _ => "event",
    };
}
