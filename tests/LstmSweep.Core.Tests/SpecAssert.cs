using LstmSweep.Core.Spec;

namespace LstmSweep.Core.Tests;

static class SpecAssert
{
    /// <summary>The spec is rejected with exactly one problem, at <paramref name="path"/>, saying <paramref name="messageFragment"/>.</summary>
    public static void RejectedWithOneError(string spec, string path, string messageFragment)
    {
        var result = SpecParser.Parse(spec);

        Assert.Null(result.Spec);
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(messageFragment, error.Message);
    }
}
