using LstmSweep.Core.Trials;
using LstmSweep.Training.Model;
using LstmSweep.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace LstmSweep.Training.Loop;

/// <summary>What one epoch of training came to.</summary>
/// <param name="NonFiniteLoss">The first NaN or infinite batch loss, if one stopped the epoch.</param>
internal sealed record EpochTraining(double MeanLoss, bool Cancelled, float? NonFiniteLoss);

/// <summary>
/// The model, optimizer and data of one trial while it trains. Tensors made by a step or an evaluation live in that
/// step's dispose scope; only the model, the optimizer (<see cref="ITrialOptimizer"/>: its state lives for the trial)
/// and a stateful model's carried state outlive it.
/// </summary>
internal sealed class TrialRun : IDisposable
{
    /// <summary>Rows per evaluation batch when the model is stateless (batching does not change its results).</summary>
    private const int StatelessEvaluationRows = 1024;

    private readonly ITrainingTask task;
    private readonly TrialConfig config;
    private readonly Device device;
    private readonly long seed;
    private readonly LstmNetwork model;
    private readonly ITrialOptimizer optimizer;
    private readonly TaskShape taskShape;

    /// <summary>The evaluation set as batches, made at the first evaluation and kept for the trial (the set is fixed).</summary>
    private List<SequenceBatch>? evaluationBatches;

    public TrialRun(ITrainingTask task, TrialConfig config, long seed, Device device)
    {
        this.task = task;
        this.config = config;
        this.device = device;
        this.seed = seed;
        taskShape = task.Shape.WithHead(config.Head);
        var shape = new NetworkShape(taskShape.InputFeatures, config.Units, config.Layers, config.MergeMode,
            taskShape.NetworkOutputs, taskShape.Head, config.DenseUnits, config.Init);
        // Initialised on the CPU from the seed, then moved: the same initial weights on every device.
        model = SeededModelFactory.Create(shape, seed);
        model.to(device);
        optimizer = TrialOptimizers.Create(config.Optimizer, model.parameters(), config.LearningRate);
    }

    internal LstmNetwork Model => model;

    internal ITrialOptimizer Optimizer => optimizer;

    /// <summary>
    /// One pass over the task's training set of <paramref name="epoch"/> (1-based). Stateless: batches shuffled by
    /// the epoch's own generator. Stateful: batches in order, each row continuing the state its row had at the end of
    /// the previous batch, from zeros at the start of the epoch. Nothing but the model and the optimizer carries over
    /// from one epoch to the next, so a checkpoint of those two resumes exactly.
    /// </summary>
    public EpochTraining TrainEpoch(int epoch, CancellationToken cancellation)
    {
        var set = task.TrainingSet(epoch);
        var order = Enumerable.Range(0, set.Count).ToArray();
        if (!config.Stateful) TrialRandom.ForEpoch(seed, TrialRandom.ShuffleStream, epoch).Shuffle(order);

        RecurrentState? carried = null;
        try
        {
            var lossSum = 0.0;
            var batches = 0;
            foreach (var rows in order.Chunk(config.BatchSize))
            {
                if (cancellation.IsCancellationRequested) return new EpochTraining(double.NaN, Cancelled: true, null);
                using var scope = NewDisposeScope();
                var batch = SequenceBatch.Create(set, rows, taskShape, device);
                var (logits, finals) = model.Forward(batch.Inputs, batch.NetworkLengths, batch.ScoredSteps, carried?.ForBatch(batch.Rows));
                var loss = PredictionLoss.Mean(taskShape.Prediction, logits, batch.Targets);
                var lossValue = loss.item<float>();
                if (!float.IsFinite(lossValue)) return new EpochTraining(double.NaN, Cancelled: false, lossValue);

                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                lossSum += lossValue;
                batches++;

                if (config.Stateful)
                {
                    var next = RecurrentState.Capture(finals);
                    carried?.Dispose();
                    carried = next;
                }
            }
            return new EpochTraining(lossSum / batches, Cancelled: false, null);
        }
        finally
        {
            carried?.Dispose();
        }
    }

    /// <summary>
    /// Loss (mean over all scored steps) and accuracy on the evaluation set. A stateful model replays it in order in
    /// batches of batch_size from a fresh state, carrying the state between batches (Keras evaluate after
    /// reset_states); the training state is not touched.
    /// </summary>
    public (double Loss, double Accuracy) Evaluate()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        IReadOnlyList<LayerState>? carried = null;
        var (lossSum, correct, scored) = (0.0, 0L, 0L);
        foreach (var batch in EvaluationBatches())
        {
            var initial = carried is null ? null : RecurrentState.FirstRows(carried, batch.Rows);
            var (logits, finals) = model.Forward(batch.Inputs, batch.NetworkLengths, batch.ScoredSteps, initial);
            lossSum += PredictionLoss.Mean(taskShape.Prediction, logits, batch.Targets).item<float>() * (double)batch.ScoredCount;
            correct += PredictionLoss.CountCorrect(taskShape.Prediction, logits, batch.Targets);
            scored += batch.ScoredCount;
            if (config.Stateful) carried = finals;
        }
        return (lossSum / scored, (double)correct / scored);
    }

    private List<SequenceBatch> EvaluationBatches()
    {
        if (evaluationBatches is not null) return evaluationBatches;
        var set = task.EvaluationSet;
        var rowsPerBatch = config.Stateful ? config.BatchSize : StatelessEvaluationRows;
        using var scope = NewDisposeScope();
        return evaluationBatches = Enumerable.Range(0, set.Count).Chunk(rowsPerBatch)
            .Select(rows => SequenceBatch.Create(set, rows, taskShape, device).Keep())
            .ToList();
    }

    public void Dispose()
    {
        foreach (var batch in evaluationBatches ?? []) batch.Dispose();
        optimizer.Dispose();
        model.Dispose();
    }
}
