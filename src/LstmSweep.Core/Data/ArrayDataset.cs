namespace LstmSweep.Core.Data;

/// <summary>
/// A user's own data for the `array` task, already reshaped to (samples, timesteps, features) by the rules of the
/// reshaping tutorial: 1D (n) → (n, 1, 1); 2D (n, t) → (n, t, 1) (or (n, t / features, features) when `features` is
/// given); 3D as given. Values are row-major. Labels are class indices in [0, Classes).
/// </summary>
public sealed record ArrayDataset(float[] Values, int Samples, int Timesteps, int Features, int[] Labels, int Classes)
{
    /// <summary>Loads and reshapes a CSV or JSON file; throws <see cref="ArrayDataException"/> naming the problem and the fix.</summary>
    public static ArrayDataset Load(string path, int? features = null) => throw new NotImplementedException();
}

public sealed class ArrayDataException(string message) : Exception(message);
