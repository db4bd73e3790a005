namespace LstmSweep.Training.Tasks;

/// <summary>A problem to train on: its data (deterministic for a seed) and how it is scored.</summary>
internal interface ITrainingTask
{
    TaskShape Shape { get; }

    /// <summary>The held-out sequences evaluated after every epoch (the same for the whole trial).</summary>
    SequenceSet EvaluationSet { get; }

    /// <summary>
    /// The sequences to train on in <paramref name="epoch"/> (1-based): a fixed set, or fresh ones each epoch for
    /// cumsum. The same epoch gives the same sequences however many epochs were asked for before (a resumed trial
    /// asks for its later epochs only).
    /// </summary>
    SequenceSet TrainingSet(int epoch);
}
