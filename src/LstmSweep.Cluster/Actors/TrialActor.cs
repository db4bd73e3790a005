using System.Diagnostics;
using Akka.Actor;
using LstmSweep.Cluster.Hosting;
using LstmSweep.Cluster.Protocol;
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
        var request = new TrainingRequest(a.Task, a.Config, a.Seed, _device, checkpoints);
        var token = _cancellation.Token;
        _clock.Start();
        Task.Factory.StartNew(() =>
            {
                try
                {
                    return TrialTrainer.Train(request, m => coordinator.Tell(new TrialEpoch(a.SweepId, a.TrialId, a.Attempt, m)), token);
                }
                catch (Exception e)
                {
                    return new TrainingOutcome(TrialStatus.Failed, double.NaN, double.NaN, 0, e.Message);
                }
            }, token, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .PipeTo(Self, failure: e => new TrainingOutcome(
                token.IsCancellationRequested ? TrialStatus.Cancelled : TrialStatus.Failed, double.NaN, double.NaN, 0, e.Message));
    }

    void Report(TrainingOutcome outcome)
    {
        var a = _assignment;
        bool complete = outcome.Status == TrialStatus.Complete;
        a.Coordinator.Tell(new TrialResult(a.SweepId, a.TrialId, a.Attempt, outcome.Status,
            complete ? outcome.Loss : null, complete ? outcome.Accuracy : null, outcome.EpochsRun,
            (long)_clock.Elapsed.TotalMilliseconds, outcome.Error, outcome.ResumedFromEpoch));
        Context.Stop(Self);
    }

    protected override void PostStop()
    {
        // Not disposed: the training thread may still read the token on its way out.
        _cancellation.Cancel();
    }
}
