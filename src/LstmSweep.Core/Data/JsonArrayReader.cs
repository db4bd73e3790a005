using System.Text.Json;

namespace LstmSweep.Core.Data;

/// <summary>
/// JSON: <c>{"x": samples, "y": labels}</c> where x is 1D (n), 2D (n, timesteps) or 3D (n, timesteps, features) and y
/// holds one non-negative integer label per sample. The first sample fixes the shape; every other must match it.
/// </summary>
internal static class JsonArrayReader
{
    const string Layout = "the file must be {\"x\": [samples...], \"y\": [labels...]}";
    static readonly string[] Dimensions = ["timesteps", "features"];

    /// <param name="labelsRequired">False when reading inputs to predict on: "y" may be left out.</param>
    public static ArrayDataset Read(string path, string text, int? features, bool labelsRequired = true)
    {
        if (features is not null)
            throw new ArrayDataException(
                $"{path}: features applies to CSV files only; in JSON give x as a 3D array (samples, timesteps, features)")
            { InvolvesFeatures = true };

        using var document = Parse(path, text);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new ArrayDataException($"{path}: the top level is {Describe(root)}; {Layout}");
        foreach (var property in root.EnumerateObject())
            if (property.Name is not ("x" or "y"))
                throw new ArrayDataException($"{path}: unexpected key \"{property.Name}\"; {Layout}");
        var x = Required(path, root, "x");
        var y = labelsRequired || root.TryGetProperty("y", out _) ? Required(path, root, "y") : (JsonElement?)null;

        var shape = ShapeOfFirstSample(path, x);
        var values = new List<float>();
        var samples = x.GetArrayLength();
        for (var i = 0; i < samples; i++)
            Flatten(path, x[i], $"x[{i}]", $"x[0]", shape, 0, values);
        if (samples == 0 && !labelsRequired)
            throw new ArrayDataException($"{path}: \"x\" is empty; give at least one sample");
        var (labels, labelSteps) = y is { } given ? Labels(path, given, samples) : ([], 1);
        var timesteps = shape.Length > 0 ? shape[0] : 1;
        var featuresPerStep = shape.Length > 1 ? shape[1] : 1;
        return ArrayDataset.Create(path, values.ToArray(), samples, timesteps, featuresPerStep, labels, labelSteps);
    }

    static JsonDocument Parse(string path, string text)
    {
        try
        {
            return JsonDocument.Parse(text, new JsonDocumentOptions
            {
                AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip,
            });
        }
        catch (JsonException e)
        {
            throw new ArrayDataException(
                $"{path}: invalid JSON at line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}: {e.Message}");
        }
    }

    static JsonElement Required(string path, JsonElement root, string key)
    {
        if (!root.TryGetProperty(key, out var value))
            throw new ArrayDataException($"{path}: no \"{key}\" key; {Layout}");
        if (value.ValueKind != JsonValueKind.Array)
            throw new ArrayDataException($"{path}: \"{key}\" is {Describe(value)}; {Layout}");
        return value;
    }

    /// <summary>The lengths below the sample level, read down x[0], x[0][0]: [] for 1D, [t] for 2D, [t, f] for 3D.</summary>
    static int[] ShapeOfFirstSample(string path, JsonElement x)
    {
        var shape = new List<int>();
        if (x.GetArrayLength() == 0) return [];
        var element = x[0];
        var where = "x[0]";
        while (element.ValueKind == JsonValueKind.Array)
        {
            if (shape.Count == Dimensions.Length)
                throw new ArrayDataException(
                    $"{path}: {where} is an array, so x has more than 3 dimensions; x may be 1D (samples), " +
                    "2D (samples, timesteps) or 3D (samples, timesteps, features)");
            if (element.GetArrayLength() == 0)
                throw new ArrayDataException($"{path}: {where} is empty; every sample needs at least one value");
            shape.Add(element.GetArrayLength());
            element = element[0];
            where += "[0]";
        }
        return shape.ToArray();
    }

