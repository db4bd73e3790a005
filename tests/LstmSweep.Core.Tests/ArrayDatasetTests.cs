using LstmSweep.Tests.Shared;
using LstmSweep.Core.Data;

namespace LstmSweep.Core.Tests;

public sealed class ArrayDatasetTests : IDisposable
{
    readonly TempFolder dir = new();

    public void Dispose() => dir.Dispose();

    ArrayDataset Load(string name, string text, int? features = null) => ArrayDataset.Load(dir.Write(name, text), features);

    ArrayDataException Fails(string name, string text, int? features = null)
    {
        var path = dir.Write(name, text);
        var error = Assert.Throws<ArrayDataException>(() => ArrayDataset.Load(path, features));
        Assert.StartsWith(path + ": ", error.Message);
        return error;
    }

    [Fact]
    public void InputsToPredictOnMayLeaveOutTheLabels()
    {
        var json = ArrayDataset.LoadInputs(dir.Write("p.json", """{"x": [[[1, 2]], [[3, 4]], [[5, 6]]]}"""), 2, null);
        Assert.Equal((3, 1, 2, false), (json.Samples, json.Timesteps, json.Features, json.HasLabels));
        Assert.Equal([0, 0, 0], json.Labels);

        // A row as wide as the trained samples has no label column; one value more ends with the label.
        var bare = ArrayDataset.LoadInputs(dir.Write("p.csv", "1,2,3,4\n5,6,7,8\n"), 2, unlabelledWidth: 4);
        Assert.Equal((2, 2, 2, false), (bare.Samples, bare.Timesteps, bare.Features, bare.HasLabels));
        var labelled = ArrayDataset.LoadInputs(dir.Write("l.csv", "1,2,3,4,1\n5,6,7,8,0\n"), 2, unlabelledWidth: 4);
        Assert.Equal((2, true), (labelled.Timesteps, labelled.HasLabels));
        Assert.Equal([1, 0], labelled.Labels);

        var training = Assert.Throws<ArrayDataException>(() => ArrayDataset.Load(dir.Write("t.json", """{"x": [1, 2]}""")));
        Assert.Contains("no \"y\" key", training.Message);
    }

    [Fact]
    public void Json1dBecomesOneTimestepOfOneFeature()
    {
        var data = Load("d.json", """{"x": [0.5, 1.5, 2.5], "y": [0, 1, 0]}""");

        Assert.Equal((3, 1, 1), (data.Samples, data.Timesteps, data.Features));
        Assert.Equal([0.5f, 1.5f, 2.5f], data.Values);
        Assert.Equal([0, 1, 0], data.Labels);
        Assert.Equal(2, data.Classes);
    }

    [Fact]
    public void Json2dBecomesTimestepsOfOneFeature()
    {
        var data = Load("d.json", """{"x": [[1, 2, 3], [4, 5, 6]], "y": [2, 0]}""");

        Assert.Equal((2, 3, 1), (data.Samples, data.Timesteps, data.Features));
        Assert.Equal([1f, 2, 3, 4, 5, 6], data.Values);
        Assert.Equal(3, data.Classes);
    }

    [Fact]
    public void Json3dKeepsItsShapeRowMajor()
    {
        var data = Load("d.json", """{"x": [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]], "y": [1, 0]}""");

        Assert.Equal((2, 3, 2), (data.Samples, data.Timesteps, data.Features));
        Assert.Equal(Enumerable.Range(1, 12).Select(v => (float)v), data.Values);
    }

    [Fact]
    public void CsvWithOneValueColumnIs1d()
    {
        var data = Load("d.csv", "0.1,0\n0.2,1\n0.3,1\n");

        Assert.Equal((3, 1, 1), (data.Samples, data.Timesteps, data.Features));
        Assert.Equal([0.1f, 0.2f, 0.3f], data.Values);
        Assert.Equal([0, 1, 1], data.Labels);
    }

    [Fact]
    public void CsvSkipsAHeaderRowAndBlankLines()
    {
        var data = Load("d.csv", "t1,t2,t3,label\r\n1,2,3,0\r\n\r\n4,5,6,1\r\n");

        Assert.Equal((2, 3, 1), (data.Samples, data.Timesteps, data.Features));
        Assert.Equal([1f, 2, 3, 4, 5, 6], data.Values);
    }

