using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LstmSweep.Core.Data;
using LstmSweep.Core.Trials;
using LstmSweep.Training.Loop;
using static TorchSharp.torch;

namespace LstmSweep.Training.Checkpoints;

/// <summary>The parts of a checkpoint file, read and verified, not yet applied to a run.</summary>
internal sealed record CheckpointContents(
    string Identity, int Epoch, EpochMetrics Metrics,
    IReadOnlyList<(string Name, long[] Shape, float[] Values)> Parameters,
    IReadOnlyList<(long Step, float[][] Slots)> Optimizer);

/// <summary>
/// The checkpoints of one trial in its directory: written atomically after an epoch, read back to resume.
/// </summary>
/// <remarks>
/// <para>A checkpoint holds everything the next epochs depend on: the weights, the optimizer's state (step and slots
/// per parameter: Adam m and v, RMSprop the mean square, SGD none), the epoch and its metrics. No generator state: an epoch's data and shuffle come from generators of
/// their own per (seed, epoch) (<see cref="Tasks.TrialRandom.ForEpoch"/>), and a stateful model's carried state starts
/// from zeros every epoch.</para>
/// <para>File <c>epoch-NNNNNN.ckpt</c>, little-endian (BinaryWriter):</para>
/// <code>
/// magic      8 bytes  "LSWCKPT\0"
/// version    int32    2
/// identity   string   (7-bit length-prefixed UTF-8) task, task options, data fingerprint, seed, every hyperparameter
///                     but epochs, the optimizer's constants: a checkpoint whose identity differs is skipped
/// epoch      int32    epochs trained
/// metrics    3 × float64: evaluation loss, accuracy, mean training loss of that epoch
/// parameters int32 n; n × { name string, rank int32, rank × int64 dims, float32 × numel }   (model.named_parameters order)
/// optimizer  int32 n; n × { step int64, slots int32 k, k × float32 × numel }                 (same order and shapes)
/// sha256     32 bytes over everything before
/// </code>
/// <para>The epoch count the trial aims at is not stored, so a checkpoint at epoch k continues a trial to any
/// larger count (ASHA's promotion).</para>
/// </remarks>
internal sealed partial class CheckpointStore
{
    public const int FormatVersion = 2;
    private const int HashBytes = 32;
    /// <summary>Checkpoints older than the one just written that are kept (a fallback if the newest is damaged).</summary>
    private const int OlderKept = 1;
    private static readonly byte[] Magic = "LSWCKPT\0"u8.ToArray();

    private readonly string directory;

    public CheckpointStore(CheckpointSettings settings, string identity)
    {
        if (string.IsNullOrWhiteSpace(settings.Directory)) throw new ArgumentException("checkpoints: the directory is empty");
        if (settings.Every < 1) throw new ArgumentException($"checkpoints: every must be at least 1, got {settings.Every}");
        directory = settings.Directory;
        Every = settings.Every;
        Identity = identity;
        Directory.CreateDirectory(directory);
    }

    public int Every { get; }

    public string Identity { get; }

    public static string FileName(int epoch) => string.Create(CultureInfo.InvariantCulture, $"epoch-{epoch:D6}.ckpt");

    public string PathFor(int epoch) => Path.Combine(directory, FileName(epoch));

    /// <summary>
    /// What must match for a checkpoint to continue this trial: everything that shapes the weights' trajectory except
    /// the number of epochs (and the device).
    /// </summary>
    public static string IdentityOf(TrainingRequest request, ArrayDataset? arrayData)
    {
        var config = request.Config;
        var options = JsonSerializer.Serialize(request.Task.Options);
        var data = request.Task.Kind == TaskKind.Array && arrayData is not null ? Fingerprint(arrayData) : "-";
        // Every row of the hyperparameter table in canonical text, except epochs (a checkpoint continues any count).
        var hyperparameters = string.Concat(Hyperparameters.ToText(config)
            .Where(pair => pair.Key != Hyperparameters.Epochs.Key)
            .Select(pair => $"{pair.Key}={pair.Value};"));
        return string.Create(CultureInfo.InvariantCulture,
            $"task={request.Task.Kind};options={options};data={data};seed={request.Seed};{hyperparameters}" +
            $"{TrialOptimizers.ConstantsOf(config.Optimizer)}");
    }

    /// <summary>Writes the run's state after <paramref name="metrics"/>' epoch (temp file, then rename), then prunes.</summary>
    public void Write(TrialRun run, EpochMetrics metrics)
    {
        var bytes = Serialize(Identity, run, metrics);
        var target = PathFor(metrics.Epoch);
        var temp = $"{target}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception error)
        {
            TryDelete(temp);
            throw new IOException($"writing checkpoint {target}: {error.Message}", error);
        }
        Prune(metrics.Epoch);
    }

