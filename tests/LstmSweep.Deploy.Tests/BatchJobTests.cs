using System.Text.Json;
using System.Text.Json.Nodes;
using static LstmSweep.Deploy.Tests.Manifests;

namespace LstmSweep.Deploy.Tests;

/// <summary>
/// k8s/batch: the Jobs' outcome is the CLI's exit code, so their failure policy must name the CLI's codes, and their
/// command lines must be ones the CLI accepts: each runs here with the real CLI, the spec from the generated ConfigMap.
/// </summary>
public sealed class BatchJobTests
{
    static readonly Rendered Batch = Render("k8s/batch");
    const int BadInput = 2, Unreachable = 3; // src/LstmSweep.Cli/ExitCodes.cs (a contract: never renumbered)

    [Theory]
    [InlineData("lstmsweep-submit")]
    [InlineData("lstmsweep-run")]
    public void AJobFailsAtOnceOnABadSpecIgnoresDisruptionsAndIsBounded(string name)
    {
        var job = Batch.Single("Job", name);
        var spec = job["spec"]!;
        Assert.Equal("Never", (string?)spec["template"]!["spec"]!["restartPolicy"]);
        Assert.InRange((int)spec["backoffLimit"]!, 0, 10);
        Assert.True((int)spec["activeDeadlineSeconds"]! > 0);
        var rules = spec["podFailurePolicy"]!["rules"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var container = (string)Containers(spec["template"]!["spec"]!.AsObject()).Single()["name"]!;
        var failJob = Assert.Single(rules, r => (string?)r["action"] == "FailJob");
        Assert.Equal(container, (string?)failJob["onExitCodes"]!["containerName"]);
        Assert.Equal("In", (string?)failJob["onExitCodes"]!["operator"]);
        Assert.Equal([BadInput], failJob["onExitCodes"]!["values"]!.AsArray().Select(v => (int)v!));
        Assert.Contains(rules, r => (string?)r["action"] == "Ignore" && r["onPodConditions"]!.AsArray().Any(c => (string?)c!["type"] == "DisruptionTarget"));
        if (name == "lstmsweep-submit")
            Assert.Contains(rules, r => (string?)r["action"] == "Count" && r["onExitCodes"]!["values"]!.AsArray().Select(v => (int)v!).SequenceEqual([Unreachable]));
    }

    [Fact]
    public void TheSpecConfigMapIsGeneratedFromTheBatchSpecFileAndMountedWhereTheJobsReadIt()
    {
        var map = Batch.GeneratedConfigMap("lstmsweep-sweep-spec");
        Assert.Equal(File.ReadAllText(Path.Combine(Deployment.Root, "k8s", "batch", "sweep.yaml")), (string)map["data"]!["sweep.yaml"]!);
        foreach (var (job, pod) in Batch.Workloads)
        {
            var volume = Assert.Single(pod["volumes"]!.AsArray(), v => (string?)v!["configMap"]?["name"] == (string)map["metadata"]!["name"]!);
            var mount = Assert.Single(Containers(pod).Single()["volumeMounts"]!.AsArray(), m => (string?)m!["name"] == (string?)volume!["name"]);
            Assert.Contains($"{mount!["mountPath"]}/sweep.yaml", Args(Containers(pod).Single()));
        }
    }

    [Fact]
    public void TheBatchSpecIsValid()
    {
        using var scratch = new ScratchDirectory();
        var spec = scratch.Write("sweep.yaml", (string)Batch.GeneratedConfigMap("lstmsweep-sweep-spec")["data"]!["sweep.yaml"]!);
        var result = CliProcess.Run(scratch.Path, "validate", spec);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void TheSubmitJobsCommandLineParsesAndOnlyTheUnreachableServerStopsIt()
    {
        // The Job's args, with the mounted spec as a local file and a server nobody listens on: the CLI's parser
        // accepts them (a parse error is exit 2) and submit gets as far as the network (exit 3, the Job retries).
        using var scratch = new ScratchDirectory();
        var args = LocalArgs("lstmsweep-submit", scratch);
        var server = Array.IndexOf(args, "--server");
        Assert.True(server > 0, "the submit Job names its --server");
        Assert.Equal("http://lstmsweep-api:5080", args[server + 1]);
        Assert.Contains(Render("k8s/base").OfKind("Service"), s => (string?)s["metadata"]!["name"] == "lstmsweep-api"
            && s["spec"]!["ports"]!.AsArray().Any(p => (int)p!["port"]! == Deployment.HttpPort));
        args[server + 1] = $"http://127.0.0.1:{FreePorts.Take(1)[0]}";
        Assert.Contains("--wait", args);
        var result = CliProcess.Run(scratch.Path, null, TimeSpan.FromMinutes(2), args);
        Assert.True(result.ExitCode == Unreachable, result.ToString());

        var typo = args.Select(a => a == "--wait" ? "--wiat" : a).ToArray(); // the same check fails a broken command line
        Assert.Equal(BadInput, CliProcess.Run(scratch.Path, null, TimeSpan.FromMinutes(1), typo).ExitCode);
    }

    [Fact]
    public void TheSelfContainedRunJobRunsItsSweepToCompletion()
    {
        using var scratch = new ScratchDirectory();
        var result = CliProcess.Run(scratch.Path, null, TimeSpan.FromMinutes(5), LocalArgs("lstmsweep-run", scratch));
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("completed", json.RootElement.GetProperty("status").GetString());
        Assert.Contains(json.RootElement.GetProperty("trials").EnumerateArray(), t => t.GetProperty("status").GetString() == "complete");
        Assert.True(File.Exists(Path.Combine(scratch.Path, "work", "lstmsweep.db")), "the journal goes to the emptyDir mount");
    }

    /// <summary>The Job's args with each mounted folder (spec ConfigMap, emptyDirs) replaced by a local one.</summary>
    static string[] LocalArgs(string name, ScratchDirectory scratch)
    {
        var pod = Batch.Single("Job", name)["spec"]!["template"]!["spec"]!.AsObject();
        var container = Containers(pod).Single();
        Assert.Equal("lstmsweep", ((string)container["image"]!).Split(':')[0]);
        var folders = new Dictionary<string, string>();
        foreach (var mount in container["volumeMounts"]!.AsArray())
        {
            var volume = pod["volumes"]!.AsArray().Single(v => (string?)v!["name"] == (string?)mount!["name"])!;
            var local = Path.Combine(scratch.Path, ((string)mount!["mountPath"]!).Trim('/'));
            Directory.CreateDirectory(local);
            if (volume["configMap"] is { } configMap)
                foreach (var (key, value) in Batch.Single("ConfigMap", (string)configMap["name"]!)["data"]!.AsObject())
                    File.WriteAllText(Path.Combine(local, key), (string)value!);
            folders[(string)mount["mountPath"]!] = local;
        }
        return Args(container).Select(a => Localize(a, folders)).ToArray();
    }

    /// <summary>A path argument under a mount (or a sqlite: one) pointed at the local folder; one replacement per argument.</summary>
    static string Localize(string arg, Dictionary<string, string> folders)
    {
        foreach (var (mount, local) in folders.OrderByDescending(f => f.Key.Length))
        {
            if (arg.StartsWith(mount + "/")) return local + arg[mount.Length..];
            if (arg.StartsWith("sqlite:" + mount + "/")) return "sqlite:" + local + arg[("sqlite:" + mount).Length..];
        }
        return arg;
    }
}
