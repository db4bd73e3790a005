using System.Globalization;

namespace LstmSweep.Core.Data;

/// <summary>
/// CSV: one sample per row, the integer label in the last column, the values before it. A first row that is not all
/// numbers is a header and skipped. Blank lines are ignored. Errors name the 1-based line of the file.
/// </summary>
internal static class CsvArrayReader
{
    /// <param name="unlabelledWidth">
    /// When reading inputs to predict on: rows of exactly this many values have no label column.
    /// </param>
    public static ArrayDataset Read(string path, string text, int? features, int? unlabelledWidth = null)
    {
        var rows = DataRows(text).ToList();
        if (rows.Count > 0 && !rows[0].Cells.All(IsNumber))
            rows.RemoveAt(0);
        if (rows.Count == 0)
            throw new ArrayDataException($"{path}: no data rows; expected one sample per row with the integer label in the last column");

        var first = rows[0];
        var labelled = first.Cells.Length != unlabelledWidth;
        if (labelled && first.Cells.Length < 2)
            throw new ArrayDataException(
                $"{path}: line {first.Line} has 1 column; each row needs at least one value and the integer label in the last column");
        var valuesPerRow = labelled ? first.Cells.Length - 1 : first.Cells.Length;
        var (timesteps, featuresPerStep) = Split(path, valuesPerRow, features);

        var values = new float[rows.Count * valuesPerRow];
        var labels = new int[labelled ? rows.Count : 0];
        for (var r = 0; r < rows.Count; r++)
        {
            var (line, cells) = rows[r];
            if (cells.Length != first.Cells.Length)
                throw new ArrayDataException(
                    $"{path}: line {line} has {cells.Length} columns but line {first.Line} has {first.Cells.Length}: " +
                    "every sample needs the same number of timesteps");
            for (var c = 0; c < valuesPerRow; c++)
                values[r * valuesPerRow + c] = ParseValue(path, line, c, cells[c]);
            if (labelled) labels[r] = ParseLabel(path, line, cells[^1]);
        }
        return ArrayDataset.Create(path, values, rows.Count, timesteps, featuresPerStep, labels);
    }

    static (int Timesteps, int Features) Split(string path, int valuesPerRow, int? features)
    {
        if (features is not { } f) return (valuesPerRow, 1);
        if (valuesPerRow % f != 0)
            throw new ArrayDataException(
                $"{path}: {valuesPerRow} values per row do not split into timesteps of {f} features; " +
                $"use a features value that divides {valuesPerRow}") { InvolvesFeatures = true };
        return (valuesPerRow / f, f);
    }

    static IEnumerable<(int Line, string[] Cells)> DataRows(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
            if (!string.IsNullOrWhiteSpace(lines[i]))
                yield return (i + 1, lines[i].Split(',').Select(cell => cell.Trim()).ToArray());
    }

    static bool IsNumber(string cell) => double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    static float ParseValue(string path, int line, int column, string cell)
    {
        if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite((float)value))
            throw new ArrayDataException($"{path}: line {line}, column {column + 1}: '{cell}' is not a finite number");
        return (float)value;
    }

    static int ParseLabel(string path, int line, string cell)
    {
        if (!int.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out var label))
            throw new ArrayDataException(
                $"{path}: line {line}: label '{cell}' in the last column is not a non-negative integer class index");
        return label;
    }
}
