using System.Runtime.CompilerServices;
using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;

namespace LstmSweep.Core.Sweeps;

/// <summary>
/// A spec's sampler and scheduler. Both are pure and seeded, so they are a function of the spec alone; they are built
/// once per spec instance and shared (the decider and the state fold ask for them on every command and event).
/// </summary>
public static class SweepSearch
{
    public sealed record Engines(ISampler Sampler, ITrialScheduler Scheduler);

    static readonly ConditionalWeakTable<SweepSpec, Engines> BySpec = new();

    public static Engines For(SweepSpec spec)
        => BySpec.GetValue(spec, s => new Engines(Samplers.For(s), TrialSchedulers.For(s)));
}
