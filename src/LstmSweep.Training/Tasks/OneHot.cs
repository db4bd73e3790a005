namespace LstmSweep.Training.Tasks;

internal static class OneHot
{
    /// <summary>Writes the one-hot vector of <paramref name="symbol"/> into <paramref name="step"/> (already zero).</summary>
    public static void Write(Span<float> step, int symbol) => step[symbol] = 1f;
}
