namespace LstmSweep.Cli;

/// <summary>Exit codes are a contract scripts rely on: never renumber.</summary>
public static class ExitCodes
{
    /// <summary>The sweep completed (at least one trial complete), or the command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The sweep ended with every trial failed, or an internal error.</summary>
    public const int Failed = 1;

    /// <summary>Bad input: the spec or the arguments. Nothing was written.</summary>
    public const int BadInput = 2;

    /// <summary>Client commands (submit, status, ...): the server could not be reached.</summary>
    public const int Unreachable = 3;

    /// <summary>
    /// The sweep was cancelled (`lstmsweep cancel`), or `run` was interrupted (Ctrl+C, SIGTERM: the sweep stays
    /// resumable with `run --resume`): its finished trials are kept. The same
    /// from `run`, `results`, `submit --wait` and `watch`, so a script can tell a cancelled sweep from a failed one.
    /// </summary>
    public const int Interrupted = 130;

    /// <summary>The one map from a sweep's status (as the documents spell it) to the exit code of a command that waited for it.</summary>
    public static int ForStatus(string status) => status switch
    {
        "completed" => Ok,
        "cancelled" => Interrupted,
        _ => Failed,
    };
}
