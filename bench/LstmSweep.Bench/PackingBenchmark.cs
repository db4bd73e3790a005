using System.Diagnostics;
using System.Globalization;
using LstmSweep.Core.Packing;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Training;
using LstmSweep.Training.Packing;

namespace LstmSweep.Bench;

/// <summary>
/// Trial packing against training the same trials one by one: the seed-002 merge-modes space widened to 40
/// configurations (5 merge modes × 4 unit counts × 2 learning rates; cumsum T = 10, batch 1, one fresh sequence per
/// epoch, Adam, Keras initialisation), each trial a fixed number of epochs with an evaluation after each. Three ways,
/// one after the other in one process on one torch thread: packed (one pack per shape key, i.e. per merge mode, of 8
/// members), our unpacked trainer, and PyTorch's nn.LSTM one trial at a time (bench/peers/packing_peer.py, when
/// python3 can import torch).
/// </summary>
static class PackingBenchmark
{
    public const int Epochs = 20;
    static readonly MergeMode[] Modes = [MergeMode.None, MergeMode.Concat, MergeMode.Sum, MergeMode.Mul, MergeMode.Ave];
    static readonly int[] UnitCounts = [8, 12, 16, 20];
    static readonly double[] Rates = [0.001, 0.003];

    public sealed record Way(string Name, int TrialEpochs, TimeSpan Elapsed, string? Best, string? Note)
    {
        public double TrialEpochsPerSecond => TrialEpochs / Elapsed.TotalSeconds;
    }

    public sealed record Result(int Configs, int Packs, IReadOnlyList<Way> Ways, long UnpackedBytesPerTrial, long PackedBytesPerMember, int EvalSamples);

    static readonly TaskSpec Task = new(TaskKind.Cumsum, new TaskOptions { Timesteps = 10, EvalSamples = 100 });

    public static List<TrainingRequest> Requests() =>
        (from mode in Modes
         from units in UnitCounts
         from rate in Rates
         select new TrainingRequest(Task,
             new TrialConfig(units, mode, false, Epochs, rate, BatchSize: 1, Layers: 1, Init: WeightInit.Keras),
             Seed: 1000 + Array.IndexOf(Modes, mode) * 100 + units * 10 + Array.IndexOf(Rates, rate)))
        .ToList();

    public static Result Run(string root, Action<string> log)
    {
        TorchRuntime.ConfigureThreads(1);
        var requests = Requests();
        var packs = requests.GroupBy(r => PackKey.Of(r.Task, r.Config)).Select(g => g.ToList()).ToList();
        var trialEpochs = requests.Count * Epochs;

        // Warm-up: one short pack and one short trial, so neither way pays the first-call costs.
        PackedTrainer.Train(packs[1].Take(2).Select(r => r with { Config = r.Config with { Epochs = 2 } }).ToList(), null, null);
        TrialTrainer.Train(requests[0] with { Config = requests[0].Config with { Epochs = 2 } }, null, default);

        // The ways alternate pack by pack (a pack packed, then its trials one by one), so that a machine whose load
        // changes during the run weighs on both alike.
        var packedOutcomes = new Dictionary<TrainingRequest, TrainingOutcome>();
        var unpackedOutcomes = new Dictionary<TrainingRequest, TrainingOutcome>();
        var (packedTime, unpackedTime) = (TimeSpan.Zero, TimeSpan.Zero);
        foreach (var pack in packs)
        {
            var clock = Stopwatch.StartNew();
            var outcomes = PackedTrainer.Train(pack, null, null);
            packedTime += clock.Elapsed;
            for (var i = 0; i < pack.Count; i++) packedOutcomes[pack[i]] = outcomes[i];
            clock.Restart();
            foreach (var request in pack) unpackedOutcomes[request] = TrialTrainer.Train(request, null, default);
            unpackedTime += clock.Elapsed;
            log($"{pack[0].Config.MergeMode}: packed {packedTime.TotalSeconds:F1} s, unpacked {unpackedTime.TotalSeconds:F1} s so far");
        }
        var packed = new Way("packed", trialEpochs, packedTime, BestOf(packedOutcomes), null);
        log($"packed: {packed.TrialEpochsPerSecond:F0} trial-epochs/s");
        var unpacked = new Way("unpacked (ours, one by one)", trialEpochs, unpackedTime, BestOf(unpackedOutcomes), null);
        log($"unpacked: {unpacked.TrialEpochsPerSecond:F0} trial-epochs/s");

        var ways = new List<Way> { packed, unpacked, RunPeer(root, requests, log) };
        var widest = UnitCounts.Max();
        var perTrial = (long)requests.Average(r => TrainedBytes(r.Config.Units, r.Config.MergeMode));
        var perMember = (long)requests.Average(r => TrainedBytes(widest, r.Config.MergeMode));
        return new Result(requests.Count, packs.Count, ways, perTrial, perMember, Task.Options.EvalSamples);
    }

