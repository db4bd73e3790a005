using LstmSweep.Cli.Output;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Cli.Commands;

/// <summary>One sweep read from the journal: its folded state and the events it was folded from (for the curves).</summary>
public sealed record SweepRead(SweepState State, IReadOnlyList<ISweepEvent> Events);

/// <summary>
/// How importance, plot and report read one sweep from --db: one place, so they all say the same thing about a sweep
/// that is not there and all move to a faster journal read together.
/// </summary>
static class SweepReads
{
    public static async Task<(int ExitCode, SweepRead? Sweep)> ReadAsync(string? dbText, string sweepId)
    {
        var (exit, read) = await JournalAccess.ReadAsync(dbText, async reader =>
        {
            var events = await reader.ReadEventsAsync(sweepId);
            var state = SweepState.Fold(sweepId, events);
            return state.IsSubmitted ? new SweepRead(state, events) : null;
        });
        if (exit != ExitCodes.Ok) return (exit, null);
        if (read is null)
        {
            Terminal.Error($"no sweep '{sweepId}' in {JournalAccess.Describe(dbText)}; 'lstmsweep list' shows the sweeps there");
            return (ExitCodes.BadInput, null);
        }
        return (ExitCodes.Ok, read);
    }

    public static async Task<(int ExitCode, SweepState? Sweep)> ReadSweepAsync(string? dbText, string sweepId)
    {
        var (exit, read) = await ReadAsync(dbText, sweepId);
        return (exit, read?.State);
    }
}
