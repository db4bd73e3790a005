using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Spec;

/// <summary>
/// What the reader of a spec is allowed to accept: the caps, and where data files may come from. These come from the
/// node's settings or from `lstmsweep run`'s flags, never from the spec itself, so a submitted spec cannot raise them.
/// </summary>
public sealed record SpecReadOptions
{
    /// <summary>The defaults of `run` and `validate`: default caps, data files from the spec's own folder.</summary>
    public static readonly SpecReadOptions Default = new();

    public SpecLimits Limits { get; init; } = SpecLimits.Default;

    /// <summary>
    /// The folders (after resolving symlinks and <c>..</c>) whose files the array task may read. Null: the spec file's
    /// own folder (the current folder for a spec without a file). Empty: none, so no array task is accepted.
    /// </summary>
    public IReadOnlyList<string>? DataFolders { get; init; }

    /// <summary>
    /// Whether a relative data path may resolve against the spec file's folder (or the current one). False for specs
    /// that arrive without a file (the HTTP API): their paths must be absolute, as the nodes see them.
    /// </summary>
    public bool RelativeDataPaths { get; init; } = true;

    /// <summary>
    /// Whether a data file's problems may quote what is in it ("line 3: 'abc' is not a number"). False for the HTTP
    /// API, whose caller is not the node's operator: its errors say where, never what.
    /// </summary>
    public bool QuoteDataInErrors { get; init; } = true;

    /// <summary>
    /// What the HTTP API reads a submitted spec with: the node's caps and data folders (none unless the operator names
    /// some), absolute data paths only, and no data quoted back.
    /// </summary>
    public static SpecReadOptions ForSubmission(SpecLimits limits, IReadOnlyList<string> dataFolders) => new()
    {
        Limits = limits, DataFolders = dataFolders, RelativeDataPaths = false, QuoteDataInErrors = false,
    };
}
