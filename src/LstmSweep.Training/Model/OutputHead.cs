namespace LstmSweep.Training.Model;

/// <summary>Which steps the dense output layer scores.</summary>
internal enum OutputHead
{
    /// <summary>Every valid step (Keras return_sequences=True + TimeDistributed(Dense)).</summary>
    PerTimestep,
    /// <summary>The last valid step of each sequence (Keras return_sequences=False, with a mask).</summary>
    LastStep,
}

internal static class ScoredSteps
{
    /// <summary>
    /// Positions row·steps + step of the steps a head scores, row by row and step by step within a row. Padding is
    /// never scored, so the loss and the accuracy see only valid steps. Labels are listed in the same order.
    /// </summary>
    public static long[] FlatIndices(OutputHead head, IReadOnlyList<int> lengths, int steps)
    {
        var indices = new List<long>();
        for (var row = 0; row < lengths.Count; row++)
        {
            var rowStart = (long)row * steps;
            if (head == OutputHead.LastStep)
            {
                indices.Add(rowStart + lengths[row] - 1);
                continue;
            }
            for (var step = 0; step < lengths[row]; step++) indices.Add(rowStart + step);
        }
        return indices.ToArray();
    }
}
