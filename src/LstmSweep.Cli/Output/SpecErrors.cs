using LstmSweep.Core.Spec;

namespace LstmSweep.Cli.Output;

public static class SpecErrors
{
    /// <summary>Every problem of a rejected spec, one per line, prefixed with the file so editors can jump to it.</summary>
    public static void Print(string specPath, IReadOnlyList<SpecError> errors)
    {
        Terminal.Error($"{specPath}: {errors.Count} problem(s); nothing was run or written");
        foreach (var error in errors)
            Console.Error.WriteLine($"  {specPath}: {error}");
    }
}
