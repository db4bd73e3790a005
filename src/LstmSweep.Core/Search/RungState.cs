using System.Collections.Immutable;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Search;

/// <summary>What a rung decided about a trial, and what became of that decision.</summary>
public enum RungOutcome
{
    /// <summary>Ranked well enough at once: it trained on.</summary>
    Continued,
    /// <summary>Fell short and was stopped (pruned).</summary>
    Stopped,
    /// <summary>Fell short and waits, with its checkpoint, for a promotion.</summary>
    Paused,
    /// <summary>Paused, then promoted and resumed.</summary>
    Promoted,
}

/// <summary>Trial <paramref name="TrialNumber"/> of bracket <paramref name="Bracket"/> scored <paramref name="Objective"/> at rung <paramref name="Epoch"/>.</summary>
public sealed record RungEntry(int TrialNumber, int Bracket, int Epoch, double Objective, RungOutcome Outcome)
{
    public SchedulerDecision Decision => Outcome switch
    {
        RungOutcome.Stopped => SchedulerDecision.Stop,
        RungOutcome.Paused => SchedulerDecision.Pause,
        _ => SchedulerDecision.Continue,
    };
}

/// <summary>
/// Everything a rung-based scheduler has learnt: each trial's result at each rung it reached, in the order recorded.
/// Immutable, and equal to another state with the same entries in the same order (so a replayed state can be checked
/// against the live one).
/// </summary>
public sealed record RungState(ImmutableList<RungEntry> Entries)
{
    public static RungState Empty { get; } = new(ImmutableList<RungEntry>.Empty);

    /// <summary>Every result recorded at one rung of one bracket, in the order they arrived.</summary>
    public IEnumerable<RungEntry> ResultsAt(int bracket, int epoch) =>
        Entries.Where(e => e.Bracket == bracket && e.Epoch == epoch);

    /// <summary>The trial's result at a rung, or null if it has not been judged there.</summary>
    public RungEntry? EntryOf(int trialNumber, int epoch) =>
        Entries.FirstOrDefault(e => e.TrialNumber == trialNumber && e.Epoch == epoch);

    public RungState Add(RungEntry entry) => new(Entries.Add(entry));

    public RungState Replace(RungEntry entry, RungEntry with) => new(Entries.Replace(entry, with));

    public bool Equals(RungState? other) => other is not null && Entries.SequenceEqual(other.Entries);

    public override int GetHashCode() => Entries.Aggregate(0, (hash, e) => HashCode.Combine(hash, e));
}
