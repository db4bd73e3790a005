using System.CommandLine;

namespace LstmSweep.Cli.Commands;

/// <summary>
/// An example for each command's --help, kept in one table (appended to the command's description) so the commands'
/// own files stay as they are. A command whose description already shows an example is left alone.
/// </summary>
static class CommandExamples
{
    static readonly Dictionary<string, string[]> Examples = new()
    {
        ["run"] = ["lstmsweep run examples/quickstart.yaml", "lstmsweep run spec.yaml --db sqlite:./sweeps.db --slots 2 --output json"],
        ["validate"] = ["lstmsweep validate examples/quickstart.yaml"],
        ["results"] = ["lstmsweep results quickstart-3f9a2c --db sqlite:./lstmsweep.db", "lstmsweep results quickstart-3f9a2c --output csv > trials.csv"],
        ["list"] = ["lstmsweep list", "lstmsweep list --server http://127.0.0.1:5080 --output json"],
        ["node"] = ["lstmsweep node --roles coordinator,worker --db sqlite:./cluster.db", "lstmsweep node --roles worker --seeds 10.0.0.5:4053"],
        ["submit"] = ["lstmsweep submit examples/quickstart.yaml --server http://127.0.0.1:5080 --wait"],
        ["status"] = ["lstmsweep status quickstart-3f9a2c --server http://127.0.0.1:5080"],
        ["watch"] = ["lstmsweep watch quickstart-3f9a2c", "lstmsweep watch quickstart-3f9a2c --output json | jq .status"],
        ["cancel"] = ["lstmsweep cancel quickstart-3f9a2c"],
        ["nodes"] = ["lstmsweep nodes --output json"],
        ["predict"] = ["lstmsweep predict seed-000-3f9a2c --input new-samples.json",
            "lstmsweep predict seed-000-3f9a2c --input data.csv --trial 4 --db sqlite:./sweeps.db --output csv"],
        ["export"] = ["lstmsweep export seed-000-3f9a2c --out ./best-model", "lstmsweep export seed-000-3f9a2c --trial 4 --out ./trial-4"],
    };

    public static void AddTo(RootCommand root)
    {
        foreach (var command in root.Subcommands)
        {
            if (command.Description?.Contains("Example", StringComparison.Ordinal) == true) continue;
            if (!Examples.TryGetValue(command.Name, out var lines)) continue;
            command.Description += $"\n\n{(lines.Length == 1 ? "Example" : "Examples")}:\n" + string.Join('\n', lines.Select(l => "  " + l));
        }
    }
}
