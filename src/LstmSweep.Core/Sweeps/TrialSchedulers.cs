using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Sweeps;

/// <summary>The scheduler a spec asks for.</summary>
public static class TrialSchedulers
{
    /// <summary>Fifo, or ASHA with the spec's <c>asha:</c> block and objective direction.</summary>
    public static ITrialScheduler For(SweepSpec spec) => spec.Scheduler switch
    {
        SchedulerKind.Fifo => FifoScheduler.Instance,
        SchedulerKind.Asha => new AshaScheduler(
            spec.Asha ?? throw new ArgumentException("scheduler asha needs the asha settings", nameof(spec)), spec.Objective),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Scheduler, "unknown scheduler"),
    };
}
