using System.Text.RegularExpressions;
using TorchSharp;

namespace LstmSweep.Training;

/// <summary>Process-wide torch settings and device selection.</summary>
public static partial class TorchRuntime
{
    /// <summary>
    /// Sets torch's intra-op thread count. The setting is process-wide (one libtorch thread pool shared by every
    /// trial), not per trial: call it once at process start, before any trial trains, with the threads each
    /// concurrent trial may use. Results of a trial are reproducible for a given thread count.
    /// </summary>
    public static void ConfigureThreads(int threadsPerTrial)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadsPerTrial, 1);
        torch.set_num_threads(threadsPerTrial);
    }

    /// <summary>The device to train on for "cpu", "cuda" or "cuda:i"; cpu when CUDA cannot serve the request.</summary>
    public static string ResolveDevice(string requested) => ResolveDevice(requested, out _);

    /// <summary>
    /// The device to train on for "cpu", "cuda" or "cuda:i". Falls back to "cpu", saying why in
    /// <paramref name="fallbackReason"/>, when CUDA is not available (as with the TorchSharp-cpu package this project
    /// references) or the GPU index does not exist. The CUDA path needs only the TorchSharp-cuda package instead of
    /// TorchSharp-cpu; no code change. Note that results on CUDA are not bit-reproducible.
    /// </summary>
    /// <exception cref="ArgumentException">The name is none of the accepted forms.</exception>
    public static string ResolveDevice(string requested, out string? fallbackReason)
    {
        fallbackReason = null;
        var name = requested.Trim().ToLowerInvariant();
        if (name == "cpu") return "cpu";

        var match = CudaDeviceName().Match(name);
        if (!match.Success)
            throw new ArgumentException($"unknown device '{requested}': use cpu, cuda or cuda:<index>");

        if (!torch.cuda.is_available())
        {
            fallbackReason = $"device '{requested}' requested but CUDA is not available in this build (TorchSharp-cpu or no GPU); training on cpu";
            return "cpu";
        }
        var index = match.Groups["index"].Success ? int.Parse(match.Groups["index"].Value) : 0;
        var count = torch.cuda.device_count();
        if (index >= count)
        {
            fallbackReason = $"device '{requested}' requested but only {count} CUDA device(s) exist; training on cpu";
            return "cpu";
        }
        return $"cuda:{index}";
    }

    [GeneratedRegex(@"^cuda(:(?<index>\d+))?$")]
    private static partial Regex CudaDeviceName();
}
