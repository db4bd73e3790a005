namespace LstmSweep.Core.Spec;

/// <summary>
/// One problem in a spec. <see cref="Path"/> locates it the way the spec is written (<c>space.learning_rate[1]</c>,
/// <c>task_options.timesteps</c>, <c>name</c>), or is empty for problems with the whole file (unreadable, invalid YAML).
/// </summary>
public sealed record SpecError(string Path, string Message)
{
    /// <summary><c>"{Path}: {Message}"</c>, or just the message when the problem has no path.</summary>
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}

/// <summary>The parsed spec, or every problem found in it: exactly one of the two is there.</summary>
public sealed record SpecParseResult(SweepSpec? Spec, IReadOnlyList<SpecError> Errors)
{
    public bool Succeeded => Spec is not null;
}