    /// <summary>Appends one sample's numbers row-major, checking it has exactly the shape of x[0].</summary>
    static void Flatten(string path, JsonElement element, string where, string firstWhere, int[] shape, int level, List<float> into)
    {
        if (level == shape.Length)
        {
            if (element.ValueKind == JsonValueKind.Array)
                throw new ArrayDataException(
                    $"{path}: {where} is an array but {firstWhere} is a number: every sample needs the same shape");
            into.Add(Number(path, element, where));
            return;
        }
        if (element.ValueKind != JsonValueKind.Array)
            throw new ArrayDataException(
                $"{path}: {where} is {Describe(element)} but {firstWhere} is an array: every sample needs the same shape");
        var length = element.GetArrayLength();
        if (length != shape[level])
        {
            var dimension = Dimensions[level];
            var owner = level == 0 ? "sample" : "timestep";
            throw new ArrayDataException(
                $"{path}: {where} has {length} {dimension} but {firstWhere} has {shape[level]}: " +
                $"every {owner} needs the same number of {dimension}");
        }
        for (var i = 0; i < length; i++)
            Flatten(path, element[i], $"{where}[{i}]", $"{firstWhere}[0]", shape, level + 1, into);
    }

    static float Number(string path, JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Number)
            throw new ArrayDataException($"{path}: {where} is {Describe(element)}; expected a number");
        var value = (float)element.GetDouble();
        if (!float.IsFinite(value))
            throw new ArrayDataException($"{path}: {where} is {element.GetRawText()}, too large for a 32-bit float");
        return value;
    }

    /// <summary>
    /// y as one class id per sample (n), one class id per output step (n, t_out), or one-hot per output step
    /// (n, t_out, k); y[0] fixes the form and every other sample must match it.
    /// </summary>
    static (int[] Labels, int LabelSteps) Labels(string path, JsonElement y, int samples)
    {
        var count = y.GetArrayLength();
        if (count != samples)
            throw new ArrayDataException($"{path}: x has {samples} samples but y has {count} labels: give one label per sample");
        if (count == 0 || y[0].ValueKind != JsonValueKind.Array)
            return (Enumerable.Range(0, count).Select(i => ClassId(path, y[i], $"y[{i}]")).ToArray(), 1);

        var steps = y[0].GetArrayLength();
        if (steps == 0)
            throw new ArrayDataException($"{path}: y[0] is empty; give at least one label per output step");
        var oneHot = y[0][0].ValueKind == JsonValueKind.Array;
        var classes = oneHot ? y[0][0].GetArrayLength() : 0;
        var labels = new int[count * steps];
        for (var i = 0; i < count; i++)
        {
            if (y[i].ValueKind != JsonValueKind.Array || y[i].GetArrayLength() != steps)
                throw new ArrayDataException(
                    $"{path}: y[{i}] is {Describe(y[i])} with {(y[i].ValueKind == JsonValueKind.Array ? y[i].GetArrayLength() : 0)} steps " +
                    $"but y[0] has {steps} output steps: every sample needs the same label shape");
            for (var t = 0; t < steps; t++)
                labels[i * steps + t] = oneHot
                    ? OneHotClass(path, y[i][t], $"y[{i}][{t}]", classes)
                    : ClassId(path, y[i][t], $"y[{i}][{t}]");
        }
        return (labels, steps);
    }

    static int ClassId(string path, JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var label) || label < 0)
            throw new ArrayDataException(
                $"{path}: {where} is {Describe(element)}; labels must be non-negative integer class indices " +
                "(or, per output step, arrays of them or one-hot arrays)");
        return label;
    }

    static int OneHotClass(string path, JsonElement element, string where, int classes)
    {
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != classes)
            throw new ArrayDataException(
                $"{path}: {where} is {Describe(element)} but y[0][0] is a one-hot array of {classes} classes: every step needs the same label shape");
        var hot = -1;
        for (var c = 0; c < classes; c++)
        {
            var v = element[c];
            if (v.ValueKind != JsonValueKind.Number || !(v.GetDouble() is 0 or 1))
                throw new ArrayDataException($"{path}: {where}[{c}] is {Describe(v)}; a one-hot label holds only 0 and 1");
            if (v.GetDouble() == 1)
            {
                if (hot >= 0)
                    throw new ArrayDataException($"{path}: {where} has more than one 1; a one-hot label has exactly one");
                hot = c;
            }
        }
        if (hot < 0)
            throw new ArrayDataException($"{path}: {where} has no 1; a one-hot label has exactly one");
        return hot;
    }

    static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"a string ({element.GetRawText()})",
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => $"a boolean ({element.GetRawText()})",
        _ => "null",
    };
}
