namespace LstmSweep.Core.Search;

/// <summary>
/// The spec's <c>asha:</c> block: epochs are the resource. Bracket s (0-based) judges its trials at the rungs
/// min_epochs·η^(s+k), k = 0, 1, …, that lie below max_epochs; a trial that passes its last rung trains on to
/// max_epochs. With brackets &gt; 1 this is Hyperband's hedge (Li et al. 2018, §3.3; Ray Tune's
/// AsyncHyperBandScheduler): later brackets stop trials later, in case early epochs mislead.
/// </summary>
/// <param name="MinEpochs">The first rung of bracket 0 (Ray Tune's grace_period).</param>
/// <param name="MaxEpochs">The epochs a trial trains if it is never stopped (Ray Tune's max_t).</param>
/// <param name="ReductionFactor">η: a rung keeps (about) the best 1/η of the trials that reach it.</param>
/// <param name="Brackets">How many brackets; trial n runs in bracket n mod brackets (round-robin).</param>
/// <param name="PauseAtRungs">
/// Pause (rather than stop) a trial that falls short at a rung, so that it can be promoted later, resumed from its
/// checkpoint, once enough worse results arrive (the paper's promotion rule; see <see cref="AshaScheduler"/>).
/// </param>
public sealed record AshaSettings(int MinEpochs, int MaxEpochs, int ReductionFactor = 3, int Brackets = 1, bool PauseAtRungs = false)
{
    public const int DefaultMinEpochs = 1;
    public const int DefaultReductionFactor = 3;

    /// <summary>The bracket trial <paramref name="trialNumber"/> runs in: round-robin, so brackets fill evenly.</summary>
    public int BracketOf(int trialNumber) => trialNumber % Brackets;

    /// <summary>
    /// The epochs at which bracket <paramref name="bracket"/> judges its trials, ascending: min_epochs·η^(bracket+k)
    /// below max_epochs. Empty when the bracket starts at max_epochs (its trials all train to the end).
    /// </summary>
    public IReadOnlyList<int> RungEpochs(int bracket)
    {
        var rungs = new List<int>();
        // long: η^k may pass int.MaxValue before it passes max_epochs' neighbourhood.
        for (long epochs = BracketStart(bracket); epochs < MaxEpochs; epochs *= ReductionFactor)
            rungs.Add((int)epochs);
        return rungs;
    }

    /// <summary>min_epochs·η^bracket, the first rung of a bracket (saturating at long.MaxValue).</summary>
    public long BracketStart(int bracket)
    {
        long epochs = MinEpochs;
        for (var s = 0; s < bracket && epochs <= MaxEpochs; s++)
            epochs *= ReductionFactor;
        return epochs;
    }

    /// <summary>The most brackets whose first rung stays at or below max_epochs: 1 + ⌊log_η(max/min)⌋.</summary>
    public static int MaxBrackets(int minEpochs, int maxEpochs, int reductionFactor)
    {
        var brackets = 1;
        for (long start = (long)minEpochs * reductionFactor; start <= maxEpochs; start *= reductionFactor)
            brackets++;
        return brackets;
    }
}
