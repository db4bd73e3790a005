namespace LstmSweep.Core.Data;

/// <summary>
/// A user's own data for the `array` task, already reshaped to (samples, timesteps, features) by the rules of the
/// reshaping tutorial: 1D (n) → (n, 1, 1); 2D (n, t) → (n, t, 1) (or (n, t / features, features) when `features` is
/// given); 3D as given. Values are row-major. Labels are class indices in [0, Classes), row-major
/// (Samples, LabelSteps): one per sample (LabelSteps 1) or one per output step (JSON y of shape (n, t_out) ids or
/// (n, t_out, k) one-hot), where t_out may differ from Timesteps.
/// </summary>
public sealed record ArrayDataset(float[] Values, int Samples, int Timesteps, int Features, int[] Labels, int Classes, int LabelSteps = 1)
{
    /// <summary>False for inputs read without labels (<see cref="LoadInputs"/>): Labels are then zeros, one per sample.</summary>
    public bool HasLabels { get; init; } = true;

    /// <summary>
    /// Inputs to predict on, in the same formats as <see cref="Load"/>, with the labels optional: JSON may leave out
    /// "y"; a CSV row of exactly <paramref name="unlabelledWidth"/> values has no label column (one more: the last
    /// column is the label, as in training files).
    /// </summary>
    /// <param name="featuresPerStep">Features per timestep the model reads: CSV rows are split by it; JSON x must match it.</param>
    /// <param name="unlabelledWidth">Values per sample without a label (timesteps × features of the trained data), if known.</param>
    public static ArrayDataset LoadInputs(string path, int featuresPerStep, int? unlabelledWidth)
    {
        var text = ReadText(path);
        return IsJson(path, text)
            ? JsonArrayReader.Read(path, text, features: null, labelsRequired: false)
            : CsvArrayReader.Read(path, text, featuresPerStep > 1 ? featuresPerStep : null, unlabelledWidth);
    }

    /// <summary>
    /// Loads and reshapes a CSV or JSON file; throws <see cref="ArrayDataException"/> naming the file, the problem and
    /// the fix. The format follows the extension (.json, .csv); any other file is JSON when it starts with '{'.
    /// </summary>
    /// <param name="path">The data file; error messages quote it as given.</param>
    /// <param name="features">CSV only: features per timestep, to split each row's k values into k / features timesteps.</param>
    public static ArrayDataset Load(string path, int? features = null)
    {
        if (features < 1)
            throw new ArrayDataException($"{path}: features must be at least 1, got {features}") { InvolvesFeatures = true };
        var text = ReadText(path);
        return IsJson(path, text) ? JsonArrayReader.Read(path, text, features) : CsvArrayReader.Read(path, text, features);
    }

    static string ReadText(string path)
    {
        if (!File.Exists(path))
            throw new ArrayDataException($"{path}: file not found");
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArrayDataException($"{path}: cannot read the file: {e.Message}");
        }
    }

    static bool IsJson(string path, string text) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".json" => true,
        ".csv" => false,
        _ => text.TrimStart().StartsWith('{'),
    };

    /// <summary>The checks both formats share, once the values and labels are read.</summary>
    internal static ArrayDataset Create(string path, float[] values, int samples, int timesteps, int features, int[] labels, int labelSteps = 1)
    {
        if (labels.Length == 0 && samples > 0)
            return new ArrayDataset(values, samples, timesteps, features, new int[samples], 2) { HasLabels = false };
        if (samples < 2)
            throw new ArrayDataException(
                $"{path}: has {samples} sample{(samples == 1 ? "" : "s")}; at least 2 are needed (some to train on, some to evaluate)");
        // One class would make every prediction trivially right; a binary task is the smallest that means anything.
        var classes = Math.Max(2, labels.Max() + 1);
        return new ArrayDataset(values, samples, timesteps, features, labels, classes, labelSteps);
    }
}

public sealed class ArrayDataException(string message) : Exception(message)
{
    /// <summary>True when the problem is the `features` value rather than the file (so a spec can point at that key).</summary>
    public bool InvolvesFeatures { get; init; }
}
