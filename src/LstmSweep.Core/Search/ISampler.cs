using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Search;

/// <summary>A trial already suggested, with its outcome so far (null while it runs).</summary>
public sealed record TrialObservation(int TrialNumber, TrialConfig Config, TrialStatus Status, double? Objective);

/// <summary>
/// What to try next (Optuna's sampler, Ray Tune's searcher): pure and seeded, so the same spec, seed and history always
/// give the same suggestion, which is what lets a restarted coordinator continue the same search.
/// </summary>
public interface ISampler
{
    /// <summary>The config for trial <paramref name="trialNumber"/> (0-based), or null when the search space is exhausted.</summary>
    TrialConfig? Suggest(int trialNumber, IReadOnlyList<TrialObservation> history);
}
