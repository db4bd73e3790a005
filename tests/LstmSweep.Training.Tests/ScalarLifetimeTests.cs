using LstmSweep.Training.Torch;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LstmSweep.Training.Tests;

/// <summary>
/// The hazard behind <see cref="Training.TorchScalars"/>: two threads add 1 a million times each while a third forces
/// collections and finalizers. A Scalar held across the call (as this project does) is never freed mid-call.
/// </summary>
[Collection(NonParallel.Name)]
public class ScalarLifetimeTests(ITestOutputHelper output)
{
    private const int Iterations = 1_000_000;

    [Fact]
    public void AScalarHeldAcrossTheCallSurvivesConstantCollection()
    {
        var (wrong, errors, collections) = Hammer(explicitScalar: true);
        output.WriteLine($"explicit: {wrong} wrong sums, {errors} errors, {collections} collections");
        Assert.Equal((0, 0), (wrong, errors));
    }

    /// <summary>
    /// Diagnostic, not a check of our code: TorchSharp 0.107's add_(Tensor) converts its alpha 1 implicitly. On the
    /// development host this failed 100 of 2,000,000 calls ("value cannot be converted to type float without
    /// overflow") and both sums came out wrong. Run it by hand after a TorchSharp upgrade to see whether it still does.
    /// </summary>
    [Fact(Skip = "diagnostic of TorchSharp's implicit Scalars; expected to fail on 0.107, run by hand")]
    public void ImplicitScalarsUnderConstantCollection()
    {
        var (wrong, errors, collections) = Hammer(explicitScalar: false);
        output.WriteLine($"implicit: {wrong} wrong sums, {errors} errors, {collections} collections");
        Assert.Equal((0, 0), (wrong, errors));
    }

    private static (int Wrong, int Errors, int Collections) Hammer(bool explicitScalar)
    {
        var stop = new ManualResetEventSlim();
        var collections = 0;
        var collector = new Thread(() =>
        {
            while (!stop.IsSet)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                collections++;
            }
        }) { IsBackground = true };
        collector.Start();
        var (wrong, errors) = (0, 0);
        var workers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            using var sum = zeros(1, dtype: ScalarType.Float64);
            using var one = ones(1, dtype: ScalarType.Float64);
            using var alpha = 1.0.ToScalar();
            for (var i = 0; i < Iterations; i++)
            {
                try
                {
                    if (explicitScalar) sum.add_(one, alpha);
                    else sum.add_(one); // TorchSharp converts alpha 1 implicitly (optimized code)
                }
                catch (Exception) { Interlocked.Increment(ref errors); }
            }
            if (sum.item<double>() != Iterations) Interlocked.Increment(ref wrong);
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        stop.Set();
        collector.Join();
        return (wrong, errors, collections);
    }
}