    /// <summary>
    /// Bytes of weights, gradients and Adam's two slots of one network with <paramref name="units"/> (cumsum: one
    /// input feature, one output). A packed member holds the same for the pack's widest units; an unpacked trial
    /// holds the same plus a module tree of its own (not counted: it is the same per trial in both ways).
    /// </summary>
    static long TrainedBytes(int units, MergeMode mode)
    {
        var directions = mode == MergeMode.None ? 1 : 2;
        var lstm = directions * (4L * units * (1 + units) + 8L * units);
        var headInputs = mode == MergeMode.Concat ? 2L * units : units;
        var parameters = lstm + headInputs + 1;
        return parameters * sizeof(float) * 4;
    }

    static string BestOf(Dictionary<TrainingRequest, TrainingOutcome> outcomes)
    {
        var (request, outcome) = outcomes.Where(o => o.Value.Status == TrialStatus.Complete).MinBy(o => o.Value.Loss);
        return string.Create(CultureInfo.InvariantCulture,
            $"{request.Config.MergeMode.ToString().ToLowerInvariant()}, units {request.Config.Units}, lr {request.Config.LearningRate} (loss {outcome.Loss:F4})");
    }

    /// <summary>The first python3 that imports torch: the one on PATH (a pyenv shim, say), else Debian's
    /// (apt-get install python3-torch).</summary>
    static string? PythonWithTorch()
    {
        foreach (var candidate in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                using var probe = Process.Start(new ProcessStartInfo(candidate, ["-c", "import torch"])
                {
                    RedirectStandardOutput = true, RedirectStandardError = true,
                })!;
                probe.StandardError.ReadToEnd();
                if (probe.WaitForExit(TimeSpan.FromMinutes(2)) && probe.ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed: try the next.
            }
        }
        return null;
    }

