using LstmSweep.Core.Trials;
using LstmSweep.Training.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LstmSweep.Training.Tests;

/// <summary>
/// The network's logits for fixed weights against the LSTM equations evaluated by hand on plain arrays, for every
/// merge mode, both heads and sequences of different lengths in one padded batch. A last-step head must see Keras's
/// Bidirectional(return_sequences=False) output: the forward state after the last valid step merged with the backward
/// state after the whole reversed pass (not the backward output at the last step, which has read one element).
/// </summary>
public class KerasLastStepTests
{
    private const int Features = 3;
    private const int Units = 4;
    private const int Outputs = 3;
    private static readonly int[] Lengths = [5, 2, 4];

    [Theory]
    [InlineData(MergeMode.None, true)]
    [InlineData(MergeMode.Concat, true)]
    [InlineData(MergeMode.Sum, true)]
    [InlineData(MergeMode.Mul, true)]
    [InlineData(MergeMode.Ave, true)]
    [InlineData(MergeMode.None, false)]
    [InlineData(MergeMode.Concat, false)]
    [InlineData(MergeMode.Sum, false)]
    [InlineData(MergeMode.Mul, false)]
    [InlineData(MergeMode.Ave, false)]
    public void LogitsFollowTheLstmEquationsWithKerasMerging(MergeMode mode, bool lastStep)
    {
        var head = lastStep ? OutputHead.LastStep : OutputHead.PerTimestep;
        using var scope = NewDisposeScope();
        using var network = SeededModelFactory.Create(new NetworkShape(Features, Units, Layers: 1, mode, Outputs, head), seed: 9);
        var steps = Lengths.Max();
        var inputs = randn(Lengths.Length, steps, Features, generator: new Generator(21));
        inputs[1, 2..] = full(steps - 2, Features, 100f); // loud padding: any leak shows
        var scored = ScoredSteps.FlatIndices(head, Lengths, steps);

        using var noGrad = no_grad();
        var (logits, _) = network.Forward(inputs, tensor(Lengths.Select(l => (long)l).ToArray()), tensor(scored), null);
        var actual = logits.data<float>().ToArray();

        var p = network.named_parameters().ToDictionary(x => x.name, x => x.parameter.data<float>().ToArray());
        var x = inputs.data<float>().ToArray();
        var expected = new List<double>();
        for (var row = 0; row < Lengths.Length; row++)
        {
            var length = Lengths[row];
            var sequence = Enumerable.Range(0, length)
                .Select(t => x.AsSpan((row * steps + t) * Features, Features).ToArray().Select(v => (double)v).ToArray()).ToArray();
            var forward = LstmByHand(p, "", sequence);
            var backward = mode == MergeMode.None ? null : LstmByHand(p, "_reverse", sequence.Reverse().ToArray()).Reverse().ToArray();
            if (head == OutputHead.LastStep)
            {
                // Keras: forward's last output (after step L-1), backward's last output (after it read back to step 0).
                expected.AddRange(Dense(p, Merge(mode, forward[length - 1], backward?[0])));
            }
            else
            {
                for (var t = 0; t < length; t++) expected.AddRange(Dense(p, Merge(mode, forward[t], backward?[t])));
            }
        }

        Assert.Equal(expected.Count, actual.Length);
        for (var i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"logit {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void LastStepHeadOfABidirectionalLayerSeesTheWholeSequenceInBothDirections()
    {
        // Changing the first element changes the backward direction's final state, so a Keras last-step output
        // must move even when the forward half is held fixed by a mode that ignores it (checked through concat).
        using var scope = NewDisposeScope();
        using var network = SeededModelFactory.Create(new NetworkShape(Features, Units, 1, MergeMode.Concat, Outputs, OutputHead.LastStep), seed: 3);
        var a = randn(1, 6, Features, generator: new Generator(5));
        var b = a.clone();
        b[0, 0] = full(Features, 3f);
        using var noGrad = no_grad();
        var (la, fa) = network.Forward(a, tensor(new long[] { 6 }), tensor(new long[] { 5 }), null);
        var (lb, fb) = network.Forward(b, tensor(new long[] { 6 }), tensor(new long[] { 5 }), null);
        Assert.False(fa[0].Hidden[1].allclose(fb[0].Hidden[1]), "the backward state must have read the first element");
        Assert.False(la.allclose(lb));
    }

    private static double[] Merge(MergeMode mode, double[] forward, double[]? backward) => mode switch
    {
        MergeMode.None => forward,
        MergeMode.Concat => [.. forward, .. backward!],
        MergeMode.Sum => forward.Zip(backward!, (f, b) => f + b).ToArray(),
        MergeMode.Mul => forward.Zip(backward!, (f, b) => f * b).ToArray(),
        _ => forward.Zip(backward!, (f, b) => (f + b) / 2).ToArray(),
    };

    private static double[] Dense(Dictionary<string, float[]> p, double[] features)
    {
        var (weight, bias) = (p["head.weight"], p["head.bias"]);
        var output = new double[Outputs];
        for (var o = 0; o < Outputs; o++)
        {
            double sum = bias[o];
            for (var i = 0; i < features.Length; i++) sum += weight[o * features.Length + i] * features[i];
            output[o] = sum;
        }
        return output;
    }

    /// <summary>The LSTM equations (PyTorch gate order i, f, g, o) from zeros; the hidden state after each step.</summary>
    private static double[][] LstmByHand(Dictionary<string, float[]> p, string suffix, double[][] sequence)
    {
        var prefix = "layers.0.lstm.";
        var (wih, whh) = (p[prefix + "weight_ih_l0" + suffix], p[prefix + "weight_hh_l0" + suffix]);
        var (bih, bhh) = (p[prefix + "bias_ih_l0" + suffix], p[prefix + "bias_hh_l0" + suffix]);
        var (h, c) = (new double[Units], new double[Units]);
        var outputs = new List<double[]>();
        foreach (var input in sequence)
        {
            var gates = new double[4 * Units];
            for (var g = 0; g < 4 * Units; g++)
            {
                double sum = bih[g] + bhh[g];
                for (var i = 0; i < Features; i++) sum += wih[g * Features + i] * input[i];
                for (var j = 0; j < Units; j++) sum += whh[g * Units + j] * h[j];
                gates[g] = sum;
            }
            var next = new double[Units];
            for (var u = 0; u < Units; u++)
            {
                var (i, f, cand, o) = (Sigmoid(gates[u]), Sigmoid(gates[Units + u]), Math.Tanh(gates[2 * Units + u]), Sigmoid(gates[3 * Units + u]));
                c[u] = f * c[u] + i * cand;
                next[u] = o * Math.Tanh(c[u]);
            }
            h = next;
            outputs.Add(h);
        }
        return outputs.ToArray();
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
}
