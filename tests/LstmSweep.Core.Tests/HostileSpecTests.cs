using LstmSweep.Tests.Shared;
using System.Diagnostics;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Tests;

/// <summary>
/// Specs written to break a node (issue 12): each is refused with one error naming the field and the limit, quickly
/// and without exhausting the stack or memory.
/// </summary>
public class HostileSpecTests
{
    const string Head = "name: s\ntask: cumsum\n";

    /// <summary>Lists of n distinct values, for grids of a given size without writing them out.</summary>
    static string Values(int n, int from = 1) => "[" + string.Join(", ", Enumerable.Range(from, n)) + "]";

    public static TheoryData<string, string, string> Cases => new()
    {
        // .NET's $ matches before a final newline: "poison\n" must not pass as a name (it is no actor name).
        { "name: \"poison\\n\"\ntask: cumsum\n", "name", "invalid name 'poison\n'" },
        { "name: |\n  poison\ntask: cumsum\n", "name", "invalid name" },
        { "{\"name\": \"poison\\n\", \"task\": \"cumsum\"}", "name", "invalid name" },
        { new string('[', 80_000), "", "more than 32 levels deep (line 1)" },
        { "a: " + string.Concat(Enumerable.Repeat("{a: ", 200_000)), "", "more than 32 levels deep" },
        { "a:\n" + string.Concat(Enumerable.Repeat("- ", 200_000)) + "x\n", "", "more than 32 levels deep (line 2)" },
        // Brackets hidden in quotes fool the cheap pre-count; the tree reader still stops at the limit.
        { "a: [\"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\", " + new string('[', 5_000), "", "more than 32 levels deep" },
        { Head + "#" + new string('x', 1 << 20), "", "more than the 1048576 a spec may have (the limit max_spec_bytes)" },
        { Head + "strategy: random\nmax_trials: 2147483647\n", "max_trials",
            "2147483647 trials, more than the 100000 a sweep may plan (the limit max_planned_trials)" },
        { Head + "strategy: grid\ntruncate: true\nmax_trials: 2000000\nspace: {units: " + Values(2000) + ", batch_size: " + Values(1000) + "}\n",
            "max_trials", "2000000 trials, more than the 100000 a sweep may plan" },
        // 8e9 points: refused from the list lengths, never expanded.
        { Head + "space: {units: " + Values(2000) + ", epochs: " + Values(2000) + ", batch_size: " + Values(2000) + "}\n",
            "space", "the grid has 8000000000 points, more than the 100000 trials a sweep may plan (the limit max_planned_trials)" },
        { Head + "strategy: tpe\nmax_trials: 10\nn_startup_trials: 2147483647\n", "n_startup_trials", "(the limit max_planned_trials)" },
        { Head + "retries: 2147483647\n", "retries", "expected an integer from 0 to 100 (the limit max_retries), got '2147483647'" },
        { Head + "task_options: {timesteps: 2147483647}\n", "task_options.timesteps", "(the limit max_timesteps)" },
        { Head + "task_options: {eval_samples: 2000000}\n", "task_options.eval_samples", "(the limit max_samples)" },
        { Head + "task_options: {sequences_per_epoch: 2000000}\n", "task_options.sequences_per_epoch", "(the limit max_samples)" },
        { "name: s\ntask: echo-second\ntask_options: {n_max: 20000}\n", "task_options.n_max", "(the limit max_classes)" },
        { "name: s\ntask: variable-length\ntask_options: {max_len: 20000}\n", "task_options.max_len", "(the limit max_timesteps)" },
        { "name: s\ntask: cumsum\nstrategy: asha\nmax_trials: 4\nasha: {max_epochs: 2147483647}\n", "asha.max_epochs", "(the limit max_epochs)" },
        { Head + "task_options: {timesteps: 10000}\nspace: {units: [4000], batch_size: [60000]}\n", "space",
            "GiB, more than the 4.0 GiB a trial may use (the limit max_trial_memory_bytes); use smaller units, layers or batch_size" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AHostileSpecIsRefusedWithOneErrorNamingTheField(string spec, string path, string fragment)
    {
        SpecAssert.RejectedWithOneError(spec, path, fragment);
    }

    [Fact]
    public void ThePlannedTrialsOfAHugeGridAreCountedWithoutExpandingIt()
    {
        var spec = SpecParser.Parse(Head + "space: {units: " + Values(2000) + ", epochs: " + Values(2000) + ", batch_size: " + Values(2000) + "}\n",
            options: new SpecReadOptions { Limits = SpecLimits.Default with { MaxPlannedTrials = long.MaxValue } }).Spec!;

        Assert.Equal(8_000_000_000L, PlanSize.Trials(spec));
    }

    [Fact]
    public void TheNodeMayRaiseALimitThatTheSpecCannot()
    {
        const string spec = Head + "strategy: random\nmax_trials: 200000\nretries: 500\n";
        SpecAssert.RejectedWithOneError(Head + "strategy: random\nmax_trials: 200000\n", "max_trials", "(the limit max_planned_trials)");

        var raised = SpecParser.Parse(spec, options: new SpecReadOptions
        {
            Limits = SpecLimits.Default with { MaxPlannedTrials = 200_000, MaxRetries = 500 },
        });

        Assert.True(raised.Succeeded, string.Join("\n", raised.Errors));
        Assert.Equal(200_000, PlanSize.Trials(raised.Spec!));
        Assert.Equal(500, raised.Spec!.Retries);
    }

    [Fact]
    public void ALowerDepthLimitIsEnforcedWhereTheDefaultAllows()
    {
        var options = new SpecReadOptions { Limits = SpecLimits.Default with { MaxNestingDepth = 2 } };
        var error = Assert.Single(SpecParser.Parse(Head + "space: {units: [4]}\n", options: options).Errors);

        Assert.Contains("more than 2 levels deep", error.Message);
    }
}

/// <summary>The array task's data file: only from allowed folders, only regular files, never quoted back to a submitter.</summary>
public sealed class DataFileRuleTests : IDisposable
{
    readonly TempFolder allowed = new();
    readonly TempFolder elsewhere = new();

    static string Spec(string path) => $"name: s\ntask: array\ntask_options: {{path: '{path}'}}\n";

    SpecReadOptions Submission(long? maxBytes = null) => SpecReadOptions.ForSubmission(
        SpecLimits.Default with { MaxDataFileBytes = maxBytes ?? SpecLimits.Default.MaxDataFileBytes }, [allowed.Path]);

    static SpecError OneError(SpecParseResult result)
    {
        Assert.Null(result.Spec);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void AFileInAnAllowedFolderIsReadAndStoredByItsRealPath()
    {
        var data = allowed.Write("train.csv", "1,2,0\n3,4,1\n5,6,0\n");
        var link = Path.Combine(elsewhere.Path, "link.csv");

        var spec = SpecParser.Parse(Spec(data), options: Submission()).Spec!;

        Assert.Equal(data, spec.Task.Options.Path);
        var target = elsewhere.Write("real.csv", "1,2,0\n3,4,1\n5,6,0\n");
        File.CreateSymbolicLink(link, target);
        // run's folder is the spec's own; a link is stored as its target, so what was checked is what a worker reads.
        var viaLink = SpecParser.ParseFile(elsewhere.Write("spec.yaml", Spec("link.csv"))).Spec!;
        Assert.Equal(target, viaLink.Task.Options.Path);
    }

    [Fact]
    public void PathsOutsideTheAllowedFoldersAreRefusedEvenThroughDotDotOrASymlink()
    {
        var secret = elsewhere.Write("secret.csv", "1,2,0\n3,4,1\n");
        var link = Path.Combine(allowed.Path, "innocent.csv");
        File.CreateSymbolicLink(link, secret);
        var dotDot = Path.Combine(allowed.Path, "..", Path.GetFileName(elsewhere.Path), "secret.csv");

        foreach (var path in new[] { secret, link, dotDot, "/etc/shadow", "/proc/self/environ", "/proc/self/mounts" })
        {
            var error = OneError(SpecParser.Parse(Spec(path), options: Submission()));
            Assert.Equal("task_options.path", error.Path);
            Assert.Contains("outside the data folders this node allows", error.Message);
        }
    }

    [Fact]
    public void ASubmissionToANodeWithoutDataFoldersReadsNoFile()
    {
        var data = allowed.Write("train.csv", "1,2,0\n3,4,1\n");

        var error = OneError(SpecParser.Parse(Spec(data), options: SpecReadOptions.ForSubmission(SpecLimits.Default, [])));

        Assert.Contains("this node reads no data files for submitted specs", error.Message);
        Assert.Contains("LSTMSWEEP_DATA_FOLDERS", error.Message);
    }

    [Fact]
    public void DevicesPipesAndFoldersAreRefusedWithoutBeingOpened()
    {
        var fifo = Path.Combine(allowed.Path, "pipe.csv");
        Assert.Equal(0, Process.Start("mkfifo", [fifo]).WaitForExitAsync().ContinueWith(_ => 0).Result);
        Directory.CreateDirectory(Path.Combine(allowed.Path, "folder.csv"));
        var devices = SpecReadOptions.ForSubmission(SpecLimits.Default, [allowed.Path, "/dev"]);

        Assert.Contains("not a regular file", OneError(SpecParser.Parse(Spec(fifo), options: Submission())).Message);
        Assert.Contains("not a regular file", OneError(SpecParser.Parse(Spec("/dev/zero"), options: devices)).Message);
        Assert.Contains("a folder, not a file", OneError(SpecParser.Parse(Spec(Path.Combine(allowed.Path, "folder.csv")), options: Submission())).Message);
    }

    [Fact]
    public void AFileOverTheSizeLimitIsRefusedBeforeItIsRead()
    {
        var data = allowed.Write("big.csv", string.Concat(Enumerable.Repeat("1,2,0\n", 1000)));

        var error = OneError(SpecParser.Parse(Spec(data), options: Submission(maxBytes: 1000)));

        Assert.Contains("6000 bytes, more than the 1000 a data file may have (the limit max_data_file_bytes)", error.Message);
    }

    [Fact]
    public void ANULInThePathIsAClearError()
    {
        var error = OneError(SpecParser.Parse("name: s\ntask: array\ntask_options: {path: \"/data/a\\0b.csv\"}\n", options: Submission()));

        Assert.Equal("task_options.path", error.Path);
        Assert.Contains("NUL or control character", error.Message);
    }

    [Fact]
    public void ASubmittedSpecMustGiveAnAbsolutePath()
    {
        var error = OneError(SpecParser.Parse(Spec("train.csv"), options: Submission()));

        Assert.Contains("give the data file's absolute path", error.Message);
    }

    [Fact]
    public void ASubmitterNeverSeesWhatAFileHolds()
    {
        var data = allowed.Write("secret.csv", "1,2,0\nTOKEN-abc123,4,1\n");

        var forSubmitter = OneError(SpecParser.Parse(Spec(data), options: Submission()));
        var forOperator = Assert.Single(SpecParser.ParseFile(allowed.Write("spec.yaml", Spec("secret.csv"))).Errors);

        Assert.DoesNotContain("TOKEN-abc123", forSubmitter.Message);
        Assert.Contains("line 2", forSubmitter.Message);
        Assert.Contains("TOKEN-abc123", forOperator.Message);
    }

    [Fact]
    public void LabelsThatMakeTooManyClassesAreRefused()
    {
        var data = allowed.Write("labels.csv", "1,2,0\n3,4,2000000000\n");

        var error = OneError(SpecParser.Parse(Spec(data), options: Submission()));

        Assert.Contains("(the limit max_classes)", error.Message);
    }

    public void Dispose()
    {
        allowed.Dispose();
        elsewhere.Dispose();
    }
}
