using System.Diagnostics;

namespace LstmSweep.Cluster.Telemetry;

/// <summary>
/// Traces of a sweep: one "sweep" span for the coordinator's life with the sweep, one "trial" span per attempt on
/// its worker (a child of the sweep span, across processes through <see cref="Protocol.AssignTrial.TraceParent"/>),
/// and one "epoch" span per epoch (the batches of one pass over the data and its evaluation). Off unless a host
/// listens to the source (LSTMSWEEP_OTLP_ENDPOINT): then StartActivity returns null and costs nothing.
/// </summary>
public static class LstmSweepTracing
{
    public const string SourceName = "LstmSweep";

    static readonly ActivitySource Source = new(SourceName, LstmSweepMetrics.Version);

    /// <summary>
    /// Starts a span with the given parent (or as a root) without making it the thread's current activity: actors
    /// and training threads are shared, so an ambient Activity.Current would leak into unrelated work.
    /// </summary>
    public static Activity? Start(string name, ActivityContext parent = default, DateTimeOffset startTime = default,
        params (string Key, object? Value)[] tags)
    {
        if (!Source.HasListeners()) return null;
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            return Source.StartActivity(name, ActivityKind.Internal, parent,
                tags.Select(t => new KeyValuePair<string, object?>(t.Key, t.Value)), startTime: startTime);
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    /// <summary>The W3C traceparent of a span, to carry in a message; null when not tracing.</summary>
    public static string? TraceParentOf(Activity? activity) => activity?.Id;

    public static ActivityContext ParentFrom(string? traceParent)
        => traceParent is not null && ActivityContext.TryParse(traceParent, null, out var context) ? context : default;

    /// <summary>Ends a span, marking it failed when there is an error.</summary>
    public static void End(Activity? activity, string? error = null, params (string Key, object? Value)[] tags)
    {
        if (activity is null) return;
        foreach (var (key, value) in tags) activity.SetTag(key, value);
        if (error is not null) activity.SetStatus(ActivityStatusCode.Error, error);
        activity.Stop();
    }
}
