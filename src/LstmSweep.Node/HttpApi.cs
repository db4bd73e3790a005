using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Cluster;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
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
    static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Relative data paths of a spec posted over HTTP resolve against this folder, which never exists.</summary>
    static readonly string NoSpecFolder = Path.Combine(Path.GetTempPath(), "lstmsweep-http-spec-has-no-folder");

    public static readonly JsonSerializerOptions EventJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

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
        var token = Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } t ? t : null;

        app.MapPost("/api/sweeps", async (HttpContext http) =>
        {
            if (Unauthorized(http, token) is { } denied) return denied;
            var (text, tooLarge) = await ReadBodyAsync(http);
            if (tooLarge) return TooLarge();
            var parsed = SpecParser.Parse(text!, Path.Combine(NoSpecFolder, "spec.yaml"));
            if (parsed.Spec is not { } spec)
            {
                var errors = parsed.Errors.Select(e => e.Path == "task_options.path" && e.Message.Contains(NoSpecFolder)
                    ? new SpecError(e.Path, "a spec sent over HTTP has no folder to resolve a relative path against: give the data file's absolute path (as the nodes see it)")
                    : e).ToList();
                return Results.Problem(title: $"the spec has {errors.Count} problem(s); nothing was submitted", statusCode: 400,
                    extensions: new Dictionary<string, object?>
                    {
                        ["errors"] = errors.Select(e => new Dictionary<string, string> { ["path"] = e.Path, ["message"] = e.Message }).ToList(),
                    });
            }
            var sweepId = SweepPlan.NewSweepId(spec.Name);
            var (header, trials) = SweepPlan.For(spec, text!, sweepId, DateTimeOffset.UtcNow);
            try
            {
                var accepted = await node.Manager.Ask<SweepAccepted>(new SubmitSweep(header, trials), AskTimeout);
                return Results.Json(new { SweepId = accepted.SweepId, Trials = trials.Count }, EventJson, statusCode: 201);
            }
            catch (AskTimeoutException)
            {
                return Results.Problem(title: "the sweep manager did not answer in time (is a coordinator up?)", statusCode: 503);
            }
        });

        app.MapGet("/api/sweeps", async () =>
        {
            var states = await reader.ReadAllAsync();
            return Results.Content("[" + string.Join(",", states.Select(s => SweepDocument.From(s).ToJson())) + "]", "application/json");
        });

        app.MapGet("/api/sweeps/{id}", async (string id) =>
            await reader.ReadAsync(id) is { } state
                ? Results.Content(SweepDocument.From(state).ToJson(), "application/json")
                : NoSweep(id));

        app.MapGet("/api/sweeps/{id}/trials", async (string id) =>
            await reader.ReadAsync(id) is { } state
                ? Results.Content(JsonSerializer.Serialize(SweepDocument.From(state).Trials, SweepDocument.JsonOptions), "application/json")
                : NoSweep(id));

        app.MapPost("/api/sweeps/{id}/cancel", async (string id, HttpContext http) =>
        {
            if (Unauthorized(http, token) is { } denied) return denied;
            try
            {
                return await node.Manager.Ask<object>(new CancelSweep(id), AskTimeout) switch
                {
                    SweepAccepted a => Results.Json(new { SweepId = a.SweepId, Status = "cancel_requested" }, EventJson, statusCode: 202),
                    _ => NoSweep(id),
                };
            }
            catch (AskTimeoutException)
            {
                return Results.Problem(title: "the sweep manager did not answer in time (is a coordinator up?)", statusCode: 503);
            }
        });

        // Server-sent events: every journal event of the sweep, in order, as JSON; ends after sweep_finished.
        app.MapGet("/api/sweeps/{id}/events", async (string id, HttpContext http) =>
        {
            var cancel = http.RequestAborted;
            if (await reader.ReadAsync(id, cancel) is null)
            {
                await NoSweep(id).ExecuteAsync(http);
                return;
            }
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            int sent = 0;
            while (!cancel.IsCancellationRequested)
            {
                var events = await reader.ReadEventsAsync(id, cancel);
                foreach (var e in events.Skip(sent))
                {
                    var name = SweepEventNames.Of(e);
                    await http.Response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(e, e.GetType(), EventJson)}\n\n", cancel);
                    sent++;
                    if (e is SweepFinished) { await http.Response.Body.FlushAsync(cancel); return; }
                }
                await http.Response.Body.FlushAsync(cancel);
                try { await Task.Delay(500, cancel); } catch (OperationCanceledException) { return; }
            }
        });
    }

    static IResult NoSweep(string id)
        => Results.Problem(title: $"no sweep '{id}'", statusCode: 404);

    static IResult TooLarge()
        => Results.Problem(title: $"the body is larger than {MaxBodyBytes} bytes", statusCode: 413);

    /// <summary>With LSTMSWEEP_API_TOKEN set, mutating requests need "Authorization: Bearer &lt;token&gt;".</summary>
    static IResult? Unauthorized(HttpContext http, string? token)
    {
        if (token is null) return null;
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal) &&
            System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()), Encoding.UTF8.GetBytes(token)))
            return null;
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(title: "missing or wrong bearer token", statusCode: 401);
    }

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
