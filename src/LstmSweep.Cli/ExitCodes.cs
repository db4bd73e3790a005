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

    /// <summary>Interrupted by Ctrl+C (SIGINT): the sweep was cancelled and its finished trials kept.</summary>
    public const int Interrupted = 130;
}
