using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LstmSweep.Cli.Output;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Core.Data;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using LstmSweep.Training;
using LstmSweep.Training.Inference;
using Spectre.Console;

namespace LstmSweep.Cli.Commands;

/// <summary>
/// What predict and export share: the sweep from --db, the trial (--trial, default the best), and its kept weights
/// under --checkpoints (default: where `run` keeps them for that --db).
/// </summary>
static class KeptModels
{
    public static Option<int?> Trial() => new("--trial") { Description = "The trial whose model to use (default: the sweep's best)" };

    public static Option<string?> Checkpoints() => new("--checkpoints")
    {
        Description = "The checkpoint folder the sweep ran with (default: lstmsweep-checkpoints beside the database)",
    };

    /// <summary>The model, or an exit code after printing why (2: bad input, naming the option to change).</summary>
    public static async Task<(int ExitCode, KeptModel? Model, SweepState? Sweep, TrialState? Trial)> OpenAsync(
        string? dbText, string sweepId, int? trialId, string? checkpointsOption)
    {
        var (exit, state) = await SweepReads.ReadSweepAsync(dbText, sweepId);
        if (exit != ExitCodes.Ok || state is null) return (exit, null, null, null);
        TrialState? trial;
        if (trialId is { } id)
        {
            if (!state.Trials.TryGetValue(id, out trial))
            {
                Terminal.Error($"--trial {id}: sweep {sweepId} has trials 0 to {state.Trials.Count - 1}; 'lstmsweep results {sweepId}' lists them");
                return (ExitCodes.BadInput, null, null, null);
            }
        }
        else if ((trial = state.Best) is null)
        {
            Terminal.Error($"sweep {sweepId} has no complete trial, so no best model; give --trial N of a trial that trained");
            return (ExitCodes.BadInput, null, null, null);
        }
        var database = CommonOptions.ParseDb(dbText)!;
        var root = Path.GetFullPath(checkpointsOption ?? CheckpointDirectories.DefaultRoot(database));
        var directory = CheckpointDirectories.ForTrial(root, sweepId, trial.TrialId);
        try
        {
            var model = KeptModel.Open(new TrainingRequest(state.Task!, trial.Config, trial.Seed), directory);
            return (ExitCodes.Ok, model, state, trial);
        }
        catch (Exception e) when (e is KeptModelException or ArrayDataException)
        {
            Terminal.Error($"trial {trial.TrialId}: {e.Message}");
            return (ExitCodes.BadInput, null, null, null);
        }
    }
}

