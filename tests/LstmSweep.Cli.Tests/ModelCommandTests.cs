using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace LstmSweep.Cli.Tests;

/// <summary>keep_models, predict and export on the real program: the kept model says what the sweep measured.</summary>
public class ModelCommandTests
{
    static string ArraySpec(string data, int units0, int units1, int units2, int keep) => $$"""
        name: kept
        task: array
        task_options: {path: {{data}}, validation_split: 0.25}
        strategy: grid
        seed: 5
        keep_models: {{keep}}
        space:
          units: [{{units0}}, {{units1}}, {{units2}}]
          epochs: [6]
          learning_rate: [0.01]
          batch_size: [8]
        """;

    static (string SweepId, JsonElement[] Trials) Run(ScratchDirectory dir, string spec, string db)
    {
        var run = CliProcess.Run(dir.Path, "run", spec, "--db", db, "--output", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var document = JsonDocument.Parse(run.Stdout).RootElement;
        return (document.GetProperty("sweep_id").GetString()!, document.GetProperty("trials").EnumerateArray().ToArray());
    }

    static JsonElement Predict(ScratchDirectory dir, string sweepId, string db, string input, params string[] more)
    {
        var result = CliProcess.Run(dir.Path, ["predict", sweepId, "--input", input, "--db", db, "--output", "json", .. more]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout).RootElement;
    }

    [Fact]
    public void TheTopTrialsAreKeptAndPredictOnTheTrainingFileReproducesTheirReportedAccuracy()
    {
        using var dir = new ScratchDirectory();
        File.Copy(Path.Combine(CliProcess.RepositoryRoot, "examples", "data", "array-3d.json"), dir.File_("data.json"));
        var spec = dir.Write("spec.yaml", ArraySpec("data.json", 3, 6, 9, keep: 2));
        var db = "sqlite:" + dir.File_("s.db");
        var (sweepId, trials) = Run(dir, spec, db);

        // Best first by accuracy, then loss, as the leaderboard ranks.
        var ranked = trials.OrderByDescending(t => t.GetProperty("accuracy").GetDouble()).ThenBy(t => t.GetProperty("loss").GetDouble())
            .Select(t => t.GetProperty("trial_id").GetInt32()).ToArray();
        var kept = Directory.GetDirectories(Path.Combine(dir.Path, "lstmsweep-checkpoints", sweepId)).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(ranked.Take(2).Select(id => $"trial-{id}").Order(), kept);

        foreach (var trial in trials.Where(t => ranked.Take(2).Contains(t.GetProperty("trial_id").GetInt32())))
        {
            var id = trial.GetProperty("trial_id").GetInt32();
            var predicted = Predict(dir, sweepId, db, "data.json", "--trial", id.ToString());
            Assert.Equal(trial.GetProperty("accuracy").GetDouble(), predicted.GetProperty("evaluation_accuracy").GetDouble(), 12);
            Assert.Equal(15, predicted.GetProperty("evaluation_samples").GetInt32());
            var predictions = predicted.GetProperty("predictions").EnumerateArray().ToArray();
            Assert.Equal(60, predictions.Length);
            Assert.All(predictions, p =>
            {
                var step = Assert.Single(p.GetProperty("steps").EnumerateArray());
                Assert.InRange(step.GetProperty("probability").GetDouble(), 0.5, 1.0);
                Assert.InRange(step.GetProperty("class").GetInt32(), 0, 1);
            });
        }

        // The default trial is the best; inputs without labels are predicted, with no accuracy.
        var x = JsonDocument.Parse(File.ReadAllText(dir.File_("data.json"))).RootElement.GetProperty("x");
        dir.Write("new.json", JsonSerializer.Serialize(new { x = x.EnumerateArray().Take(3).ToArray() }));
        var unlabelled = Predict(dir, sweepId, db, "new.json");
        Assert.Equal(ranked[0], unlabelled.GetProperty("trial_id").GetInt32());
        Assert.Equal(JsonValueKind.Null, unlabelled.GetProperty("accuracy").ValueKind);
        Assert.Equal(3, unlabelled.GetProperty("predictions").GetArrayLength());

        // A trial that was not kept, and inputs of the wrong shape, are bad input naming what to change.
        var notKept = CliProcess.Run(dir.Path, "predict", sweepId, "--input", "new.json", "--db", db, "--trial", ranked[2].ToString());
        Assert.True(notKept.ExitCode == 2, notKept.ToString());
        Assert.Contains("keep_models", notKept.Stderr);
        dir.Write("wide.json", """{"x": [[[1, 2, 3]], [[4, 5, 6]]]}""");
        var wide = CliProcess.Run(dir.Path, "predict", sweepId, "--input", "wide.json", "--db", db);
        Assert.True(wide.ExitCode == 2, wide.ToString());
        Assert.Contains("feature", wide.Stderr);
        Assert.Equal("", wide.Stdout);

        // export: safetensors whose header names every parameter of model.json, at the sizes it states.
        var export = CliProcess.Run(dir.Path, "export", sweepId, "--out", "model", "--db", db);
        Assert.True(export.ExitCode == 0, export.ToString());
        var description = JsonDocument.Parse(File.ReadAllText(dir.File_("model/model.json"))).RootElement;
        Assert.Equal(ranked[0], description.GetProperty("trial_id").GetInt32());
        Assert.Equal(2, description.GetProperty("network").GetProperty("input_features").GetInt32());
        var bytes = File.ReadAllBytes(dir.File_("model/weights.safetensors"));
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength)).RootElement;
        long total = 0;
        foreach (var parameter in description.GetProperty("parameters").EnumerateArray())
        {
            var entry = header.GetProperty(parameter.GetProperty("name").GetString()!);
            var count = parameter.GetProperty("shape").EnumerateArray().Aggregate(1L, (n, d) => n * d.GetInt64());
            var offsets = entry.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
            Assert.Equal(count * 4, offsets[1] - offsets[0]);
            total += count * 4;
        }
        Assert.Equal(bytes.Length - 8 - headerLength, total);

        var again = CliProcess.Run(dir.Path, "export", sweepId, "--out", "model", "--db", db);
        Assert.True(again.ExitCode == 2, again.ToString());
        Assert.Contains("--out", again.Stderr);
    }

    [Fact]
    public void PredictScoresEveryOutputStepOfLabelsLongerThanTheInputs()
    {
        using var dir = new ScratchDirectory();
        File.Copy(Path.Combine(CliProcess.RepositoryRoot, "examples", "data", "seed-001-sequences.json"), dir.File_("seq.json"));
        var spec = dir.Write("spec.yaml", """
            name: steps
            task: array
            task_options: {path: seq.json, validation_split: 0.2}
            strategy: grid
            space: {units: [8], epochs: [3], batch_size: [16], optimizer: [rmsprop]}
            """);
        var db = "sqlite:" + dir.File_("s.db");
        var (sweepId, trials) = Run(dir, spec, db);

        var predicted = Predict(dir, sweepId, db, "seq.json");
        Assert.Equal(Assert.Single(trials).GetProperty("accuracy").GetDouble(), predicted.GetProperty("evaluation_accuracy").GetDouble(), 12);
        // x has 3 steps, y 4: every sample is predicted at all 4 output steps.
        Assert.All(predicted.GetProperty("predictions").EnumerateArray(), p => Assert.Equal(4, p.GetProperty("steps").GetArrayLength()));
    }
}
