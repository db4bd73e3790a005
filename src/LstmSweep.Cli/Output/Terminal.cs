using Spectre.Console;

namespace LstmSweep.Cli.Output;

/// <summary>
/// Where things are written: results (table, JSON, CSV) on stdout, everything else (progress, messages, errors) on
/// stderr, so `--output json` leaves stdout as one JSON document.
/// </summary>
public static class Terminal
{
    public static readonly IAnsiConsole Err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
    public static readonly IAnsiConsole Out = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });

    /// <summary>Live progress needs a terminal; redirected stderr (CI, logs) gets one plain line per event instead.</summary>
    public static bool StderrIsInteractive => !Console.IsErrorRedirected;

    public static void Error(string message) => Err.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
    public static void Info(string message) => Err.MarkupLine(Markup.Escape(message));
}
