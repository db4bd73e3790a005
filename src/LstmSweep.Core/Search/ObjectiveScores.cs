using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Search;

/// <summary>Objective values turned into scores where higher is always better, so rankers need no direction.</summary>
internal static class ObjectiveScores
{
    /// <summary>
    /// Accuracy as is, loss negated. A NaN or infinite value (a diverged trial) scores below every finite one, and
    /// ties with the others like it, instead of poisoning comparisons.
    /// </summary>
    public static double Score(this Objective objective, double value) =>
        !double.IsFinite(value) ? double.NegativeInfinity
        : objective == Objective.Accuracy ? value : -value;
}
