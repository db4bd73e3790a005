namespace LstmSweep.Cli.Tests;

/// <summary>`lstmsweep init` writes a spec that validates; every command's --help shows an example.</summary>
public class InitAndHelpTests
{
    static readonly string[] Tasks = ["cumsum", "echo-second", "stateful-counter", "array", "variable-length"];

    [Fact]
    public void InitWritesACommentedStarterSpecThatValidatesForEveryTask()
    {
        using var dir = new ScratchDirectory();
        foreach (var task in Tasks)
        {
            var file = Path.Combine(dir.Path, "specs", $"{task}.yaml");
            var init = CliProcess.Run(dir.Path, "init", "--task", task, "--out", file);
            Assert.True(init.ExitCode == 0, init.ToString());
            var text = File.ReadAllText(file);
            Assert.Contains($"task: {task}", text);
            Assert.True(text.Split('\n').Count(l => l.TrimStart().StartsWith('#')) >= 5, $"{task}: too few comments\n{text}");

            var validate = CliProcess.Run(dir.Path, "validate", file);
            Assert.True(validate.ExitCode == 0, $"{task}:\n{text}\n{validate}");
        }
        Assert.True(File.Exists(Path.Combine(dir.Path, "specs", "array-data.json")), "the array task's sample data");
    }

    [Fact]
    public void InitWithoutOptionsWritesSweepYamlAndNeverOverwritesWithoutForce()
    {
        using var dir = new ScratchDirectory();
        Assert.Equal(0, CliProcess.Run(dir.Path, "init").ExitCode);
        var file = Path.Combine(dir.Path, "sweep.yaml");
        Assert.Contains("task: cumsum", File.ReadAllText(file));

        File.WriteAllText(file, "mine");
        var again = CliProcess.Run(dir.Path, "init", "--task", "echo-second");
        Assert.True(again.ExitCode == 2, again.ToString());
        Assert.Contains("--force", again.Stderr);
        Assert.Equal("mine", File.ReadAllText(file));

        var forced = CliProcess.Run(dir.Path, "init", "--task", "echo-second", "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains("task: echo-second", File.ReadAllText(file));
    }

    [Fact]
    public void AnUnknownTaskExitsWithTwoNamingTheTasks()
    {
        using var dir = new ScratchDirectory();
        var result = CliProcess.Run(dir.Path, "init", "--task", "sudoku");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("echo-second", result.Stderr);
        Assert.False(File.Exists(Path.Combine(dir.Path, "sweep.yaml")));
    }

    [Theory]
    [InlineData("run")] [InlineData("validate")] [InlineData("results")] [InlineData("list")] [InlineData("plot")]
    [InlineData("importance")] [InlineData("report")] [InlineData("init")] [InlineData("node")] [InlineData("submit")]
    [InlineData("status")] [InlineData("watch")] [InlineData("cancel")] [InlineData("nodes")] [InlineData("predict")] [InlineData("export")]
    public void HelpOfEachCommandShowsAnExample(string command)
    {
        using var dir = new ScratchDirectory();
        var result = CliProcess.Run(dir.Path, command, "--help");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Example", result.Stdout);
        Assert.Contains($"lstmsweep {command}", result.Stdout.Split("Example")[1]);
    }
}
