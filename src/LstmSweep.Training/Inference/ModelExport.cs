using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LstmSweep.Core.Trials;
using LstmSweep.Training.Model;
using LstmSweep.Training.Tasks;
using static TorchSharp.torch;

namespace LstmSweep.Training.Inference;

/// <summary>Who the exported model is (the sweep and trial it came from, and what the sweep reported for it).</summary>
public sealed record ExportOrigin(string SweepId, int TrialId, double? Loss, double? Accuracy);

/// <summary>
/// Writes a kept model as <c>weights.safetensors</c> (the safetensors format: an 8-byte little-endian header length, a
/// JSON header of name → dtype, shape and byte offsets, then the float32 values; readable with Python's
/// <c>safetensors</c> package) and <c>model.json</c> (shape, hyperparameters, task, parameter names, how to load it).
/// </summary>
public static class ModelExport
{
    public const string WeightsFile = "weights.safetensors";
    public const string DescriptionFile = "model.json";
    public const string Format = "lstmsweep-model/1";

    private static readonly JsonSerializerOptions OptionsJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>
    /// Writes both files into <paramref name="directory"/> (created, or empty): first into a temporary folder beside
    /// it, then moved into place, so a failure leaves nothing half-written.
    /// </summary>
    public static void Write(KeptModel model, ExportOrigin origin, string directory)
    {
        var full = Path.GetFullPath(directory);
        var parent = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        try
        {
            var parameters = Parameters(model.Network);
            File.WriteAllBytes(Path.Combine(temp, WeightsFile), SafeTensors(parameters));
            File.WriteAllText(Path.Combine(temp, DescriptionFile), Describe(model, origin, parameters).ToJsonString(
                new JsonSerializerOptions { WriteIndented = true }) + "\n");
            if (Directory.Exists(full))
            {
                foreach (var file in Directory.EnumerateFiles(temp)) File.Move(file, Path.Combine(full, Path.GetFileName(file)));
                Directory.Delete(temp);
            }
            else Directory.Move(temp, full);
        }
        catch
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    private static List<(string Name, long[] Shape, float[] Values)> Parameters(LstmNetwork network)
    {
        using var scope = NewDisposeScope();
        return network.named_parameters()
            .Select(p => (p.name, p.parameter.shape, p.parameter.detach().cpu().contiguous().data<float>().ToArray()))
            .ToList();
    }

    private static byte[] SafeTensors(IReadOnlyList<(string Name, long[] Shape, float[] Values)> parameters)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt", ["producer"] = Format } };
        long offset = 0;
        foreach (var (name, shape, values) in parameters)
        {
            var bytes = (long)values.Length * sizeof(float);
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var headerText = header.ToJsonString();
        // The format pads the header with spaces to a multiple of 8 bytes, so the tensors that follow are aligned.
        var headerBytes = Encoding.UTF8.GetBytes(headerText.PadRight((Encoding.UTF8.GetByteCount(headerText) + 7) / 8 * 8));
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((ulong)headerBytes.Length);
            writer.Write(headerBytes);
            foreach (var (_, _, values) in parameters) writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        return stream.ToArray();
    }

    private static JsonObject Describe(KeptModel model, ExportOrigin origin, IReadOnlyList<(string Name, long[] Shape, float[] Values)> parameters)
    {
        var request = model.Request;
        var config = request.Config;
        var shape = model.Network.Shape;
        var hyperparameters = new JsonObject();
        foreach (var (key, value) in Hyperparameters.ToText(config)) hyperparameters[key] = value;
        var binary = model.Shape.Prediction == PredictionKind.Binary;
        var perStep = shape.Head == OutputHead.PerTimestep;
        return new JsonObject
        {
            ["format"] = Format,
            ["sweep_id"] = origin.SweepId,
            ["trial_id"] = origin.TrialId,
            ["seed"] = request.Seed,
            ["epoch"] = model.Metrics.Epoch,
            ["reported"] = new JsonObject { ["loss"] = origin.Loss, ["accuracy"] = origin.Accuracy },
            ["task"] = new JsonObject
            {
                ["kind"] = request.Task.Kind.ToName(),
                ["options"] = JsonSerializer.SerializeToNode(request.Task.Options, OptionsJson),
            },
            ["hyperparameters"] = hyperparameters,
            ["network"] = new JsonObject
            {
                ["input_features"] = shape.InputFeatures,
                ["input_timesteps"] = model.TrainedData?.Timesteps,
                ["output_steps"] = model.TrainedData is { LabelSteps: > 1 } d ? d.LabelSteps : null,
                ["layers"] = shape.Layers,
                ["units"] = shape.Units,
                ["bidirectional"] = shape.MergeMode != MergeMode.None,
                ["merge_mode"] = shape.MergeMode.ToName(),
                ["dense_units"] = shape.DenseUnits,
                ["outputs"] = shape.Outputs,
                ["classes"] = model.Classes,
                ["head"] = perStep ? "per_timestep" : "last_step",
                ["activation"] = binary ? "sigmoid" : "softmax",
                ["loss"] = binary ? "binary_crossentropy" : "categorical_crossentropy",
            },
            ["parameters"] = new JsonArray(parameters.Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p.Name,
                ["shape"] = new JsonArray(p.Shape.Select(d => (JsonNode)d).ToArray()),
            }).ToArray()),
            ["load"] = new JsonArray(LoadNotes(shape, perStep, binary).Select(line => (JsonNode)line).ToArray()),
        };
    }

    /// <summary>How to rebuild the network from the weights in PyTorch (the names are PyTorch's nn.LSTM's).</summary>
    private static IEnumerable<string> LoadNotes(NetworkShape shape, bool perStep, bool binary)
    {
        yield return "weights.safetensors: float32 tensors by name; Python: from safetensors.torch import load_file; w = load_file('weights.safetensors')";
        yield return "layers.{i}.lstm.*: torch.nn.LSTM(input_size, units, batch_first=True" +
                     (shape.MergeMode == MergeMode.None ? ")" : ", bidirectional=True)") +
                     " per layer, loaded with lstm.load_state_dict({k.split('lstm.')[1]: v for k, v in w.items() if k.startswith(f'layers.{i}.lstm.')})";
        yield return "gates in PyTorch order (input, forget, cell, output) with two bias vectors (bias_ih + bias_hh); Keras orders i, f, c, o too, with one bias: b = bias_ih + bias_hh";
        if (shape.MergeMode != MergeMode.None)
            yield return $"each bidirectional layer merges the forward and backward outputs by {shape.MergeMode.ToName()} before the next layer";
        yield return perStep
            ? "the head reads every step of the last layer's output (Keras return_sequences=True + TimeDistributed(Dense))"
            : "the head reads the last step: the forward direction's final state" +
              (shape.MergeMode == MergeMode.None ? "" : " merged with the backward direction's state after the whole reversed pass (Keras Bidirectional, return_sequences=False)");
        if (shape.DenseUnits > 0) yield return "hidden.weight, hidden.bias: Dense(dense_units, relu) after the LSTM stack";
        yield return $"head.weight, head.bias: Dense(outputs) giving logits; apply {(binary ? "sigmoid (probability of class 1)" : "softmax over the classes")}";
    }
}