/// <summary>`lstmsweep predict ID --input FILE`: a kept model's predicted class and probability per sample and output step.</summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The sweep id (see 'lstmsweep list')" };
        var input = new Option<string>("--input")
        {
            Description = "Inputs in the array task's formats (JSON {\"x\": ...}, y optional; CSV one sample per row, the label column optional)",
            Required = true,
        };
        var (trial, checkpoints, db, output) = (KeptModels.Trial(), KeptModels.Checkpoints(), CommonOptions.Db(), CommonOptions.Output());
        var command = new Command("predict", "Predict with a sweep's kept model (the best trial's unless --trial): class and probability per sample and step")
            { id, input, trial, db, checkpoints, output };
        command.SetAction(async (result, _) =>
        {
            var (exit, model, _, chosen) = await KeptModels.OpenAsync(result.GetValue(db), result.GetValue(id)!, result.GetValue(trial), result.GetValue(checkpoints));
            if (model is null) return exit;
            using (model)
            {
                var path = result.GetValue(input)!;
                PredictionReport report;
                try
                {
                    report = model.Predict(path);
                }
                catch (Exception e) when (e is KeptModelException or ArrayDataException)
                {
                    Terminal.Error(e is ArrayDataException ? $"--input {e.Message}" : e.Message);
                    return ExitCodes.BadInput;
                }
                Write(result.GetValue(id)!, chosen!.TrialId, report, CommonOptions.ParseOutput(result.GetValue(output)));
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    static void Write(string sweepId, int trialId, PredictionReport report, OutputFormat output)
    {
        static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        switch (output)
        {
            case OutputFormat.Json:
                Console.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    SweepId = sweepId,
                    TrialId = trialId,
                    report.Accuracy,
                    report.EvaluationAccuracy,
                    report.EvaluationSamples,
                    Predictions = report.Samples.Select(s => new
                    {
                        s.Sample,
                        Steps = s.Steps.Select(p => new { p.Step, p.Class, p.Probability, p.Label }),
                    }),
                }, SweepDocument.JsonOptions));
                break;
            case OutputFormat.Csv:
                Console.Out.WriteLine("sample,step,class,probability,label");
                foreach (var sample in report.Samples)
                foreach (var p in sample.Steps)
                    Console.Out.WriteLine(string.Join(',', sample.Sample, p.Step, p.Class, Number(p.Probability),
                        p.Label?.ToString(CultureInfo.InvariantCulture) ?? ""));
                break;
            default:
                var labelled = report.Accuracy is not null;
                var table = new Table().Border(TableBorder.Rounded);
                foreach (var c in labelled ? new[] { "sample", "step", "class", "probability", "label" } : ["sample", "step", "class", "probability"])
                    table.AddColumn(c);
                foreach (var sample in report.Samples)
                foreach (var p in sample.Steps)
                {
                    var cells = new List<string> { sample.Sample.ToString(CultureInfo.InvariantCulture), p.Step.ToString(CultureInfo.InvariantCulture),
                        p.Class.ToString(CultureInfo.InvariantCulture), p.Probability.ToString("F4", CultureInfo.InvariantCulture) };
                    if (labelled) cells.Add(p.Label?.ToString(CultureInfo.InvariantCulture) ?? "");
                    table.AddRow(cells.Select(text => new Markup(Markup.Escape(text))).ToArray());
                }
                Terminal.Out.Write(table);
                if (report.Accuracy is double accuracy)
                    Terminal.Info($"trial {trialId}: accuracy {accuracy:F4} over every labelled step of the file");
                if (report.EvaluationAccuracy is double evaluation)
                    Terminal.Info($"trial {trialId}: accuracy {evaluation:F4} on the {report.EvaluationSamples} rows the sweep held out for validation");
                break;
        }
    }
}

/// <summary>`lstmsweep export ID --out DIR`: a kept model's weights (safetensors) and a JSON description of it.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The sweep id (see 'lstmsweep list')" };
        var outDir = new Option<string>("--out")
        {
            Description = $"The folder to write {ModelExport.WeightsFile} and {ModelExport.DescriptionFile} into (new, or empty)",
            Required = true,
        };
        var (trial, checkpoints, db) = (KeptModels.Trial(), KeptModels.Checkpoints(), CommonOptions.Db());
        var command = new Command("export", "Write a sweep's kept model (the best trial's unless --trial): weights and a JSON description")
            { id, outDir, trial, db, checkpoints };
        command.SetAction(async (result, _) =>
        {
            var directory = result.GetValue(outDir)!;
            if (File.Exists(directory) || (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any()))
            {
                Terminal.Error($"--out {directory}: {(File.Exists(directory) ? "is a file" : "is not empty")}; give a new or empty folder");
                return ExitCodes.BadInput;
            }
            var (exit, model, sweep, chosen) = await KeptModels.OpenAsync(result.GetValue(db), result.GetValue(id)!, result.GetValue(trial), result.GetValue(checkpoints));
            if (model is null) return exit;
            using (model)
            {
                ModelExport.Write(model, new ExportOrigin(sweep!.SweepId, chosen!.TrialId, chosen.Loss, chosen.Accuracy), directory);
            }
            Terminal.Info($"trial {chosen.TrialId} of {sweep.SweepId}: {Path.Combine(directory, ModelExport.WeightsFile)} and {Path.Combine(directory, ModelExport.DescriptionFile)}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
