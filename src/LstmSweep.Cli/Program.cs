using System.CommandLine;
using LstmSweep.Cli;
using LstmSweep.Cli.Commands;
using LstmSweep.Cli.Output;
using LstmSweep.Cluster.Persistence;

var root = new RootCommand("LstmSweep: hyperparameter search for LSTM models, trained with TorchSharp.")
{
    RunCommand.Create(),
    ValidateCommand.Create(),
    ResultsCommand.Create(),
    ListCommand.Create(),
    PlotCommand.Create(),
    ImportanceCommand.Create(),
    ReportCommand.Create(),
    PredictCommand.Create(),
    ExportCommand.Create(),
    InitCommand.Create(),
    NodeCommand.Create(),
    SubmitCommand.Create(),
    StatusCommand.Create(),
    WatchCommand.Create(),
    CancelCommand.Create(),
    NodesCommand.Create(),
};
CommandExamples.AddTo(root);

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors) Terminal.Error(error.Message);
    Terminal.Error("See 'lstmsweep --help'.");
    return ExitCodes.BadInput;
}
try
{
    // Ctrl+C is handled by the commands themselves (`run` stops and leaves its sweep resumable).
    return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
}
catch (DatabaseUnreachableException e)
{
    // A --db that cannot be used (wrong password, no server) is bad input, reported without a stack trace.
    Terminal.Error(e.Message);
    return ExitCodes.BadInput;
}
catch (Exception e)
{
    Terminal.Error($"internal error: {e.Message}");
    return ExitCodes.Failed;
}
