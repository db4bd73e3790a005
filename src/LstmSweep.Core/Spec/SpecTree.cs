using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Spec;

/// <summary>
/// A spec document as plain nodes. The validator needs two things YamlDotNet's representation model hides: every
/// duplicate key (it rejects the first one with an exception) and whether a scalar was quoted (so "10" is a string).
/// </summary>
internal abstract record SpecNode(int Line);

internal sealed record SpecScalar(string Value, bool IsPlain, int Line) : SpecNode(Line)
{
    /// <summary>YAML's null: an empty value, ~ or null, unquoted.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";
}

internal sealed record SpecList(IReadOnlyList<SpecNode> Items, int Line) : SpecNode(Line);

/// <summary>A mapping with its entries in document order, duplicates kept.</summary>
internal sealed record SpecMap(IReadOnlyList<(SpecScalar Key, SpecNode Value)> Entries, int Line) : SpecNode(Line);

/// <summary>
/// Builds a <see cref="SpecNode"/> tree from YAML text (JSON being, for a spec's purposes, YAML), never deeper than
/// <see cref="SpecLimits.MaxNestingDepth"/>: a body of nested brackets must cost neither the stack nor the cores.
/// </summary>
internal static class SpecTreeReader
{
    /// <summary>The document's root (null for an empty text), or the first syntax error with its line and column.</summary>
    public static bool TryRead(string text, int maxDepth, out SpecNode? root, out string? error)
    {
        var format = text.TrimStart().StartsWith('{') ? "JSON" : "YAML";
        // YamlDotNet's scanner spends time quadratic in the depth of open brackets before it reports anything, so an
        // obviously too deep text is refused before it parses a byte. The depth-limited reader below is the real guard:
        // this count can be fooled (brackets in quotes), but then the reader stops at the limit, a few events in.
        if (FlowDepth(text, maxDepth) is { } tooDeepLine)
        {
            root = null;
            error = TooDeep(maxDepth, tooDeepLine);
            return false;
        }
        var parser = new PositionTrackingParser(new Parser(new StringReader(text)));
        try
        {
            root = ReadStream(parser, maxDepth);
            error = null;
            return true;
        }
        catch (YamlException e)
        {
            root = null;
            error = $"invalid {format} at line {e.Start.Line}, column {e.Start.Column}: {Describe(e)}";
            return false;
        }
        catch (TooDeepException e)
        {
            root = null;
            error = TooDeep(maxDepth, e.Line);
            return false;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, without a position, on some unclosed flow collections.
            root = null;
            var (line, column) = (parser.LastEnd.Line, parser.LastEnd.Column);
            error = $"invalid {format} after line {line}, column {column}: cannot read what follows; is a bracket or quote left open?";
            return false;
        }
    }

    static string TooDeep(int maxDepth, long line) =>
        $"the spec nests lists and mappings more than {maxDepth} levels deep (line {line}); a sweep spec needs about 4";

    /// <summary>The line where unquoted-looking brackets first open deeper than <paramref name="maxDepth"/>, or null.</summary>
    static long? FlowDepth(string text, int maxDepth)
    {
        int depth = 0;
        long line = 1;
        foreach (var c in text)
        {
            switch (c)
            {
                case '\n': line++; break;
                case '[' or '{' when ++depth > maxDepth: return line;
                case ']' or '}' when depth > 0: depth--; break;
            }
        }
        return null;
    }

    sealed class TooDeepException(long line) : Exception
    {
        public long Line { get; } = line;
    }

    static SpecNode? ReadStream(IParser parser, int maxDepth)
    {
        parser.Consume<StreamStart>();
        if (parser.TryConsume<StreamEnd>(out _)) return null;
        parser.Consume<DocumentStart>();
        var root = ReadNode(parser, new Dictionary<string, SpecNode>(), 1, maxDepth);
        parser.Consume<DocumentEnd>();
        if (parser.Accept<DocumentStart>(out var second))
            throw new YamlException(second.Start, second.End, "a spec is a single document, but a second one starts here");
        parser.Consume<StreamEnd>();
        return root;
    }

    /// <param name="depth">This node's depth (the root is 1); a list or mapping deeper than maxDepth stops the read.</param>
    static SpecNode ReadNode(IParser parser, Dictionary<string, SpecNode> anchors, int depth, int maxDepth)
    {
        var start = parser.Current ?? throw new YamlException("unexpected end of the document");
        var line = (int)start.Start.Line;
        if (start is SequenceStart or MappingStart && depth > maxDepth) throw new TooDeepException(line);
        SpecNode node;
        switch (start)
        {
            case AnchorAlias alias:
                parser.MoveNext();
                return anchors.TryGetValue(alias.Value.Value, out var target)
                    ? target
                    : throw new YamlException(alias.Start, alias.End, $"unknown alias *{alias.Value}");
            case Scalar scalar:
                parser.MoveNext();
                node = new SpecScalar(scalar.Value, scalar.Style == ScalarStyle.Plain, line);
                break;
            case SequenceStart:
                parser.MoveNext();
                var items = new List<SpecNode>();
                while (!parser.TryConsume<SequenceEnd>(out _))
                    items.Add(ReadNode(parser, anchors, depth + 1, maxDepth));
                node = new SpecList(items, line);
                break;
            case MappingStart:
                parser.MoveNext();
                var entries = new List<(SpecScalar, SpecNode)>();
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var keyEvent = parser.Current!;
                    if (ReadNode(parser, anchors, depth + 1, maxDepth) is not SpecScalar key)
                        throw new YamlException(keyEvent.Start, keyEvent.End, "a key must be a plain name, not a list or mapping");
                    entries.Add((key, ReadNode(parser, anchors, depth + 1, maxDepth)));
                }
                node = new SpecMap(entries, line);
                break;
            default:
                throw new YamlException(start.Start, start.End, $"unexpected {start.GetType().Name}");
        }
        if (start is NodeEvent { Anchor.IsEmpty: false } anchored)
            anchors[anchored.Anchor.Value] = node;
        return node;
    }

    /// <summary>Remembers where the last event read ended, to place errors that YamlDotNet reports without a position.</summary>
    sealed class PositionTrackingParser(IParser inner) : IParser
    {
        public Mark LastEnd { get; private set; } = Mark.Empty;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            var moved = inner.MoveNext();
            if (inner.Current is { } current) LastEnd = current.End;
            return moved;
        }
    }

    /// <summary>YamlDotNet prefixes its messages with both marks; the caller reports the start mark its own way.</summary>
    static string Describe(YamlException e)
    {
        var message = e.Message;
        var prefixEnd = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && prefixEnd >= 0 ? message[(prefixEnd + 3)..] : message;
    }
}
