using Akka.Actor;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using LstmSweep.Cluster.Hosting;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cluster.Tests;

public sealed class SerializerTests() : TestKit(SweepSystem.BaseConfig())
{
    static readonly TaskSpec Task = new(TaskKind.Array, new TaskOptions { Path = "/data/x.csv", Features = 2 });
    static readonly TrialConfig Config = new(20, MergeMode.Concat, true, 100, 0.01, 4, 2);

    public static TheoryData<object> Messages() => new()
    {
        new SweepSubmitted("s-1", "s", Task, Objective.Loss, SearchStrategy.Random, 7, "name: s", DateTimeOffset.UnixEpoch),
        new TrialScheduled("s-1", 3, Config, 123456789012345L),
        new TrialStarted("s-1", 3, 2, "host/1", DateTimeOffset.UnixEpoch),
        new EpochReported("s-1", 3, 2, 10, 0.5, 0.75, 0.6),
        new SweepSubmitted("s-1", "s", Task, Objective.Loss, SearchStrategy.Random, 7, "name: s", DateTimeOffset.UnixEpoch, GoldenRows.Spec),
        new TrialFinished("s-1", 3, 2, TrialStatus.Failed, null, null, 4, 1000, "loss became NaN", DateTimeOffset.UnixEpoch, 0, FailureKind.NonFiniteLoss),
        new TrialFinished("s-1", 3, 2, TrialStatus.Paused, 0.2, 0.7, 3, 1000, "paused", DateTimeOffset.UnixEpoch),
        new TrialRequeued("s-1", 3, 2, "worker w was lost", RequeueReason.WorkerLost),
        new TrialPromoted("s-1", 3, 3),
        new SweepWorkStatus("s-1", true),
        new SweepCancelRequested("s-1", DateTimeOffset.UnixEpoch),
        new SweepFinished("s-1", SweepStatus.Completed, DateTimeOffset.UnixEpoch),
        new CancelSweep("s-1"),
        new GetSweepState("s-1"),
        new TrialEpoch("s-1", 1, 1, new EpochMetrics(3, 0.2, 0.9, 0.25)),
        new TrialResult("s-1", 1, 1, TrialStatus.Complete, 0.2, 0.9, 3, 10, null),
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void EventsAndMessagesRoundTripThroughTheirManifest(object message)
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<SweepSerializer>(serializer);
        var manifest = serializer.Manifest(message);
        Assert.Matches(@"^[a-z-]+\.v[0-9]+$", manifest);
        Assert.DoesNotContain("LstmSweep", manifest); // stored names never depend on CLR type names
        var copy = serializer.FromBinary(serializer.ToBinary(message), manifest);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(message), System.Text.Json.JsonSerializer.Serialize(copy));
        Assert.Equal(message.GetType(), copy.GetType());
    }

    [Fact]
    public void ActorRefsTravelByPath()
    {
        var probe = CreateTestProbe();
        var message = new RequestWork(probe.Ref, "w", 2);
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(message);
        var copy = (RequestWork)serializer.FromBinary(serializer.ToBinary(message), serializer.Manifest(message));
        Assert.Equal(probe.Ref, copy.Worker);
    }

    [Fact]
    public void AnAssignmentCarriesTheSweepsTraceParentAcrossNodes()
    {
        var probe = CreateTestProbe();
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var message = new AssignTrial("s-1", 3, 2, Task, Config, 42, probe.Ref, 5, traceParent);
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(message);
        var copy = (AssignTrial)serializer.FromBinary(serializer.ToBinary(message), serializer.Manifest(message));
        Assert.Equal(traceParent, copy.TraceParent);
        Assert.Equal(message with { Coordinator = copy.Coordinator }, copy);

        // Sent by a node without tracing (or an older one): no trace parent, and the trial starts a trace of its own.
        var untraced = (AssignTrial)serializer.FromBinary(serializer.ToBinary(message with { TraceParent = null }), serializer.Manifest(message));
        Assert.Null(untraced.TraceParent);
    }

    [Fact]
    public void JournalRowsAreReadableJson()
    {
        var e = new TrialScheduled("s-1", 3, Config, 42);
        var bytes = Sys.Serialization.FindSerializerFor(e).ToBinary(e);
        var json = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Contains("\"merge_mode\":\"concat\"", json);
        Assert.Contains("\"learning_rate\":0.01", json);
    }
}