    [Fact]
    public void CsvWithoutHeaderKeepsItsFirstRow()
    {
        var data = Load("d.csv", "1,2,3,0\n4,5,6,1\n");

        Assert.Equal(2, data.Samples);
        Assert.Equal(1f, data.Values[0]);
    }

    [Fact]
    public void CsvWithFeaturesSplitsEachRowIntoTimesteps()
    {
        var data = Load("d.csv", "1,2,3,4,5,6,0\n7,8,9,10,11,12,1\n", features: 2);

        Assert.Equal((2, 3, 2), (data.Samples, data.Timesteps, data.Features));
        Assert.Equal(Enumerable.Range(1, 12).Select(v => (float)v), data.Values);
    }

    [Fact]
    public void NumbersUseTheInvariantCulture()
    {
        var data = Load("d.csv", "1.5,-2e-1,0\n3,4,1\n");

        Assert.Equal([1.5f, -0.2f, 3, 4], data.Values);
    }

    [Fact]
    public void JsonClassIdsPerOutputStepMayOutnumberTheTimesteps()
    {
        var data = Load("d.json", """{"x": [[1, 2, 3], [4, 5, 6]], "y": [[0, 1, 2, 3], [3, 2, 1, 0]]}""");

        Assert.Equal((2, 3, 4), (data.Samples, data.Timesteps, data.LabelSteps));
        Assert.Equal([0, 1, 2, 3, 3, 2, 1, 0], data.Labels);
        Assert.Equal(4, data.Classes);
    }

    [Fact]
    public void JsonOneHotLabelsPerOutputStepBecomeClassIds()
    {
        var data = Load("d.json", """{"x": [[1, 2], [3, 4]], "y": [[[0, 1, 0], [0, 0, 1]], [[1, 0, 0], [0, 1, 0]]]}""");

        Assert.Equal(2, data.LabelSteps);
        Assert.Equal([1, 2, 0, 1], data.Labels);
        Assert.Equal(3, data.Classes);
    }

    [Theory]
    [InlineData("""{"x": [1, 2], "y": [[0, 1], [0]]}""", "y[1] is an array with 1 steps but y[0] has 2 output steps")]
    [InlineData("""{"x": [1, 2], "y": [[0, 1], 1]}""", "y[1] is 1 with 0 steps but y[0] has 2 output steps")]
    [InlineData("""{"x": [1, 2], "y": [[[0, 1]], [[1]]]}""", "y[1][0] is an array but y[0][0] is a one-hot array of 2 classes")]
    [InlineData("""{"x": [1, 2], "y": [[[0, 1]], [[1, 1]]]}""", "y[1][0] has more than one 1")]
    [InlineData("""{"x": [1, 2], "y": [[[0, 1]], [[0, 0]]]}""", "y[1][0] has no 1")]
    [InlineData("""{"x": [1, 2], "y": [[[0, 1]], [[0, 0.5]]]}""", "y[1][0][1] is 0.5; a one-hot label holds only 0 and 1")]
    [InlineData("""{"x": [1, 2], "y": [[0, 1], [0, -2]]}""", "y[1][1] is -2; labels must be non-negative")]
    [InlineData("""{"x": [1, 2], "y": [[], []]}""", "y[0] is empty")]
    public void Json_sequence_label_problems_are_named(string json, string fragment)
    {
        Assert.Contains(fragment, Fails("d.json", json).Message);
    }

