using System.Security.Cryptography;
using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Sweeps;

/// <summary>Turns a validated spec into the events that start a sweep: its header and every trial with its seed.</summary>
public static class SweepPlan
{
    /// <summary>A readable, unique id: the spec's name and six random hex digits (e.g. merge-modes-3f9a2c).</summary>
    public static string NewSweepId(string name) => $"{name}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}";

    public static TrialScheduled Trial(string sweepId, long sweepSeed, int number, TrialConfig config)
        => new(sweepId, number, config, TrialSeeds.For(sweepSeed, number));

    public static (SweepSubmitted Header, IReadOnlyList<TrialScheduled> Trials) For(
        SweepSpec spec, string specText, string sweepId, DateTimeOffset now)
    {
        var header = new SweepSubmitted(sweepId, spec.Name, spec.Task, spec.Objective, spec.Strategy, spec.Seed, specText, now, spec);
        // Samplers that learn from results (TPE) are asked by the coordinator trial by trial, as slots free up.
        if (!Samplers.IsHistoryFree(spec.Strategy)) return (header, []);
        var trials = SweepRepeats.Repeat(Samplers.Expand(spec), spec.Repeats)
            .Select((config, number) => Trial(sweepId, spec.Seed, number, config))
            .ToList();
        return (header, trials);
    }
}
