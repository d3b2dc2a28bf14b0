using ScaleControl.Cli.Api;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ScaleControl.Cli.Formatting;

/// <summary>
/// What scalectl reads of a file, and how far its YAML may nest and expand. Building YAML into nodes recurses once per
/// level (a file of 100,000 '[' overflowed the stack: "Stack overflow" and exit 134), and aliases repeat the nodes they
/// name (a 400-byte "billion laughs" ran without end). The check streams the parser's events, which does not recurse.
/// </summary>
internal static class YamlLimits
{
    /// <summary>The server's body limit: a file that could never be sent is refused before it is read whole.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>As deep as the JSON sent to the server may be (System.Text.Json's default).</summary>
    public const int MaxDepth = 64;

    /// <summary>Nodes that aliases may add to those written out.</summary>
    public const long MaxAliasedNodes = 100_000;

    /// <summary>Reads a file, or stdin for <c>-</c>, up to <see cref="MaxFileBytes"/> (so <c>/dev/zero</c> ends too).</summary>
    /// <exception cref="CliException">The file is larger, or cannot be read.</exception>
    public static string ReadText(string path, TextReader stdin)
    {
        try
        {
            using var reader = path == "-" ? null : new StreamReader(path);
            var source = reader ?? stdin;
            var buffer = new char[MaxFileBytes + 1];
            var read = 0;
            while (read < buffer.Length && source.Read(buffer, read, buffer.Length - read) is var n and > 0)
            {
                read += n;
            }

            return read > MaxFileBytes
                ? throw new CliException($"{path} is larger than {MaxFileBytes / 1024} KiB (the server's limit for a request)")
                : new string(buffer, 0, read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {path}: {e.Message}", e);
        }
    }

    /// <exception cref="YamlException">The text nests deeper than <see cref="MaxDepth"/> or its aliases add more than <see cref="MaxAliasedNodes"/> nodes.</exception>
    public static void Check(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal); // anchor → nodes it stands for
        var levels = new Stack<(AnchorName Anchor, long Before)>();
        long count = 0, added = 0;
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            if (current is AnchorAlias alias)
            {
                var size = sizes.GetValueOrDefault(alias.Value.Value, 1);
                count += size;
                if ((added += size) > MaxAliasedNodes)
                {
                    throw new YamlException(alias.Start, alias.End, $"its aliases expand to more than {MaxAliasedNodes} nodes");
                }
            }
            else if (current is NodeEvent node)
            {
                count++;
                if (node is Scalar && !node.Anchor.IsEmpty)
                {
                    sizes[node.Anchor.Value] = 1;
                }
                else if (node is MappingStart or SequenceStart)
                {
                    levels.Push((node.Anchor, count - 1));
                    if (levels.Count > MaxDepth)
                    {
                        throw new YamlException(node.Start, node.End, $"it nests deeper than {MaxDepth} levels");
                    }
                }
            }
            else if (current is MappingEnd or SequenceEnd && levels.Pop() is { Anchor.IsEmpty: false } closed)
            {
                sizes[closed.Anchor.Value] = count - closed.Before;
            }
        }
    }
}
