using LstmSweep.Core.Data;
using LstmSweep.Core.Packing;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Training.Checkpoints;
using LstmSweep.Training.Loop;
using LstmSweep.Training.Tasks;
using TorchSharp;

namespace LstmSweep.Training.Packing;

/// <summary>
/// Trains the trials of one pack together (<see cref="PackedTrialRun"/>), each with the outcome, epoch reports and
/// checkpoints <see cref="TrialTrainer.Train(TrainingRequest, ArrayDataset?, Action{EpochMetrics}?, CancellationToken)"/>
/// gives it alone: a member resumes from its own checkpoint directory, writes checkpoints an unpacked trainer can
/// resume (and resumes ones an unpacked trainer wrote), fails alone on a non-finite loss or bad options, and is
/// cancelled alone by its own token (ASHA's stop or pause) while the others go on.
/// </summary>
public static class PackedTrainer
{
    /// <summary>Whether these requests can train as one pack: the same task, options, device and shape key.</summary>
    public static bool CanPack(IReadOnlyList<TrainingRequest> requests) =>
        requests.Count > 0 && requests.All(r =>
            PackKey.Of(r.Task, r.Config) == PackKey.Of(requests[0].Task, requests[0].Config) && r.Device == requests[0].Device);

    /// <summary>
    /// Trains every request to its end on the calling thread (blocking). <paramref name="onEpoch"/> hears (member
    /// index, metrics) after each member's epoch, as the unpacked trainer's callback would.
    /// </summary>
    /// <param name="cancellations">Per member; null: none can be cancelled.</param>
    /// <returns>One outcome per request, in order.</returns>
    public static TrainingOutcome[] Train(
        IReadOnlyList<TrainingRequest> requests, ArrayDataset? arrayData, Action<int, EpochMetrics>? onEpoch,
        IReadOnlyList<CancellationToken>? cancellations = null)
    {
        if (!CanPack(requests)) throw new ArgumentException("packed trials must share the task, its options, the device and the shape key");
        var count = requests.Count;
        var outcomes = new TrainingOutcome?[count];
        var last = new EpochMetrics?[count];
        var resumedFrom = new int[count];
        var tokens = cancellations ?? Enumerable.Repeat(CancellationToken.None, count).ToArray();
        TrainingOutcome Stopped(int i, TrialStatus status, string? error, FailureKind? failure = null) =>
            new(status, last[i]?.Loss ?? double.NaN, last[i]?.Accuracy ?? double.NaN, last[i]?.Epoch ?? 0, error, resumedFrom[i],
                status == TrialStatus.Failed ? failure ?? FailureKind.Error : null);

        var members = new List<(int Index, PackMember Member, CheckpointStore? Store, TrialRun Source)>();
        var device = torch.CPU;
        try
        {
            device = torch.device(TorchRuntime.ResolveDevice(requests[0].Device));
            for (var i = 0; i < count; i++)
            {
                var request = requests[i];
                try
                {
                    TrialTrainer.Validate(request.Config);
                    var data = arrayData;
                    if (request.Task.Kind == TaskKind.Array && data is null)
                    {
                        var path = request.Task.Options.Path ?? throw new ArgumentException("array: the task has no data path");
                        data = arrayData = ArrayDatasetCache.Shared.Get(path, request.Task.Options.Features);
                    }
                    var task = TrainingTasks.Create(request.Task, request.Config, request.Seed, data);
                    var source = new TrialRun(task, request.Config, request.Seed, device);
                    var store = request.Checkpoints is { } settings
                        ? new CheckpointStore(settings, CheckpointStore.IdentityOf(request, data))
                        : null;
                    if (store?.RestoreLatest(source, request.Config.Epochs) is { } restored)
                    {
                        resumedFrom[i] = restored.Epoch;
                        last[i] = restored;
                        if (restored.Epoch == request.Config.Epochs)
                        {
                            var (finalLoss, finalAccuracy) = source.Evaluate();
                            last[i] = restored with { Loss = finalLoss, Accuracy = finalAccuracy };
                            outcomes[i] = Stopped(i, TrialStatus.Complete, null);
                            source.Dispose();
                            continue;
                        }
                    }
                    members.Add((i, new PackMember(task, request.Config, request.Seed), store, source));
                }
                catch (Exception error)
                {
                    outcomes[i] = Stopped(i, TrialStatus.Failed, error.Message);
                }
            }
            if (members.Count > 0) TrainPack(members, requests, last, resumedFrom, outcomes, tokens, onEpoch, Stopped);
        }
        finally
        {
            foreach (var member in members) member.Source.Dispose();
        }
        return outcomes.Select((outcome, i) => outcome ?? Stopped(i, TrialStatus.Failed, "the pack ended without an outcome")).ToArray();
    }

