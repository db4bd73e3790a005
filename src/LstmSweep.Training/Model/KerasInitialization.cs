using LstmSweep.Training.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LstmSweep.Training.Model;

/// <summary>
/// Keras's default initialisers on a network built by TorchSharp (init: keras): LSTM kernels glorot-uniform,
/// recurrent kernels orthogonal, bias zero with the forget gate's bias 1 (unit_forget_bias=True), dense kernels
/// glorot-uniform with zero bias.
/// </summary>
/// <remarks>
/// <para>TorchSharp's LSTM keeps a kernel per direction as weight_ih (4u, inputs) = Keras's kernel (inputs, 4u)
/// transposed, and the gates in the same order (input, forget, cell, output), so glorot's fan-in and fan-out and the
/// forget-gate slice [u, 2u) carry over. The orthogonal recurrent kernel: Keras's (u, 4u) matrix has orthonormal
/// rows, so its transpose, weight_hh (4u, u), has orthonormal columns, which is what torch's orthogonal_ draws.</para>
/// <para>Where it differs: the LSTM has two bias vectors, bias_ih and bias_hh, whose sum is Keras's one bias. bias_ih
/// takes Keras's bias and bias_hh is zero and frozen (no gradient), so the trainable parameters count as in Keras
/// (echo-second's layer: 3,100, not 3,200). The random numbers are torch's, not TensorFlow's: the same distributions,
/// not the same draws.</para>
/// <para>Runs inside <see cref="SeededModelFactory"/>'s lock, right after construction, so it draws from the seeded
/// global generator like the constructors do.</para>
/// </remarks>
internal static class KerasInitialization
{
    public static void Apply(LstmNetwork network)
    {
        using var noGrad = no_grad();
        foreach (var layer in network.Layers)
        {
            var units = layer.Units;
            foreach (var (name, parameter) in layer.Lstm.named_parameters())
            {
                if (name.StartsWith("weight_ih", StringComparison.Ordinal)) nn.init.xavier_uniform_(parameter);
                else if (name.StartsWith("weight_hh", StringComparison.Ordinal)) nn.init.orthogonal_(parameter);
                else if (name.StartsWith("bias_ih", StringComparison.Ordinal))
                {
                    parameter.zero_();
                    parameter.narrow(0, units, units).fill_(TorchScalars.One);
                }
                else if (name.StartsWith("bias_hh", StringComparison.Ordinal))
                {
                    parameter.zero_();
                    parameter.requires_grad = false;
                }
            }
        }
        foreach (var dense in network.DenseLayers)
        {
            nn.init.xavier_uniform_(dense.weight!);
            dense.bias!.zero_();
        }
    }
}
