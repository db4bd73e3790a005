using System.Text.Json;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Cluster.Persistence.Stored;

/// <summary>
/// The journal's schema: which manifest each event and snapshot is written under, and how every manifest ever written
/// reads back (older versions through <see cref="V1Upcaster"/>). Golden rows of each manifest and version live in
/// tests/LstmSweep.Cluster.Tests/Golden; a new version is a new manifest here, and the old one keeps its reader.
/// </summary>
public static class JournalSchema
{
    /// <summary>v2: the spec holds eval_every (a v1 snapshot's spec reads as evaluating every epoch).</summary>
    public const string SweepSnapshot = "sweep-snapshot.v2";
    public const string ManagerSnapshot = "sweep-manager-snapshot.v1";

    /// <summary>The manifest and stored form of an event or snapshot, or null for anything else.</summary>
    public static (string Manifest, object Stored)? ToStored(object value) => value switch
    {
        SweepSubmitted e => ("sweep-submitted.v3", StoredSweepSubmitted.From(e)),
        TrialScheduled e => ("trial-scheduled.v2", StoredTrialScheduled.From(e)),
        TrialStarted e => ("trial-started.v1", StoredTrialStarted.From(e)),
        EpochReported e => ("epoch-reported.v1", StoredEpochReported.From(e)),
        TrialFinished e => ("trial-finished.v2", StoredTrialFinished.From(e)),
        TrialRequeued e => ("trial-requeued.v2", StoredTrialRequeued.From(e)),
        TrialPromoted e => ("trial-promoted.v1", StoredTrialPromoted.From(e)),
        SweepCancelRequested e => ("sweep-cancel-requested.v1", StoredSweepCancelRequested.From(e)),
        SweepFinished e => ("sweep-finished.v1", StoredSweepFinished.From(e)),
        StoredSweepState s => (SweepSnapshot, s),
        StoredManagerState s => (ManagerSnapshot, s),
        _ => null,
    };

    /// <summary>Every manifest this version reads, to the event (or snapshot) it stands for.</summary>
    public static readonly IReadOnlyDictionary<string, Func<byte[], JsonSerializerOptions, object>> Readers =
        new Dictionary<string, Func<byte[], JsonSerializerOptions, object>>
        {
            ["sweep-submitted.v1"] = (b, o) => Read<StoredSweepSubmitted>(b, o).ToEvent(),
            ["sweep-submitted.v2"] = (b, o) => Read<StoredSweepSubmitted>(b, o).ToEvent(),
            // v3: the spec holds eval_every; v1 and v2 rows read it as 1 (their trials evaluated every epoch).
            ["sweep-submitted.v3"] = (b, o) => Read<StoredSweepSubmitted>(b, o).ToEvent(),
            // v2: the config holds optimizer, dense_units, init and head; a v1 row reads them as what it trained with.
            ["trial-scheduled.v1"] = (b, o) => Read<StoredTrialScheduled>(b, o).ToEvent(),
            ["trial-scheduled.v2"] = (b, o) => Read<StoredTrialScheduled>(b, o).ToEvent(),
            ["trial-started.v1"] = (b, o) => Read<StoredTrialStarted>(b, o).ToEvent(),
            ["epoch-reported.v1"] = (b, o) => Read<StoredEpochReported>(b, o).ToEvent(),
            ["trial-finished.v1"] = (b, o) => V1Upcaster.Finished(Read<StoredTrialFinished>(b, o)).ToEvent(),
            ["trial-finished.v2"] = (b, o) => Read<StoredTrialFinished>(b, o).ToEvent(),
            ["trial-requeued.v1"] = (b, o) => V1Upcaster.Requeued(Read<StoredTrialRequeued>(b, o)).ToEvent(),
            ["trial-requeued.v2"] = (b, o) => Read<StoredTrialRequeued>(b, o).ToEvent(),
            ["trial-promoted.v1"] = (b, o) => Read<StoredTrialPromoted>(b, o).ToEvent(),
            ["sweep-cancel-requested.v1"] = (b, o) => Read<StoredSweepCancelRequested>(b, o).ToEvent(),
            ["sweep-finished.v1"] = (b, o) => Read<StoredSweepFinished>(b, o).ToEvent(),
            ["sweep-snapshot.v1"] = (b, o) => Read<StoredSweepState>(b, o),
            [SweepSnapshot] = (b, o) => Read<StoredSweepState>(b, o),
            [ManagerSnapshot] = (b, o) => Read<StoredManagerState>(b, o),
        };

    /// <summary>An event's name outside the journal (the SSE stream): its manifest without the version, in snake_case.</summary>
    public static string EventNameOf(ISweepEvent e)
        => ToStored(e) is { } stored ? stored.Manifest[..stored.Manifest.LastIndexOf('.')].Replace('-', '_') : "event";

    static T Read<T>(byte[] bytes, JsonSerializerOptions options)
        => JsonSerializer.Deserialize<T>(bytes, options) ?? throw new JsonException($"a null {typeof(T).Name} row");
}
