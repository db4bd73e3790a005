using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Cluster.Persistence;

/// <summary>
/// JSON with explicit, versioned manifests for journal events and protocol messages. The manifest names (not CLR type
/// names) are what the journal stores, so types can be renamed or moved freely; a field may be added, never renamed.
/// </summary>
public sealed class SweepSerializer : SerializerWithStringManifest
{
    public const int SerializerId = 4711;

    static readonly Dictionary<string, Type> TypesByManifest = new()
    {
        ["sweep-submitted.v1"] = typeof(SweepSubmitted),
        ["trial-scheduled.v1"] = typeof(TrialScheduled),
        ["trial-started.v1"] = typeof(TrialStarted),
        ["epoch-reported.v1"] = typeof(EpochReported),
        ["trial-finished.v1"] = typeof(TrialFinished),
        ["trial-requeued.v1"] = typeof(TrialRequeued),
        ["trial-promoted.v1"] = typeof(TrialPromoted),
        ["sweep-cancel-requested.v1"] = typeof(SweepCancelRequested),
        ["sweep-finished.v1"] = typeof(SweepFinished),
        ["submit-sweep.v1"] = typeof(SubmitSweep),
        ["sweep-accepted.v1"] = typeof(SweepAccepted),
        ["cancel-sweep.v1"] = typeof(CancelSweep),
        ["get-sweep-state.v1"] = typeof(GetSweepState),
        ["request-work.v1"] = typeof(RequestWork),
        ["work-available.v1"] = typeof(WorkAvailable),
        ["work-assigned.v1"] = typeof(WorkAssigned),
        ["assign-trial.v1"] = typeof(AssignTrial),
        ["cancel-trial.v1"] = typeof(CancelTrial),
        ["trial-returned.v1"] = typeof(TrialReturned),
        ["trial-epoch.v1"] = typeof(TrialEpoch),
        ["trial-result.v1"] = typeof(TrialResult),
        ["sweep-registered.v1"] = typeof(SweepRegistered),
        ["sweep-unknown.v1"] = typeof(SweepUnknown),
        ["drain-worker.v1"] = typeof(DrainWorker),
        ["worker-drained.v1"] = typeof(WorkerDrained),
    };

    static readonly Dictionary<Type, string> ManifestsByType = TypesByManifest.ToDictionary(p => p.Value, p => p.Key);

    readonly JsonSerializerOptions _options;

    public SweepSerializer(ExtendedActorSystem system) : base(system)
    {
        _options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new ActorRefConverter(system) },
        };
    }

    public override int Identifier => SerializerId;

    public override string Manifest(object o)
        => ManifestsByType.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} has no manifest in {nameof(SweepSerializer)}; add one");

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _options);

    public override object FromBinary(byte[] bytes, string manifest)
        => TypesByManifest.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, _options)!
            : throw new System.Runtime.Serialization.SerializationException($"unknown manifest '{manifest}': written by a newer LstmSweep?");

    /// <summary>Actor refs travel as their serialization path and resolve on the receiving system.</summary>
    sealed class ActorRefConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
    {
        public override IActorRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var path = reader.GetString();
            return string.IsNullOrEmpty(path) ? ActorRefs.Nobody : system.Provider.ResolveActorRef(path);
        }

        public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options)
            => writer.WriteStringValue(Akka.Serialization.Serialization.SerializedActorPath(value));
    }
}
