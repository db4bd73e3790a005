using LstmSweep.Core.Data;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Training.Checkpoints;
using LstmSweep.Training.Loop;
using LstmSweep.Training.Model;
using LstmSweep.Training.Tasks;
using static TorchSharp.torch;

namespace LstmSweep.Training.Inference;

/// <summary>A kept model cannot be used as asked: no checkpoint, or inputs that do not fit it. The message says why and the fix.</summary>
public sealed class KeptModelException(string message) : Exception(message);

/// <summary>The prediction for one scored step: the most likely class and its probability (and the label, if given).</summary>
public sealed record StepPrediction(int Step, int Class, double Probability, int? Label);

/// <summary>One input sample's predictions: one step for a last-step head, one per output step otherwise.</summary>
public sealed record SamplePrediction(int Sample, IReadOnlyList<StepPrediction> Steps);

/// <summary>
/// Predictions for a file of inputs. With labels: <see cref="Accuracy"/> over every scored step (Keras's per-timestep
/// accuracy). When the file is the trial's own training data, <see cref="EvaluationAccuracy"/> scores the rows the
/// sweep held out for validation, as the sweep did (so it reproduces the accuracy the sweep reported); on the trial's
/// validation_file, every row.
/// </summary>
public sealed record PredictionReport(
    IReadOnlyList<SamplePrediction> Samples, double? Accuracy, double? EvaluationAccuracy, int? EvaluationSamples);

/// <summary>
/// A trial's final weights, rebuilt from its newest checkpoint for prediction and export. The model is rebuilt exactly
/// as the trial built it (task, hyperparameters, seed), and the checkpoint must carry the trial's identity (the same
/// data file too), so a prediction is what the sweep's model would have said.
/// </summary>
public sealed class KeptModel : IDisposable
{
    /// <summary>Rows per forward pass of a stateless model (batching does not change its outputs).</summary>
    private const int StatelessRows = 1024;

    private readonly TrialRun run;
    private readonly TaskShape shape;
    private readonly TrainingRequest request;
    private readonly ArrayDataset? trainedData;
    private readonly ArrayDataset? evaluationData;

    private KeptModel(TrainingRequest request, TrialRun run, TaskShape shape, ArrayDataset? trainedData, ArrayDataset? evaluationData,
        EpochMetrics metrics)
    {
        this.evaluationData = evaluationData;
        this.request = request;
        this.run = run;
        this.shape = shape;
        this.trainedData = trainedData;
        Metrics = metrics;
    }

    /// <summary>The epoch and evaluation metrics stored with the checkpoint the weights come from.</summary>
    public EpochMetrics Metrics { get; }

    public int InputFeatures => shape.InputFeatures;

    public int Classes => shape.Classes;

    /// <summary>Values per sample of the trained data (timesteps × features), for an array task.</summary>
    public int? TrainedSampleWidth => trainedData is { } d ? d.Timesteps * d.Features : null;

    internal LstmNetwork Network => run.Model;

    internal TaskShape Shape => shape;

    internal ArrayDataset? TrainedData => trainedData;

    internal TrainingRequest Request => request;