    /// <summary>
    /// Loads the newest checkpoint with epoch ≤ <paramref name="maxEpoch"/> that reads back whole and matches this
    /// trial into <paramref name="run"/> (fresh, untrained); damaged or foreign ones are skipped.
    /// </summary>
    /// <returns>The metrics of the restored epoch, or null when none fits (train from scratch).</returns>
    public EpochMetrics? RestoreLatest(TrialRun run, int maxEpoch)
    {
        foreach (var (epoch, path) in List().Where(c => c.Epoch <= maxEpoch).OrderByDescending(c => c.Epoch))
        {
            var (contents, _) = TryRead(path, Identity, run);
            if (contents is null || contents.Epoch != epoch) continue;
            Apply(contents, run);
            return contents.Metrics;
        }
        return null;
    }

    /// <summary>
    /// Reads and verifies one file against an identity and (when given) the shapes of a run, without changing
    /// anything. Returns the contents, or null and why the file cannot be used.
    /// </summary>
    internal static (CheckpointContents? Contents, string? Rejection) TryRead(string path, string identity, TrialRun? run)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return (null, $"unreadable: {error.Message}");
        }
        if (bytes.Length < Magic.Length + HashBytes) return (null, "too short");
        var body = bytes.AsSpan(0, bytes.Length - HashBytes);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - HashBytes)))
            return (null, "checksum mismatch (damaged or partial file)");
        try
        {
            var contents = Parse(bytes, bytes.Length - HashBytes);
            if (contents.Identity != identity) return (null, $"another trial's checkpoint: {contents.Identity}");
            if (run is not null && ShapeMismatch(contents, run) is { } mismatch) return (null, mismatch);
            return (contents, null);
        }
        catch (Exception error) when (error is InvalidDataException or EndOfStreamException or ArgumentException or OverflowException)
        {
            return (null, $"malformed: {error.Message}");
        }
    }

    /// <summary>Checkpoint files by epoch (temporary and other files are not listed).</summary>
    internal IEnumerable<(int Epoch, string Path)> List()
    {
        foreach (var path in Directory.EnumerateFiles(directory, "epoch-*.ckpt"))
        {
            var match = FileNamePattern().Match(Path.GetFileName(path));
            if (match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
                yield return (epoch, path);
        }
    }

    [GeneratedRegex(@"^epoch-(\d+)\.ckpt$")]
    private static partial Regex FileNamePattern();

    /// <summary>
    /// Deletes this trial's checkpoints older than the newest <see cref="OlderKept"/> before <paramref name="written"/>.
    /// Later ones (from a run that went further) and files of other identities are left alone.
    /// </summary>
    private void Prune(int written)
    {
        var older = List().Where(c => c.Epoch < written).OrderByDescending(c => c.Epoch).Skip(OlderKept);
        foreach (var (_, path) in older)
        {
            if (ReadIdentity(path) == Identity) TryDelete(path);
        }
    }

    private static string? ReadIdentity(string path)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) return null;
            if (reader.ReadInt32() != FormatVersion) return null;
            return reader.ReadString();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Left behind: harmless (a stale temp file is never read; an old checkpoint is only a fallback).
        }
    }

    private static byte[] Serialize(string identity, TrialRun run, EpochMetrics metrics)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(identity);
            writer.Write(metrics.Epoch);
            writer.Write(metrics.Loss);
            writer.Write(metrics.Accuracy);
            writer.Write(metrics.TrainLoss);

            var parameters = run.Model.named_parameters().ToList();
            writer.Write(parameters.Count);
            foreach (var (name, parameter) in parameters)
            {
                writer.Write(name);
                writer.Write(parameter.shape.Length);
                foreach (var dim in parameter.shape) writer.Write(dim);
                WriteValues(writer, parameter);
            }

            var states = run.Optimizer.States;
            writer.Write(states.Count);
            foreach (var state in states)
            {
                writer.Write(state.Step);
                writer.Write(state.Slots.Count);
                foreach (var slot in state.Slots) WriteValues(writer, slot);
            }
        }
        stream.Write(SHA256.HashData(stream.GetBuffer().AsSpan(0, (int)stream.Length)));
        return stream.ToArray();
    }

    private static void WriteValues(BinaryWriter writer, Tensor tensor)
    {
        if (tensor.dtype != ScalarType.Float32) throw new NotSupportedException($"checkpoint: {tensor.dtype} tensors are not supported");
        using var scope = NewDisposeScope();
        var values = tensor.detach().cpu().contiguous().data<float>().ToArray();
        writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static CheckpointContents Parse(byte[] bytes, int length)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, 0, length, writable: false), Encoding.UTF8);
        if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new InvalidDataException("not a checkpoint");
        var version = reader.ReadInt32();
        if (version != FormatVersion) throw new InvalidDataException($"format version {version}, expected {FormatVersion}");
        var identity = reader.ReadString();
        var epoch = reader.ReadInt32();
        if (epoch < 1) throw new InvalidDataException($"epoch {epoch}");
        var metrics = new EpochMetrics(epoch, reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());

        var parameterCount = ReadCount(reader);
        var parameters = new List<(string, long[], float[])>(parameterCount);
        for (var i = 0; i < parameterCount; i++)
        {
            var name = reader.ReadString();
            var rank = ReadCount(reader);
            var shape = new long[rank];
            for (var d = 0; d < rank; d++) shape[d] = reader.ReadInt64();
            var count = shape.Aggregate(1L, (product, dim) => dim < 0 ? throw new InvalidDataException("negative dimension") : checked(product * dim));
            parameters.Add((name, shape, ReadValues(reader, count)));
        }

        var stateCount = ReadCount(reader);
        if (stateCount != parameterCount) throw new InvalidDataException($"{stateCount} optimizer states for {parameterCount} parameters");
        var optimizer = new List<(long, float[][])>(stateCount);
        foreach (var (_, shape, values) in parameters)
        {
            var step = reader.ReadInt64();
            if (step < 0) throw new InvalidDataException($"optimizer step {step}");
            var slotCount = reader.ReadInt32();
            if (slotCount is < 0 or > 4) throw new InvalidDataException($"{slotCount} optimizer slots");
            optimizer.Add((step, Enumerable.Range(0, slotCount).Select(_ => ReadValues(reader, values.Length)).ToArray()));
        }
        if (reader.BaseStream.Position != length) throw new InvalidDataException("trailing bytes");
        return new CheckpointContents(identity, epoch, metrics, parameters, optimizer);
    }

    private static int ReadCount(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        return count is >= 0 and <= 1 << 20 ? count : throw new InvalidDataException($"count {count}");
    }

    private static float[] ReadValues(BinaryReader reader, long count)
    {
        var byteCount = checked(count * sizeof(float));
        if (byteCount > reader.BaseStream.Length - reader.BaseStream.Position) throw new EndOfStreamException();
        var values = new float[count];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static string? ShapeMismatch(CheckpointContents contents, TrialRun run)
    {
        var parameters = run.Model.named_parameters().ToList();
        if (parameters.Count != contents.Parameters.Count)
            return $"{contents.Parameters.Count} parameters, the model has {parameters.Count}";
        for (var i = 0; i < parameters.Count; i++)
        {
            var (name, parameter) = parameters[i];
            var saved = contents.Parameters[i];
            if (saved.Name != name || !saved.Shape.SequenceEqual(parameter.shape))
                return $"parameter {i} is {saved.Name} [{string.Join(", ", saved.Shape)}], the model's is {name} [{string.Join(", ", parameter.shape)}]";
        }
        var states = run.Optimizer.States;
        if (states.Count != contents.Optimizer.Count) return "optimizer states do not match the parameters";
        for (var i = 0; i < states.Count; i++)
            if (states[i].Slots.Count != contents.Optimizer[i].Slots.Length) return "optimizer slots do not match the optimizer";
        return null;
    }

    /// <summary>Copies verified contents into the run's model and optimizer (bit for bit).</summary>
    private static void Apply(CheckpointContents contents, TrialRun run)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var parameters = run.Model.parameters().ToList();
        for (var i = 0; i < parameters.Count; i++)
        {
            var (_, shape, values) = contents.Parameters[i];
            parameters[i].copy_(tensor(values, shape).to(parameters[i].device));
            var state = run.Optimizer.States[i];
            var (step, slots) = contents.Optimizer[i];
            for (var k = 0; k < slots.Length; k++) state.Slots[k].copy_(tensor(slots[k], shape).to(state.Slots[k].device));
            state.Step = step;
        }
    }

    private static string Fingerprint(ArrayDataset data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes(new[] { data.Samples, data.Timesteps, data.Features, data.Classes }.AsSpan()));
        hash.AppendData(MemoryMarshal.AsBytes(data.Values.AsSpan()));
        hash.AppendData(MemoryMarshal.AsBytes(data.Labels.AsSpan()));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
