using System.Diagnostics;
using Akka.Actor;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Cluster.Telemetry;
using LstmSweep.Core.Trials;
using LstmSweep.Training;

namespace LstmSweep.Cluster.Actors;

/// <summary>
/// Runs one attempt of one trial. Training blocks a thread for its whole length (TorchSharp dispose scopes are per
/// thread), so it runs on a dedicated thread off the mailbox; epochs are told to the coordinator as they finish and
/// the outcome comes back to this actor as a message. Stopping the actor cancels the training at its next step.
/// </summary>
public sealed class TrialActor : ReceiveActor
{
    readonly AssignTrial _assignment;
    readonly string _device;
    readonly CancellationTokenSource _cancellation = new();
    readonly Stopwatch _clock = new();

    readonly string? _checkpointRoot;

    /// <summary>This attempt's per-trial series (docs/metrics.md); removed when the actor stops.</summary>
    RunningTrialMeter? _meter;

    /// <summary>This attempt's span, a child of the sweep's (null when not tracing).</summary>
    Activity? _span;

    public static Props Props(AssignTrial assignment, string device, string? checkpointRoot)
        => Akka.Actor.Props.Create(() => new TrialActor(assignment, device, checkpointRoot));

    public TrialActor(AssignTrial assignment, string device, string? checkpointRoot)
    {
        _checkpointRoot = checkpointRoot;
        _assignment = assignment;
        _device = device;
        Receive<TrainingOutcome>(Report);
        Receive<CancelTrial>(_ => _cancellation.Cancel());
    }

    protected override void PreStart()
    {
        var a = _assignment;
        var coordinator = a.Coordinator;
        // Every attempt of a trial shares its checkpoint directory: training is deterministic, so any checkpoint of the
        // trial is a point on the same trajectory, and a new attempt (after a lost worker, or an ASHA promotion) resumes
        // from the newest one.
        var checkpoints = _checkpointRoot is null ? null
            : new CheckpointSettings(CheckpointDirectories.ForTrial(_checkpointRoot, a.SweepId, a.TrialId), a.CheckpointEvery);
        var request = new TrainingRequest(a.Task, a.Config, a.Seed, _device, checkpoints)
        {
            Evaluation = new EvaluationPlan(a.EvalEvery, a.EvaluateAt),
        };
        var token = _cancellation.Token;
        var meter = _meter = RunningTrialMeters.Start(a.SweepId, a.TrialId, a.Attempt, a.Config, _device);
        var span = _span = LstmSweepTracing.Start("trial", LstmSweepTracing.ParentFrom(a.TraceParent), tags:
        [
            ("lstmsweep.sweep", a.SweepId), ("lstmsweep.trial", a.TrialId), ("lstmsweep.attempt", a.Attempt),
            ("lstmsweep.config", RunningTrialMeter.Describe(a.Config)), ("lstmsweep.device", _device),
        ]);
        _clock.Start();
        Interlocked.Increment(ref _trainingThreads);
        Task.Factory.StartNew(() =>
            {
                try
                {
                    return TrialTrainer.Train(request, m =>
                    {
                        var took = meter.EpochFinished(m);
                        if (span is not null)
                        {
                            // One span per epoch: its batches and the evaluation after them.
                            var epochSpan = LstmSweepTracing.Start("epoch", span.Context, DateTimeOffset.UtcNow - took,
                                ("lstmsweep.epoch", m.Epoch), ("lstmsweep.train_loss", m.TrainLoss),
                                ("lstmsweep.eval_loss", m.Loss), ("lstmsweep.eval_accuracy", m.Accuracy));
                            LstmSweepTracing.End(epochSpan);
                        }
                        coordinator.Tell(new TrialEpoch(a.SweepId, a.TrialId, a.Attempt, m));
                    }, token);
                }
                catch (Exception e)
                {
                    return new TrainingOutcome(TrialStatus.Failed, double.NaN, double.NaN, 0, e.Message, Failure: FailureKind.Error);
                }
                finally
                {
                    Interlocked.Decrement(ref _trainingThreads);
                }
            }, token, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .PipeTo(Self, failure: e => new TrainingOutcome(
                token.IsCancellationRequested ? TrialStatus.Cancelled : TrialStatus.Failed, double.NaN, double.NaN, 0, e.Message,
                Failure: token.IsCancellationRequested ? null : FailureKind.Error));
    }

    void Report(TrainingOutcome outcome)
    {
        var a = _assignment;
        bool complete = outcome.Status == TrialStatus.Complete;
        LstmSweepTracing.End(_span, outcome.Status == TrialStatus.Failed ? outcome.Error ?? "failed" : null,
            ("lstmsweep.status", outcome.Status.ToName()), ("lstmsweep.epochs_run", outcome.EpochsRun));
        _span = null;
        a.Coordinator.Tell(new TrialResult(a.SweepId, a.TrialId, a.Attempt, outcome.Status,
            complete ? outcome.Loss : null, complete ? outcome.Accuracy : null, outcome.EpochsRun,
            (long)_clock.Elapsed.TotalMilliseconds, outcome.Error, outcome.ResumedFromEpoch, outcome.Failure));
        Context.Stop(Self);
    }

    static int _trainingThreads;

    /// <summary>
    /// Training loops of this process still running (a stopped trial actor's loop ends at its next batch): a process
    /// that stops without finishing its sweep waits for them, as native torch code must not run while the runtime exits.
    /// </summary>
    public static int TrainingThreads => Volatile.Read(ref _trainingThreads);

    protected override void PostStop()
    {
        // Not disposed: the training thread may still read the token on its way out.
        _cancellation.Cancel();
        _meter?.Dispose();
        LstmSweepTracing.End(_span, tags: ("lstmsweep.status", "stopped"));
    }
}