    private static void TrainPack(
        List<(int Index, PackMember Member, CheckpointStore? Store, TrialRun Source)> members,
        IReadOnlyList<TrainingRequest> requests, EpochMetrics?[] last, int[] resumedFrom, TrainingOutcome?[] outcomes,
        IReadOnlyList<CancellationToken> tokens, Action<int, EpochMetrics>? onEpoch,
        Func<int, TrialStatus, string?, FailureKind?, TrainingOutcome> stopped)
    {
        // Pack member ids are positions in `members`; outcomes are indexed by request.
        var device = members[0].Source.Model.parameters().First().device;
        using var pack = new PackedTrialRun(members.Select(m => m.Member).ToList(), device, members.Select(m => (TrialRun?)m.Source).ToList());
        var requestOf = members.Select(m => m.Index).ToArray();
        var nextEpoch = members.Select(m => resumedFrom[m.Index] + 1).ToArray();
        try
        {
            while (pack.Members.Count > 0)
            {
                var cancelled = pack.Members.Where(id => tokens[requestOf[id]].IsCancellationRequested).ToList();
                foreach (var id in cancelled) outcomes[requestOf[id]] = stopped(requestOf[id], TrialStatus.Cancelled, null, null);
                pack.Remove(cancelled);
                if (pack.Members.Count == 0) break;

                var epochs = pack.Members.ToDictionary(id => id, id => nextEpoch[id]);
                var training = pack.TrainEpoch(epochs, id => tokens[requestOf[id]].IsCancellationRequested);
                foreach (var (id, result) in training)
                {
                    var i = requestOf[id];
                    if (result.Cancelled) outcomes[i] = stopped(i, TrialStatus.Cancelled, null, null);
                    else if (result.NonFiniteLoss is { } bad)
                        outcomes[i] = stopped(i, TrialStatus.Failed, $"training loss became {Describe(bad)} at epoch {epochs[id]}", FailureKind.NonFiniteLoss);
                }
                var evaluation = pack.Evaluate();
                var leaving = new List<int>();
                foreach (var (id, (loss, accuracy)) in evaluation)
                {
                    var i = requestOf[id];
                    if (!double.IsFinite(loss))
                    {
                        outcomes[i] = stopped(i, TrialStatus.Failed, $"evaluation loss became {Describe(loss)} at epoch {epochs[id]}", FailureKind.NonFiniteLoss);
                        leaving.Add(id);
                        continue;
                    }
                    var metrics = new EpochMetrics(epochs[id], loss, accuracy, training[id].MeanLoss);
                    last[i] = metrics;
                    var config = requests[i].Config;
                    if (members[id].Store is { } store && (metrics.Epoch % store.Every == 0 || metrics.Epoch == config.Epochs))
                    {
                        pack.Store(id, members[id].Source);
                        store.Write(members[id].Source, metrics);
                    }
                    onEpoch?.Invoke(i, metrics);
                    nextEpoch[id]++;
                    if (metrics.Epoch == config.Epochs)
                    {
                        outcomes[i] = stopped(i, TrialStatus.Complete, null, null);
                        leaving.Add(id);
                    }
                }
                pack.Remove(leaving);
            }
        }
        catch (Exception error)
        {
            // A failure of the pack itself (torch, the checkpoint disk): every member still in it failed with it.
            foreach (var id in pack.Members)
            {
                var i = requestOf[id];
                outcomes[i] ??= stopped(i, TrialStatus.Failed, error.Message, null);
            }
        }
    }

    private static string Describe(double loss) => double.IsNaN(loss) ? "NaN" : "infinite";
}
