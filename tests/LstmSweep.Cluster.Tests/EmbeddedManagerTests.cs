using Akka.Actor;
using LstmSweep.Cluster.Actors;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cluster.Tests;

/// <summary>
/// `lstmsweep run`'s routing: the manager owning one sweep, restarted (as `run --resume` does) after more events than
/// a snapshot interval and with an attempt running: it recovers from the snapshot and routes the interrupted trial again.
/// </summary>
public sealed class EmbeddedManagerTests() : SqliteJournalTestKit("lstmsweep-embedded")
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    [Fact]
    public void AResumedRunRecoversFromItsSnapshotAndRoutesTheInterruptedTrialAgain()
    {
        const string text = "name: r\ntask: cumsum\nspace: {units: [4, 5, 6]}\n";
        var (header, trials) = SweepPlan.For(SpecParser.Parse(text).Spec!, text, "r", DateTimeOffset.UtcNow);
        var m = Sys.ActorOf(SweepManager.Props(embeddedSweep: "r"));
        m.Tell(new SubmitSweep(header, trials), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        var w = CreateTestProbe();
        m.Tell(new RequestWork(w.Ref, "w", 1));
        var a = w.FishForMessage<WorkAssigned>(x => x.Trials.Count > 0, Wait).Trials.Single();
        var coord = w.LastSender;
        for (int e = 1; e <= 2500; e++) coord.Tell(new TrialEpoch("r", a.TrialId, 1, new EpochMetrics(e, 0.1, 0.9, 0.1)));
        coord.Tell(new TrialResult("r", a.TrialId, 1, TrialStatus.Complete, 0.1, 0.9, 2500, 5, null));
        AwaitAssert(() => Assert.Equal(TrialStatus.Complete, m.Ask<SweepState>(new GetSweepState("r"), Wait).Result.Trials[0].Status), TimeSpan.FromSeconds(60));
        m.Tell(new RequestWork(w.Ref, "w", 1));
        var b = w.FishForMessage<WorkAssigned>(x => x.Trials.Count > 0, TimeSpan.FromSeconds(60));
        for (int e = 1; e <= 10; e++) coord.Tell(new TrialEpoch("r", 1, 1, new EpochMetrics(e, 0.1, 0.9, 0.1)));
        AwaitAssert(() => Assert.Equal(10, m.Ask<SweepState>(new GetSweepState("r"), Wait).Result.Trials[1].EpochsRun), TimeSpan.FromSeconds(60));
        Watch(m); Sys.Stop(m); ExpectTerminated(m, Wait);
        var m2 = Sys.ActorOf(SweepManager.Props(embeddedSweep: "r"));
        var s = m2.Ask<SweepState>(new GetSweepState("r"), Wait).Result;
        Assert.Equal(TrialStatus.Waiting, s.Trials[1].Status);
        var w2 = CreateTestProbe();
        m2.Tell(new RequestWork(w2.Ref, "w2", 1));
        var got = w2.FishForMessage<WorkAssigned>(x => x.Trials.Count > 0, Wait);
        Assert.Equal(1, got.Trials.Single().TrialId);
    }
}
