using Spectre.Console;

namespace LstmSweep.Cli.Output;

/// <summary>
/// Where things are written: results (table, JSON, CSV) on stdout, everything else (progress, messages, errors) on
/// stderr, so `--output json` leaves stdout as one JSON document.
/// </summary>
public static class Terminal
{
    public static readonly IAnsiConsole Err = Create(Console.Error, Console.IsErrorRedirected);
    public static readonly IAnsiConsole Out = Create(Console.Out, Console.IsOutputRedirected);

    /// <summary>Redirected output (files, pipes, CI logs) has no width: lines are not wrapped at Spectre's default 80.</summary>
    const int RedirectedWidth = 200;

    static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        // COLUMNS, when set, is the width the user wants (a script formatting for a narrow log, a test of 80 columns).
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns is >= 40 and <= 1000)
            console.Profile.Width = columns;
        else if (redirected) console.Profile.Width = RedirectedWidth;
        return console;
    }

    /// <summary>Live progress needs a terminal; redirected stderr (CI, logs) gets one plain line per event instead.</summary>
    public static bool StderrIsInteractive => !Console.IsErrorRedirected;

    public static void Error(string message) => Err.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
    public static void Info(string message) => Err.MarkupLine(Markup.Escape(message));
}