    /// <summary>Rebuilds the trial's model on the CPU and loads its newest checkpoint from <paramref name="trialDirectory"/>.</summary>
    /// <exception cref="KeptModelException">No usable checkpoint of this trial there.</exception>
    /// <exception cref="ArrayDataException">The array task's data file cannot be read.</exception>
    public static KeptModel Open(TrainingRequest request, string trialDirectory)
    {
        if (!Directory.Exists(trialDirectory))
            throw new KeptModelException(
                $"no kept model at {trialDirectory}: the sweep kept only its top keep_models trials (or ran with other --checkpoints); " +
                "give --checkpoints the folder the sweep ran with, or another --trial");
        ArrayDataset? data = null;
        if (request.Task.Kind == TaskKind.Array)
        {
            var path = request.Task.Options.Path ?? throw new KeptModelException("the array task has no data path");
            data = ArrayDatasetCache.Shared.Get(path, request.Task.Options.Features);
        }
        var evaluation = request.Task.Options.ValidationFile is { } file ? ArrayDatasetCache.Shared.Get(file, request.Task.Options.Features) : null;
        var task = TrainingTasks.Create(request.Task, request.Config, request.Seed, data);
        var run = new TrialRun(task, request.Config, request.Seed, CPU);
        try
        {
            var store = new CheckpointStore(new CheckpointSettings(trialDirectory, 1), CheckpointStore.IdentityOf(request, data));
            var restored = store.RestoreLatest(run, int.MaxValue)
                ?? throw new KeptModelException(
                    $"{trialDirectory} holds no checkpoint of this trial that reads back whole (were the weights or the data file changed since?)");
            return new KeptModel(request, run, task.Shape.WithHead(request.Config.Head), data, evaluation, restored);
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    /// <summary>Predicts every sample of a data file in the array task's formats (labels optional).</summary>
    /// <exception cref="ArrayDataException">The file cannot be read.</exception>
    /// <exception cref="KeptModelException">The inputs do not fit the model.</exception>
    public PredictionReport Predict(string inputPath)
    {
        var inputs = ArrayDataset.LoadInputs(inputPath, shape.InputFeatures, TrainedSampleWidth);
        var set = ToSequences(inputPath, inputs);
        var samples = PredictSet(set, inputs.HasLabels);
        double? accuracy = inputs.HasLabels ? AccuracyOf(samples) : null;

        double? evaluationAccuracy = null;
        int? evaluationSamples = null;
        if (inputs.HasLabels && evaluationData is { } evaluation && SameData(evaluation, inputs))
            (evaluationAccuracy, evaluationSamples) = (accuracy, inputs.Samples); // the validation_file: every row was evaluated
        else if (inputs.HasLabels && evaluationData is null && trainedData is { } trained && SameData(trained, inputs))
        {
            // The rows the sweep held out, replayed as its evaluation did (in order; a stateful model carries its state).
            var held = SequenceSet.HeldOutRows(set.Count, request.Task.Options.ValidationSplit, request.Task.Options.Validation);
            evaluationAccuracy = AccuracyOf(PredictSet(set.Select(held), labelled: true));
            evaluationSamples = held.Length;
        }
        return new PredictionReport(samples, accuracy, evaluationAccuracy, evaluationSamples);
    }

    /// <summary>The inputs laid out as the trial's task lays out its data (per-step labels: padded to the output steps).</summary>
    private SequenceSet ToSequences(string path, ArrayDataset inputs)
    {
        if (inputs.Features != shape.InputFeatures)
            throw new KeptModelException(
                $"--input {path}: x has {inputs.Features} feature(s) per timestep, the model reads {shape.InputFeatures}; " +
                "give x as (samples, timesteps, features) with that many features");
        if (inputs.HasLabels && inputs.Labels.Any(label => label >= shape.Classes))
            throw new KeptModelException(
                $"--input {path}: y holds class {inputs.Labels.Max()}, the model predicts {shape.Classes} classes (0 to {shape.Classes - 1})");
        var perStep = shape.Head == OutputHead.PerTimestep;
        if (!perStep)
        {
            if (inputs.HasLabels && inputs.LabelSteps != 1)
                throw new KeptModelException(
                    $"--input {path}: y has {inputs.LabelSteps} labels per sample, the model predicts one class per sample; give y one label per sample");
            return new SequenceSet(inputs.Values, inputs.Samples, inputs.Timesteps, inputs.Features,
                Enumerable.Repeat(inputs.Timesteps, inputs.Samples).ToArray(), inputs.Labels, LabelsPerStep: false);
        }

        // A per-step model trained on labels longer than its inputs reads the input, then zero steps, to t_out.
        var trainedSteps = trainedData is { LabelSteps: > 1 } t ? t.LabelSteps - t.Timesteps + inputs.Timesteps : inputs.Timesteps;
        var steps = inputs.HasLabels ? inputs.LabelSteps : Math.Max(inputs.Timesteps, trainedSteps);
        if (inputs.HasLabels && ((inputs.LabelSteps == 1 && inputs.Timesteps > 1) || steps < inputs.Timesteps))
            throw new KeptModelException(
                $"--input {path}: y has {inputs.LabelSteps} label(s) per sample for {inputs.Timesteps} timesteps; the model predicts one class " +
                $"per step: give y as (samples, steps) with at least {inputs.Timesteps} steps, or leave y out");
        var labels = inputs.HasLabels ? inputs.Labels : new int[inputs.Samples * steps];
        var unpadded = new SequenceSet(inputs.Values, inputs.Samples, inputs.Timesteps, inputs.Features,
            Enumerable.Repeat(inputs.Timesteps, inputs.Samples).ToArray(), new int[inputs.Samples * inputs.Timesteps], LabelsPerStep: true);
        var padded = unpadded.PadTo(steps);
        return padded with { Lengths = Enumerable.Repeat(steps, inputs.Samples).ToArray(), Labels = labels };
    }

    /// <summary>
    /// One forward pass per batch, in row order, from a zero state; a stateful model carries its state from batch to
    /// batch in batches of batch_size (as the sweep evaluated it).
    /// </summary>
    private List<SamplePrediction> PredictSet(SequenceSet set, bool labelled)
    {
        var stateful = request.Config.Stateful;
        var rowsPerBatch = stateful ? request.Config.BatchSize : StatelessRows;
        var predictions = new List<SamplePrediction>(set.Count);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        IReadOnlyList<LayerState>? carried = null;
        foreach (var rows in Enumerable.Range(0, set.Count).Chunk(rowsPerBatch))
        {
            var batch = SequenceBatch.Create(set, rows, shape, CPU);
            var initial = carried is null ? null : RecurrentState.FirstRows(carried, batch.Rows);
            var (logits, finals) = run.Model.Forward(batch.Inputs, batch.Lengths, batch.ScoredSteps, initial);
            if (stateful) carried = finals;
            var (classes, probabilities) = Decide(logits);
            var stepsPerRow = classes.Length / rows.Length;
            for (var i = 0; i < rows.Length; i++)
            {
                var steps = new StepPrediction[stepsPerRow];
                for (var k = 0; k < stepsPerRow; k++)
                {
                    var at = i * stepsPerRow + k;
                    int? label = labelled ? set.Labels[rows[i] * set.LabelSteps + (set.LabelsPerStep ? k : 0)] : null;
                    steps[k] = new StepPrediction(k, classes[at], probabilities[at], label);
                }
                predictions.Add(new SamplePrediction(rows[i], steps));
            }
        }
        return predictions;
    }

    /// <summary>Per scored step: the arg-max class and its probability (softmax), or class 1 when sigmoid > 0.5.</summary>
    private (int[] Classes, double[] Probabilities) Decide(Tensor logits)
    {
        if (shape.Prediction == PredictionKind.Binary)
        {
            var ones = logits.squeeze(-1).sigmoid().to_type(ScalarType.Float64).data<double>().ToArray();
            return (ones.Select(p => p > 0.5 ? 1 : 0).ToArray(), ones.Select(p => p > 0.5 ? p : 1 - p).ToArray());
        }
        var (best, index) = logits.softmax(-1).max(-1);
        return (index.to_type(ScalarType.Int32).data<int>().ToArray(), best.to_type(ScalarType.Float64).data<double>().ToArray());
    }

    private static double AccuracyOf(IReadOnlyList<SamplePrediction> samples)
    {
        var steps = samples.SelectMany(s => s.Steps).ToList();
        return steps.Count == 0 ? double.NaN : (double)steps.Count(s => s.Class == s.Label) / steps.Count;
    }

    private static bool SameData(ArrayDataset trained, ArrayDataset inputs)
        => (trained.Samples, trained.Timesteps, trained.Features, trained.LabelSteps) == (inputs.Samples, inputs.Timesteps, inputs.Features, inputs.LabelSteps)
           && trained.Values.AsSpan().SequenceEqual(inputs.Values) && trained.Labels.AsSpan().SequenceEqual(inputs.Labels);

    public void Dispose() => run.Dispose();
}
