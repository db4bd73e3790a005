using System.Text;
using Akka.Actor;
using Akka.Serialization;
using LstmSweep.Cluster.Actors;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Cluster.Persistence.Stored;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cluster.Tests;

/// <summary>
/// The journal's schema against its golden rows: every manifest ever written reads back (v1 rows as the code before the
/// decider wrote them, through the upcaster), and today's rows are byte for byte the committed v2 ones.
/// </summary>
public sealed class JournalSchemaTests() : SqliteJournalTestKit("lstmsweep-schema")
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;
    static readonly TrialConfig Config = new(20, MergeMode.Concat, true, 100, 0.01, 4, 2);

    static readonly SweepSubmitted Header =
        new("golden-1", "golden", GoldenRows.Spec.Task, Objective.Accuracy, SearchStrategy.Grid, 0, GoldenRows.SpecText, T0, GoldenRows.Spec);

    /// <summary>
    /// One sample per manifest this version writes. Those still at v1 are the very events the v1 golden rows were
    /// written from (by the code before the journal had DTOs), so today's rows must be the same bytes.
    /// </summary>
    public static TheoryData<object> Written() => new()
    {
        Header,
        SweepPlan.For(GoldenRows.Spec, GoldenRows.SpecText, "golden-1", T0).Trials[0],
        new TrialStarted("golden-1", 0, 1, "host/1", T0),
        new EpochReported("golden-1", 0, 1, 1, 0.5, 0.75, 0.6),
        new TrialFinished("golden-1", 0, 1, TrialStatus.Failed, null, null, 4, 1000, "training loss became NaN at epoch 4", T0, 2, FailureKind.NonFiniteLoss),
        new TrialRequeued("golden-1", 0, 1, "worker host/1 was lost", RequeueReason.WorkerLost),
        new TrialPromoted("golden-1", 0, 1),
        new SweepCancelRequested("golden-1", T0),
        new SweepFinished("golden-1", SweepStatus.Completed, T0),
        SnapshotSample(),
        new StoredManagerState { SweepIds = ["a-1", "b-2"] },
    };

    static StoredSweepState SnapshotSample()
    {
        var state = SweepState.Fold("golden-1", [
            Header, new TrialScheduled("golden-1", 0, Config, 42), new TrialStarted("golden-1", 0, 1, "w", T0),
            new EpochReported("golden-1", 0, 1, 1, 0.4, 0.6, 0.5),
        ]);
        return StoredSweepState.From(state with { Rungs = state.Rungs.Add(new RungEntry(0, 0, 1, 0.6, RungOutcome.Paused)) });
    }

    SerializerWithStringManifest Serializer => (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(SweepFinished));

    [Theory]
    [MemberData(nameof(Written))]
    public void TodaysRowsAreTheCommittedGoldenRowsAndReadBackTheSame(object value)
    {
        var manifest = Serializer.Manifest(value);
        var bytes = Serializer.ToBinary(value);
        var path = GoldenRows.PathOf(manifest);
        // Only rows of new manifests are ever written: a committed row is what an older version wrote, never replaced.
        if (Environment.GetEnvironmentVariable("LSTMSWEEP_WRITE_GOLDEN") == "1" && !File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }
        Assert.True(File.Exists(path), $"no golden row for {manifest}: run once with LSTMSWEEP_WRITE_GOLDEN=1 and commit {path}");
        Assert.Equal(File.ReadAllText(path), Encoding.UTF8.GetString(bytes));
        var copy = Serializer.FromBinary(File.ReadAllBytes(path), manifest);
        Assert.Equal(value.GetType(), copy.GetType());
        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(Serializer.ToBinary(copy)));
    }

    [Fact]
    public void KeepModelsIsStoredWhenGivenAndGoldenRowsWithoutItReadAsTheDefault()
    {
        var keeping = Header with { Spec = GoldenRows.Spec with { KeepModels = 3 } };
        var copy = Assert.IsType<SweepSubmitted>(Serializer.FromBinary(Serializer.ToBinary(keeping), Serializer.Manifest(keeping)));
        Assert.Equal(3, copy.Spec!.KeepModels);
        Assert.Equal(SweepSpec.DefaultKeepModels, Assert.IsType<SweepSubmitted>(GoldenRows.Read(Sys, "sweep-submitted.v2")).Spec!.KeepModels);
        Assert.Equal(SweepSpec.DefaultKeepModels, Assert.IsType<SweepSubmitted>(GoldenRows.Read(Sys, "sweep-submitted.v1")).Spec!.KeepModels);
    }

    [Theory]
    [InlineData("training loss became NaN at epoch 3", FailureKind.NonFiniteLoss)]
    [InlineData("array: label 7 of sample 2 is outside [0, 2)", FailureKind.Error)]
    public void AnOldNodesTrialResultWithoutAFailureKindReadsWithTheKindItMeant(string error, FailureKind expected)
    {
        // What a worker of the version before failure kinds sent: no "failure" field.
        var old = $$"""{"sweep_id":"s","trial_id":0,"attempt":1,"status":"failed","loss":null,"accuracy":null,"epochs_run":3,"duration_ms":10,"error":"{{error}}","resumed_from_epoch":0}""";
        var result = Assert.IsType<TrialResult>(Serializer.FromBinary(Encoding.UTF8.GetBytes(old), "trial-result.v1"));
        Assert.Equal(expected, result.Failure);
        var complete = old.Replace("\"failed\"", "\"complete\"");
        Assert.Null(Assert.IsType<TrialResult>(Serializer.FromBinary(Encoding.UTF8.GetBytes(complete), "trial-result.v1")).Failure);
    }

    [Fact]
    public void EveryManifestThisVersionReadsHasAGoldenRow()
    {
        foreach (var manifest in JournalSchema.Readers.Keys)
            Assert.True(File.Exists(GoldenRows.PathOf(manifest)), $"no golden row for {manifest}");
    }

    /// <summary>eval_every arrived with sweep-submitted.v3 and sweep-snapshot.v2: earlier rows evaluated every epoch.</summary>
    [Fact]
    public void RowsFromBeforeEvalEveryReadAsEvaluatingEveryEpoch()
    {
        Assert.Equal(1, Assert.IsType<SweepSubmitted>(GoldenRows.Read(Sys, "sweep-submitted.v2")).Spec!.EvalEvery);
        Assert.Equal(1, Assert.IsType<StoredSweepState>(GoldenRows.Read(Sys, "sweep-snapshot.v1")).ToState().Spec!.EvalEvery);
        var today = Assert.IsType<SweepSubmitted>(GoldenRows.Read(Sys, "sweep-submitted.v3"));
        Assert.Equal(SweepSpec.DefaultEvalEvery, today.Spec!.EvalEvery);
    }

    [Fact]
    public void V1RowsReadWithTheirMeaningsTyped()
    {
        var submitted = Assert.IsType<SweepSubmitted>(GoldenRows.Read(Sys, "sweep-submitted.v1"));
        var spec = submitted.Spec!;
        Assert.Equal((SchedulerKind.Asha, true, 2, 9), (spec.Scheduler, spec.Asha!.PauseAtRungs, spec.Retries, spec.Asha.MaxEpochs));
        Assert.Equal(1, spec.EvalEvery); // before eval_every, trials evaluated after every epoch
        Assert.Equal([4, 5, 6, 7], spec.Space.Get(Hyperparameters.Units).Values!);
        Assert.Equal(4, Samplers.TrialCount(spec));

        var finished = Assert.IsType<TrialFinished>(GoldenRows.Read(Sys, "trial-finished.v1"));
        Assert.Equal((TrialStatus.Failed, FailureKind.NonFiniteLoss, 2), (finished.Status, finished.Failure, finished.ResumedFromEpoch));
        var requeued = Assert.IsType<TrialRequeued>(GoldenRows.Read(Sys, "trial-requeued.v1"));
        Assert.Equal((RequeueReason.WorkerLost, "worker host/1 was lost"), (requeued.Kind, requeued.Reason));
        var scheduled = Assert.IsType<TrialScheduled>(GoldenRows.Read(Sys, "trial-scheduled.v1"));
        Assert.Equal(new TrialConfig(4, MergeMode.None, false, 9, 0.01, 1, 1), scheduled.Config);
        Assert.IsType<TrialStarted>(GoldenRows.Read(Sys, "trial-started.v1"));
        Assert.IsType<EpochReported>(GoldenRows.Read(Sys, "epoch-reported.v1"));
        Assert.IsType<TrialPromoted>(GoldenRows.Read(Sys, "trial-promoted.v1"));
        Assert.IsType<SweepCancelRequested>(GoldenRows.Read(Sys, "sweep-cancel-requested.v1"));
        Assert.Equal(SweepStatus.Completed, Assert.IsType<SweepFinished>(GoldenRows.Read(Sys, "sweep-finished.v1")).Status);
        Assert.Equal("golden-1", Assert.IsType<SweepRegistered>(GoldenRows.Read(Sys, "sweep-registered.v1")).SweepId);
    }

    [Fact]
    public void ASweepJournalledByTheCodeBeforeTheDeciderRecoversAndFinishes()
    {
        var db = Sys.Settings.Config.GetString("akka.persistence.journal.sql.connection-string");
        var warmup = Sys.ActorOf(SweepCoordinator.Props("warmup")); // creates the journal's tables
        warmup.Ask<SweepState>(new GetSweepState("warmup"), Wait).Wait();
        GoldenRows.WriteJournal(db, SweepCoordinator.PersistenceIdFor("golden-1"), GoldenRows.Journal("journal-asha-pause"));

        // The v1 journal: trial 0 paused, promoted and interrupted; 1 failed once (retried) and paused; 2 paused;
        // 3 lost with its worker, then failed with a NaN loss.
        var coordinator = Sys.ActorOf(SweepCoordinator.Props("golden-1"));
        var state = coordinator.Ask<SweepState>(new GetSweepState("golden-1"), Wait).Result;
        Assert.Equal((TrialStatus.Waiting, 2, RungOutcome.Promoted), (state.Trials[0].Status, state.Trials[0].Attempts, state.Rungs.EntryOf(0, 1)!.Outcome));
        Assert.Equal((TrialStatus.Paused, 1), (state.Trials[1].Status, state.Trials[1].FailedAttempts));
        Assert.Equal(TrialStatus.Paused, state.Trials[2].Status);
        Assert.Equal((TrialStatus.Failed, FailureKind.NonFiniteLoss, 1), (state.Trials[3].Status, state.Trials[3].Failure, state.Trials[3].LostAttempts));

        var worker = CreateTestProbe();
        coordinator.Tell(new RequestWork(worker.Ref, "w", 4));
        var resumed = worker.ExpectMsg<WorkAssigned>(Wait).Trials.Single();
        Assert.Equal((0, 3), (resumed.TrialId, resumed.Attempt));
        coordinator.Tell(new TrialResult("golden-1", 0, 3, TrialStatus.Complete, 0.05, 0.95, 9, 100, null, ResumedFromEpoch: 1));
        AwaitAssert(() => Assert.True(coordinator.Ask<SweepState>(new GetSweepState("golden-1"), Wait).Result.IsFinished), Wait);

        var end = coordinator.Ask<SweepState>(new GetSweepState("golden-1"), Wait).Result;
        Assert.Equal(SweepStatus.Completed, end.Status);
        Assert.Equal(0, end.Count(TrialStatus.Paused));
        Assert.Equal(2, end.Count(TrialStatus.Pruned));
        Assert.Equal(0.95, end.Best!.Accuracy);
        // What a reader of the journal folds is what the coordinator has.
        var read = new SweepJournalReader(Sys).ReadAsync("golden-1").Result!;
        Assert.Equal(end.Trials.Values.Select(t => (t.Status, t.Attempts)), read.Trials.Values.Select(t => (t.Status, t.Attempts)));
    }
}
