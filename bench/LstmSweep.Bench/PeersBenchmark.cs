using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using LstmSweep.Training;

namespace LstmSweep.Bench;

/// <summary>
/// LstmSweep against the peers users would otherwise write (PyTorch 1.13 loops, Optuna 3.1 on SQLite), both sides in
/// the same invocation, alternating, several repetitions, medians and the ratio ours / theirs (below 1: we are faster).
/// The Python sides live in bench/peers/*.py and need bench/setup.sh.
/// </summary>
static class PeersBenchmark
{
    public sealed record Row(string Suite, string What, string Unit, IReadOnlyList<double> Ours, IReadOnlyList<double> Theirs, double? Target, bool LowerIsBetter = true)
    {
        public double OursMedian => Median(Ours);
        public double TheirsMedian => Median(Theirs);

        /// <summary>Ours / theirs for times, theirs / ours for rates: below 1 means we win either way.</summary>
        public double Ratio => LowerIsBetter ? OursMedian / TheirsMedian : TheirsMedian / OursMedian;
    }

    public sealed record Versions(string Torch, string Optuna);

    /// <summary>One per-epoch comparison: the same model, data and evaluation cadence on both sides.</summary>
    sealed record EpochCase(string What, string PeerModel, TrialConfig Config, TaskOptions Options, int Epochs, int EvalEvery);

    const string Python = "/usr/bin/python3";

    public static async Task<(List<Row> Rows, Versions Versions)> RunAsync(bool smoke, string root, string work, Action<string> log)
    {
        if (!File.Exists(Python)) throw new InvalidOperationException($"{Python} not found: run bench/setup.sh first");
        var peers = Path.Combine(root, "bench", "peers");
        var reps = smoke ? 1 : 3;
        var rows = new List<Row>();
        string torchVersion = "?", optunaVersion = "?";
        TorchRuntime.ConfigureThreads(1);

        var seed002 = new TrialConfig(20, MergeMode.Concat, false, 0, 0.001, 1, 1, Init: WeightInit.Keras);
        var seed002Options = new TaskOptions { Timesteps = 10, EvalSamples = 100 };
        int Scale(int full, int small) => smoke ? small : full;
        var seedEpochs = Scale(1000, 100);
        EpochCase[] cases =
        [
            new("seed-002, evaluation after every epoch", "seed002", seed002, seed002Options, seedEpochs, 1),
            new("seed-002, evaluation at the end (the tutorial)", "seed002", seed002, seed002Options, seedEpochs, seedEpochs),
            new("T=100, 128 units, batch 64, 2 layers, evaluation every epoch", "large",
                new TrialConfig(128, MergeMode.None, false, 0, 0.001, 64, 2, Init: WeightInit.Keras),
                new TaskOptions { Timesteps = 100, SequencesPerEpoch = 64, EvalSamples = 100 }, Scale(10, 2), 1),
            new("stateful, 10 batches of 1 per epoch, evaluation every epoch", "stateful",
                new TrialConfig(20, MergeMode.None, true, 0, 0.001, 1, 1, Init: WeightInit.Keras),
                new TaskOptions { Timesteps = 10, SequencesPerEpoch = 10, EvalSamples = 100 }, Scale(100, 10), 1),
        ];
        foreach (var c in cases)
        {
            var (ours, theirs) = (new List<double>(), new List<double>());
            var request = new TrainingRequest(new TaskSpec(TaskKind.Cumsum, c.Options), c.Config with { Epochs = c.Epochs }, Seed: 1)
            {
                Evaluation = new EvaluationPlan(c.EvalEvery),
            };
            TrialTrainer.Train(request with { Config = request.Config with { Epochs = 5 } }, null, CancellationToken.None); // warm-up
            for (var rep = 0; rep < reps; rep++)
            {
                var clock = Stopwatch.StartNew();
                var outcome = TrialTrainer.Train(request, null, CancellationToken.None);
                if (outcome.Status != TrialStatus.Complete) throw new InvalidOperationException($"{c.What}: {outcome.Status} {outcome.Error}");
                ours.Add(clock.Elapsed.TotalMilliseconds / c.Epochs);
                var peer = await RunPython(Path.Combine(peers, "trial.py"), $"--model {c.PeerModel} --epochs {c.Epochs} --eval-every {c.EvalEvery}");
                theirs.Add(peer.GetProperty("ms_per_epoch").GetDouble());
                torchVersion = peer.GetProperty("torch").GetString() ?? "?";
                log($"{c.What}: ours {ours[^1]:F2} ms/epoch, PyTorch {theirs[^1]:F2} ms/epoch");
            }
            rows.Add(new Row("per epoch", c.What, "ms/epoch", ours, theirs, 0.5));
        }

        // The seed-002 sweep as a user runs it (our default evaluation cadence, the actors, the journal, one slot)
        // against the tutorial's loop for each merge mode in a row (evaluation once, at the end).
        {
            var epochs = Scale(250, 25);
            var spec = File.ReadAllText(Path.Combine(root, "examples", "seed-002-bidirectional-merge-modes.yaml"))
                .Replace("epochs: [250]", $"epochs: [{epochs}]");
            var (ours, theirs) = (new List<double>(), new List<double>());
            for (var rep = 0; rep < Math.Max(1, reps - 1); rep++)
            {
                var (state, elapsed) = await SweepRunner.RunAsync(spec, work, slots: 1);
                if (state.Count(TrialStatus.Complete) != 5) throw new InvalidOperationException("the seed-002 sweep did not complete its 5 trials");
                ours.Add(elapsed.TotalSeconds);
                var peer = await RunPython(Path.Combine(peers, "trial.py"), $"--sweep seed002 --epochs {epochs}");
                theirs.Add(peer.GetProperty("seconds").GetDouble());
                log($"seed-002 sweep ({epochs} epochs): ours {ours[^1]:F2} s, PyTorch loop {theirs[^1]:F2} s");
            }
            rows.Add(new Row("sweep", $"seed-002 sweep, 5 trials × {epochs} epochs (ours: default eval_every {SweepSpec.DefaultEvalEvery}, 1 slot, journal; theirs: the tutorial's loop)", "s", ours, theirs, 0.5));
        }

        // Orchestration: trivial trials through the whole system (real trainer, one-unit-ish models) against Optuna's
        // optimize on SQLite with a trivial objective, two workers each.
        {
            var trials = Scale(2000, 50);
            var spec = $"""
                name: trivial
                task: cumsum
                task_options: {"{"}timesteps: 2, eval_samples: 1{"}"}
                strategy: random
                max_trials: {trials}
                checkpoint_every: 100000
                space:
                  units: {"{"}min: 1, max: 4{"}"}
                  epochs: [1]
                """;
            var (ours, theirs) = (new List<double>(), new List<double>());
            // One repetition each: 2,000 trials take minutes on a shared machine.
            for (var rep = 0; rep < 1; rep++)
            {
                var (state, elapsed) = await SweepRunner.RunAsync(spec, work, slots: 2);
                if (state.Count(TrialStatus.Complete) != trials) throw new InvalidOperationException($"only {state.Count(TrialStatus.Complete)} of {trials} trivial trials completed");
                ours.Add(trials / elapsed.TotalSeconds);
                var db = Path.Combine(work, $"optuna-{Guid.NewGuid():N}.db");
                var peer = await RunPython(Path.Combine(peers, "optuna_trivial.py"), $"--trials {trials} --storage sqlite:///{db} --jobs 2");
                theirs.Add(peer.GetProperty("per_second").GetDouble());
                optunaVersion = peer.GetProperty("optuna").GetString() ?? "?";
                log($"{trials} trivial trials: ours {ours[^1]:F0}/s, Optuna+SQLite {theirs[^1]:F0}/s");
            }
            rows.Add(new Row("orchestration", $"{trials} trivial trials, 2 slots / 2 jobs, SQLite (ours: real trainer, units 1–4, 1 epoch, T=2)",
                "trials/s", ours, theirs, 1.0 / 40, LowerIsBetter: false));
        }
        return (rows, new Versions(torchVersion, optunaVersion));
    }

