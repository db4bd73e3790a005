using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Spec;

/// <summary>What a numeric spec value must be, and how to say so in an error ("expected a positive integer").</summary>
internal sealed record NumberRule(string Expected, bool Integer, Func<double, bool> Accepts)
{
    public static readonly NumberRule AnyInteger = new("an integer", true, _ => true);
    public static readonly NumberRule PositiveInteger = AtLeast(1, "a positive integer");
    public static readonly NumberRule LearningRate = new("a number in (0, 10]", false, v => v is > 0 and <= 10);
    public static readonly NumberRule Fraction = new("a number between 0 and 1 (both excluded)", false, v => v is > 0 and < 1);

    public static NumberRule AtLeast(int min, string? expected = null) =>
        new(expected ?? $"an integer >= {min}", true, v => v >= min);

    public static NumberRule Between(int min, int max) =>
        new($"an integer from {min} to {max}", true, v => v >= min && v <= max);

    /// <summary>An integer from <paramref name="min"/> up to a cap of <see cref="SpecLimits"/>, named so the user knows which setting raises it.</summary>
    public static NumberRule Capped(int min, long max, string limitKey) =>
        new($"an integer from {min} to {max} (the limit {limitKey})", true, v => v >= min && v <= max);
}