    static Way RunPeer(string root, List<TrainingRequest> requests, Action<string> log)
    {
        if (PythonWithTorch() is not { } python) return NotRun("no python3 that imports torch (apt-get install -y python3-torch)");
        var script = Path.Combine(root, "bench", "peers", "packing_peer.py");
        var configs = string.Join(";", requests.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{r.Config.MergeMode.ToString().ToLowerInvariant()},{r.Config.Units},{r.Config.LearningRate},{r.Seed}")));
        var start = new ProcessStartInfo(python, [script, "--epochs", Epochs.ToString(CultureInfo.InvariantCulture), "--eval-samples",
            Task.Options.EvalSamples.ToString(CultureInfo.InvariantCulture), "--configs", configs])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["OMP_NUM_THREADS"] = "1";
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(20))) { process.Kill(entireProcessTree: true); return NotRun("timed out after 20 minutes"); }
            if (process.ExitCode != 0)
                return NotRun(error.Result.Trim().Split('\n').LastOrDefault() ?? $"exit code {process.ExitCode}");
            // The script prints: seconds trial_epochs best
            var parts = output.Result.Trim().Split('\n')[^1].Split(' ', 3);
            var way = new Way("PyTorch nn.LSTM (one by one)", int.Parse(parts[1], CultureInfo.InvariantCulture),
                TimeSpan.FromSeconds(double.Parse(parts[0], CultureInfo.InvariantCulture)), parts.Length > 2 ? parts[2] : null, null);
            log($"pytorch: {way.TrialEpochsPerSecond:F0} trial-epochs/s");
            return way;
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            return NotRun($"python3 not found ({error.Message})");
        }

        Way NotRun(string why)
        {
            log($"pytorch peer not run: {why}");
            return new Way("PyTorch nn.LSTM (one by one)", 0, TimeSpan.Zero, null, $"not run: {why}");
        }
    }

    public static string Markdown(Result r)
    {
        var packed = r.Ways[0];
        var unpacked = r.Ways[1];
        var peer = r.Ways[2];
        string Rate(Way w) => w.Note ?? string.Create(CultureInfo.InvariantCulture, $"{w.TrialEpochsPerSecond:F0}");
        string Speedup(Way w) => w.Note is null ? string.Create(CultureInfo.InvariantCulture, $"{packed.TrialEpochsPerSecond / w.TrialEpochsPerSecond:F1}×") : "–";
        var rows = string.Join("\n", r.Ways.Select(w => string.Create(CultureInfo.InvariantCulture,
            $"| {w.Name} | {(w.Note is null ? $"{w.Elapsed.TotalSeconds:F1} s" : "–")} | {Rate(w)} | {(w == packed ? "1.0×" : Speedup(w))} | {w.Best ?? "–"} |")));
        var vsUnpacked = packed.TrialEpochsPerSecond / unpacked.TrialEpochsPerSecond;
        var vsPeer = peer.Note is null ? packed.TrialEpochsPerSecond / peer.TrialEpochsPerSecond : double.NaN;
        string Met(double value, double target) => double.IsNaN(value) ? "not measured (peer not run)"
            : value >= target ? string.Create(CultureInfo.InvariantCulture, $"met ({value:F1}×)")
            : string.Create(CultureInfo.InvariantCulture, $"not met ({value:F1}×, {value / target:P0} of the target)");
        var sameBest = packed.Best is not null && unpacked.Best is not null && packed.Best.Split(" (")[0] == unpacked.Best.Split(" (")[0];
        return string.Create(CultureInfo.InvariantCulture, $"""
            ## Trial packing

            The seed-002 merge-modes space widened to {r.Configs} configurations (merge mode none, concat, sum, mul, ave ×
            units 8, 12, 16, 20 × learning rate 0.001, 0.003; cumsum T = 10, batch 1, one fresh sequence per epoch,
            Adam, Keras initialisation), {Epochs} epochs per trial, each epoch followed by an evaluation on {r.EvalSamples}
            held-out sequences. Packed: {r.Packs} packs (one per merge mode) of 8 members each; unpacked: the same
            trials one by one, alternating with the packs pack by pack (a changing machine load weighs on both alike);
            PyTorch: one trial after the other. One torch thread for every way.

            | way | time | trial-epochs/s | packed is | best configuration (final loss) |
            | --- | ---: | ---: | ---: | --- |
            {rows}

            Weights, gradients and Adam state per trial: {r.UnpackedBytesPerTrial / 1024.0:F1} KiB unpacked on average,
            {r.PackedBytesPerMember / 1024.0:F1} KiB per packed member (each member is padded to the widest units of
            its pack; the unpacked trial also carries a module tree of its own, not counted).

            Targets: at least 10× PyTorch one by one: {Met(vsPeer, 10)}; at least 5× our unpacked path:
            {Met(vsUnpacked, 5)}; the same best configuration as unpacked: {(sameBest ? "met" : "not met")};
            memory per member lower than per unpacked trial: {(r.PackedBytesPerMember < r.UnpackedBytesPerTrial ? "met" : "not met (padding to the widest member costs more than it saves here)")}.

            """);
    }
}
