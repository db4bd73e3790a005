using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using LstmSweep.Cluster.Persistence.Stored;
using LstmSweep.Cluster.Protocol;

namespace LstmSweep.Cluster.Persistence;

/// <summary>
/// JSON with explicit, versioned manifests. Journal events and snapshots are written as the DTOs of
/// <see cref="JournalSchema"/> (the journal's own schema, never a Core record by reflection) and every manifest ever
/// written reads back; protocol messages (never stored) are written as they are. The manifest names (not CLR type
/// names) are what is stored, so types can be renamed or moved freely; a field may be added, never renamed.
/// </summary>
public sealed class SweepSerializer : SerializerWithStringManifest
{
    public const int SerializerId = 4711;

    static readonly Dictionary<string, Type> TypesByManifest = new()
    {
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
        ["sweep-work-status.v1"] = typeof(SweepWorkStatus),
        ["drain-worker.v1"] = typeof(DrainWorker),
        ["worker-drained.v1"] = typeof(WorkerDrained),
        ["sweep-rejected.v1"] = typeof(SweepRejected),
        ["sweep-unavailable.v1"] = typeof(SweepUnavailable),
        ["coordinator-journal-failed.v1"] = typeof(CoordinatorJournalFailed),
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
        => JournalSchema.ToStored(o) is { } stored ? stored.Manifest
            : ManifestsByType.TryGetValue(o.GetType(), out var manifest) ? manifest
            : throw new ArgumentException($"{o.GetType()} has no manifest in {nameof(SweepSerializer)}; add one");

    public override byte[] ToBinary(object obj)
        => JournalSchema.ToStored(obj) is { } stored
            ? JsonSerializer.SerializeToUtf8Bytes(stored.Stored, stored.Stored.GetType(), _options)
            : JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _options);

    public override object FromBinary(byte[] bytes, string manifest)
        => JournalSchema.Readers.TryGetValue(manifest, out var read) ? read(bytes, _options)
            : TypesByManifest.TryGetValue(manifest, out var type) ? Upcast(JsonSerializer.Deserialize(bytes, type, _options)!)
            : throw new System.Runtime.Serialization.SerializationException($"unknown manifest '{manifest}': written by a newer LstmSweep?");

    /// <summary>Protocol messages from a node of an older version, read with the meaning they had.</summary>
    static object Upcast(object message) => message is TrialResult result ? V1Upcaster.Result(result) : message;

    /// <summary>The options every row is written and read with (for tests and tools that read rows themselves).</summary>
    public static JsonSerializerOptions StoredJsonOptions(ExtendedActorSystem system) => new SweepSerializer(system)._options;

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
