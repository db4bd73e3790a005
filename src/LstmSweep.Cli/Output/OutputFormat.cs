using System.CommandLine;
using LstmSweep.Cluster.Persistence;

namespace LstmSweep.Cli.Output;

public enum OutputFormat { Table, Json, Csv }

/// <summary>Options several commands share, defined once.</summary>
public static class CommonOptions
{
    public static Option<string> Output()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "How to print results on stdout: table, json or csv",
            DefaultValueFactory = _ => "table",
        };
        option.AcceptOnlyFromAmong("table", "json", "csv");
        return option;
    }

    public static OutputFormat ParseOutput(string? value) => value switch
    {
        "json" => OutputFormat.Json,
        "csv" => OutputFormat.Csv,
        _ => OutputFormat.Table,
    };

    public static Option<string> Db() => new("--db")
    {
        Description = "The journal: sqlite:PATH (default sqlite:./lstmsweep.db) or postgres:CONNECTION-STRING",
        DefaultValueFactory = _ => "sqlite:" + DatabaseTarget.DefaultSqlitePath,
    };

    /// <summary>Parses --db, printing the problem when it is malformed.</summary>
    public static DatabaseTarget? ParseDb(string? text)
    {
        if (DatabaseTarget.TryParse(text, out var target, out var error)) return target;
        Terminal.Error(error);
        return null;
    }
}