    static async Task<JsonElement> RunPython(string script, string arguments)
    {
        var start = new ProcessStartInfo(Python, $"{script} {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Python}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(script)} {arguments} exited {process.ExitCode}: {await stderr}");
        var last = (await stdout).Trim().Split('\n')[^1];
        return JsonDocument.Parse(last).RootElement.Clone();
    }

    static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";

    public static string Markdown(IReadOnlyList<Row> rows, Versions versions, bool smoke)
    {
        var torchSharp = typeof(TorchSharp.torch).Assembly.GetName().Version;
        var b = new StringBuilder();
        b.AppendLine(CultureInfo.InvariantCulture, $"""
            ## Against the peers

            `bash bench/setup.sh && dotnet run -c Release --project bench/LstmSweep.Bench -- peers{(smoke ? " --smoke" : "")}`{(smoke ? " (**smoke run: short budgets, one repetition; not a result**)" : "")}.
            Both sides in one invocation, alternating, medians of the repetitions shown. Machine: {Environment.ProcessorCount} cores,
            {CpuModel()}; .NET {Environment.Version}, TorchSharp {torchSharp}; PyTorch {versions.Torch}, Optuna {versions.Optuna}
            (Debian's, system Python). One thread per trial on both sides. Ours per epoch: `TrialTrainer.Train` in process
            (no actors, no journal); the sweep and orchestration rows go through the whole embedded system with its SQLite
            journal. **Measured while three other sessions shared the machine's two cores, so every number here is noisy
            (the load average was far above 2); the ratios, taken side by side, are the more reliable part.**

            | suite | what | ours | theirs | ratio | target | met |
            | --- | --- | ---: | ---: | ---: | ---: | :---: |
            """);
        foreach (var r in rows)
        {
            var met = r.Target is { } t ? (r.Ratio <= t ? "yes" : "no") : "";
            var target = r.Target is { } tt ? (r.LowerIsBetter ? $"≤ {tt:0.##}×" : $"≥ {1 / tt:0}× theirs") : "";
            var ratio = r.LowerIsBetter ? $"{r.Ratio:F2}×" : $"{1 / r.Ratio:F2}× theirs";
            b.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Suite} | {r.What} | {r.OursMedian:0.###} {r.Unit} | {r.TheirsMedian:0.###} {r.Unit} | {ratio} | {target} | {met} |");
        }
        b.AppendLine();
        b.AppendLine("Runs (ours / theirs): " + string.Join("; ", rows.Select(r =>
            string.Create(CultureInfo.InvariantCulture, $"{r.Suite}: [{string.Join(", ", r.Ours.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)))}] / [{string.Join(", ", r.Theirs.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)))}]"))) + ".");
        return b.ToString();
    }
}
