using System.CommandLine;
using System.Globalization;
using System.Text;
using LstmSweep.Cli.Output;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cli.Commands;

/// <summary>
/// `lstmsweep init [--task T] [--out FILE]`: writes a commented starter spec for a task, small enough to run in a
/// minute, that `validate` accepts as it is. For the array task it also writes a small sample data file beside it.
/// Never overwrites a file unless --force is given.
/// </summary>
public static class InitCommand
{
    public const string DefaultFile = "sweep.yaml";

    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = $"The task to start from: {string.Join(", ", Names.AllTasks)}", DefaultValueFactory = _ => "cumsum" };
        task.AcceptOnlyFromAmong([.. Names.AllTasks]);
        var output = new Option<string>("--out") { Description = $"The spec file to write (default {DefaultFile})", DefaultValueFactory = _ => DefaultFile };
        var force = new Option<bool>("--force") { Description = "Overwrite the file if it exists" };
        var command = new Command("init", """
            Write a commented starter spec (that validates as it is) for a task

            Examples:
              lstmsweep init
              lstmsweep init --task echo-second --out echo.yaml
              lstmsweep init --task array --out mine.yaml   (also writes mine-data.json, a sample to replace with your data)
            """) { task, output, force };
        command.SetAction(async (result, _) =>
        {
            Names.TryParseTask(result.GetValue(task), out var kind);
            var specPath = Path.GetFullPath(result.GetValue(output)!);
            var dataPath = kind == TaskKind.Array ? Path.ChangeExtension(specPath, null) + "-data.json" : null;
            foreach (var path in new[] { specPath, dataPath }.OfType<string>())
                if (File.Exists(path) && !result.GetValue(force))
                {
                    Terminal.Error($"{path} exists; give another --out, or --force to overwrite it");
                    return ExitCodes.BadInput;
                }
            Directory.CreateDirectory(Path.GetDirectoryName(specPath)!);
            if (dataPath is not null) await File.WriteAllTextAsync(dataPath, SampleArrayData());
            await File.WriteAllTextAsync(specPath, StarterSpec(kind, SweepName(Path.GetFileNameWithoutExtension(specPath)), dataPath is null ? null : Path.GetFileName(dataPath)));
            Terminal.Info($"wrote {specPath}{(dataPath is null ? "" : $" and {dataPath}")}");
            Terminal.Info($"next: lstmsweep validate {result.GetValue(output)} && lstmsweep run {result.GetValue(output)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The file's name as a sweep name: letters, digits, '-' and '_' only.</summary>
    static string SweepName(string fileName)
    {
        var name = new string(fileName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()).Trim('-');
        return name.Length == 0 ? "sweep" : name;
    }

    /// <summary>The starter spec: every common key, commented, with values that train in well under a minute.</summary>
    public static string StarterSpec(TaskKind task, string name, string? dataFile = null)
    {
        var (options, about) = task switch
        {
            TaskKind.EchoSecond => ("{timesteps: 10, n_max: 5, samples: 400, validation_split: 0.2}",
                "echo the second value of a one-hot sequence: the answer lies many steps back"),
            TaskKind.StatefulCounter => ("{}", "count across batches: a stateful LSTM carries its state from batch to batch"),
            TaskKind.Array => ($"{{path: {dataFile}, validation_split: 0.25}}",
                $"your own data: {dataFile} holds x (samples x timesteps x features) and y (one label per sample); replace it with yours"),
            TaskKind.VariableLength => ("{min_len: 3, max_len: 8, alphabet: 4, samples: 300, validation_split: 0.2}",
                "sequences of different lengths, padded and masked"),
            _ => ("{timesteps: 10}", "the bidirectional-LSTM tutorial's cumulative sum: is the running sum past a threshold yet?"),
        };
        var epochs = task == TaskKind.Cumsum ? 100 : 20;
        var batch = task is TaskKind.StatefulCounter or TaskKind.Cumsum ? 1 : 8;
        var spec = new StringBuilder();
        spec.Append(CultureInfo.InvariantCulture, $$"""
            # A starter sweep written by 'lstmsweep init --task {{task.ToName()}}'. Check it with 'lstmsweep validate FILE',
            # run it with 'lstmsweep run FILE'; README.md describes every key.
            # Task: {{about}}.
            name: {{name}}
            task: {{task.ToName()}}
            # Options of the task (each task has its own; see README "Tasks and their options").
            task_options: {{options}}
            # How configurations are chosen: grid (every combination), random or tpe (with max_trials), asha.
            strategy: grid
            # The seed makes the sweep repeatable: the same spec and seed train the same trials the same way.
            seed: 1
            # What "best" means: accuracy (higher is better) or loss (lower is better).
            objective: accuracy
            # The search space: a list of values per key (random and tpe also take {min: A, max: B, log: true}).
            space:
              units: [8, 16]             # LSTM units per direction
              merge_mode: [none, concat] # none = one-directional; concat, sum, mul, ave = bidirectional
              epochs: [{{epochs}}]
              learning_rate: [0.01]
              batch_size: [{{batch}}]
            """);
        spec.AppendLine();
        return spec.ToString();
    }

    /// <summary>40 samples of 4 timesteps x 2 features, labelled 1 when feature 0 sums higher over time than feature 1.</summary>
    static string SampleArrayData()
    {
        var random = new Random(1);
        var xs = new List<string>();
        var ys = new List<int>();
        for (int i = 0; i < 40; i++)
        {
            var steps = Enumerable.Range(0, 4).Select(_ => (random.NextDouble(), random.NextDouble())).ToList();
            xs.Add("[" + string.Join(", ", steps.Select(s => string.Create(CultureInfo.InvariantCulture, $"[{s.Item1:F3}, {s.Item2:F3}]"))) + "]");
            ys.Add(steps.Sum(s => s.Item1) > steps.Sum(s => s.Item2) ? 1 : 0);
        }
        return $"{{\"x\": [{string.Join(", ", xs)}], \"y\": [{string.Join(", ", ys)}]}}\n";
    }
}
