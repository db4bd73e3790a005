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

    public static (SweepSubmitted Header, IReadOnlyList<TrialScheduled> Trials) For(
        SweepSpec spec, string specText, string sweepId, DateTimeOffset now)
    {
        var header = new SweepSubmitted(sweepId, spec.Name, spec.Task, spec.Objective, spec.Strategy, spec.Seed, specText, now);
        var trials = Samplers.Expand(spec)
            .Select((config, number) => new TrialScheduled(sweepId, number, config, TrialSeeds.For(spec.Seed, number)))
            .ToList();
        return (header, trials);
    }
}