    [Theory]
    [InlineData("""{"x": [[1, 2, 3], [1, 2, 3], [1, 2], [1, 2, 3]], "y": [0, 1, 0, 1]}""",
        "x[2] has 2 timesteps but x[0] has 3: every sample needs the same number of timesteps")]
    [InlineData("""{"x": [[[1, 2], [3, 4]], [[1, 2], [3]]], "y": [0, 1]}""",
        "x[1][1] has 1 features but x[0][0] has 2: every timestep needs the same number of features")]
    [InlineData("""{"x": [[1, 2], 3], "y": [0, 1]}""", "x[1] is 3 but x[0] is an array: every sample needs the same shape")]
    [InlineData("""{"x": [1, [2]], "y": [0, 1]}""", "x[1] is an array but x[0] is a number")]
    [InlineData("""{"x": [[1, "a"], [1, 2]], "y": [0, 1]}""", "x[0][1] is a string (\"a\"); expected a number")]
    [InlineData("""{"x": [[[[1]]], [[[2]]]], "y": [0, 1]}""", "x[0][0][0] is an array, so x has more than 3 dimensions")]
    [InlineData("""{"x": [[], []], "y": [0, 1]}""", "x[0] is empty")]
    [InlineData("""{"x": [1, 2, 3], "y": [0, 1]}""", "x has 3 samples but y has 2 labels: give one label per sample")]
    [InlineData("""{"x": [1, 2], "y": [0, 1.5]}""", "y[1] is 1.5; labels must be non-negative integer class indices")]
    [InlineData("""{"x": [1, 2], "y": [0, -1]}""", "y[1] is -1; labels must be non-negative")]
    [InlineData("""{"x": [1, 2]}""", "no \"y\" key")]
    [InlineData("""{"x": [1, 2], "y": [0, 1], "z": 1}""", "unexpected key \"z\"")]
    [InlineData("""{"x": 5, "y": [0]}""", "\"x\" is 5")]
    [InlineData("""[1, 2]""", "the top level is an array")]
    [InlineData("""{"x": [1, 2], "y": [0, 1]""", "invalid JSON at line 1")]
    [InlineData("""{"x": [1], "y": [0]}""", "has 1 sample; at least 2 are needed")]
    public void Json_problems_are_named(string json, string fragment)
    {
        Assert.Contains(fragment, Fails("d.json", json).Message);
    }

    [Theory]
    [InlineData("1,2,3,0\n1,2,3,1\n1,2,0\n", "line 3 has 3 columns but line 1 has 4: every sample needs the same number of timesteps")]
    [InlineData("a,b,label\n1,x,0\n1,2,1\n", "line 2, column 2: 'x' is not a finite number")]
    [InlineData("1,2,0\n1,2,one\n", "line 2: label 'one' in the last column is not a non-negative integer")]
    [InlineData("1,2,0\n1,2,-1\n", "line 2: label '-1'")]
    [InlineData("1,2,0.5\n1,2,1\n", "label '0.5'")]
    [InlineData("0\n1\n", "line 1 has 1 column; each row needs at least one value and the integer label")]
    [InlineData("value,label\n", "no data rows")]
    [InlineData("", "no data rows")]
    [InlineData("1,2,0\n", "has 1 sample; at least 2 are needed")]
    public void CsvProblemsAreNamed(string csv, string fragment)
    {
        Assert.Contains(fragment, Fails("d.csv", csv).Message);
    }

    [Fact]
    public void FeaturesThatDoNotDivideTheRowAreAFeaturesProblem()
    {
        var error = Fails("d.csv", "1,2,3,4,5,6,7,8,9,10,0\n1,2,3,4,5,6,7,8,9,10,1\n", features: 3);

        Assert.True(error.InvolvesFeatures);
        Assert.Contains("10 values per row do not split into timesteps of 3 features; use a features value that divides 10", error.Message);
    }

    [Fact]
    public void FeaturesWithJsonAreAFeaturesProblem()
    {
        var error = Fails("d.json", """{"x": [1, 2], "y": [0, 1]}""", features: 1);

        Assert.True(error.InvolvesFeatures);
        Assert.Contains("features applies to CSV files only", error.Message);
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        var path = Path.Combine(dir.Path, "absent.csv");

        var error = Assert.Throws<ArrayDataException>(() => ArrayDataset.Load(path));

        Assert.Equal($"{path}: file not found", error.Message);
        Assert.False(error.InvolvesFeatures);
    }

    [Fact]
    public void FilesWithoutAKnownExtensionAreSniffed()
    {
        Assert.Equal(2, Load("d.txt", """{"x": [1, 2], "y": [0, 1]}""").Samples);
        Assert.Equal(3, Load("d.dat", "1,0\n2,1\n3,0\n").Samples);
    }
}
