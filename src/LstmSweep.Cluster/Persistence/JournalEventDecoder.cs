namespace LstmSweep.Cluster.Persistence;

/// <summary>
/// The one call that turns a stored journal row (its manifest and its bytes) back into an event, for readers that go
/// to the tables directly (<see cref="DirectJournalReader"/>). Today it delegates to <see cref="SweepSerializer"/>'s
/// own decoding; when the serializer's stored shape changes, this is the only line to repoint.
/// </summary>
public static class JournalEventDecoder
{
    // Journal events hold no actor references, so the serializer needs no actor system to decode them.
    static readonly SweepSerializer Serializer = new(null!);

    public static object Decode(string manifest, byte[] bytes) => Serializer.FromBinary(bytes, manifest);
}
