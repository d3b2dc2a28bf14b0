using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ScaleControl.Yaml;

/// <summary>
/// Bounds a YAML text before it is built into nodes; compiled into scalectl and the sandbox (both build YAML from
/// input they do not control). Building the node tree recurses once per level, so a text of 100,000 opening brackets
/// overflowed the stack and ended the process; and an alias repeats its anchored node, so ten nested lists of nine
/// aliases ("billion laughs") expand a few hundred bytes into billions of nodes. One streaming pass over the parser's
/// events (which does not recurse) checks both.
/// </summary>
internal static class YamlBounds
{
    /// <summary>As deep as a JSON body may be (System.Text.Json's default, which the JSON bodies already obey).</summary>
    public const int MaxDepth = 64;

    /// <summary>Nodes that aliases may add on top of those written out; a manifest's anchors repeat a few dozen.</summary>
    public const long MaxAliasedNodes = 100_000;

    /// <exception cref="YamlException">The text nests deeper than <see cref="MaxDepth"/> or its aliases expand beyond <see cref="MaxAliasedNodes"/>.</exception>
    public static void Check(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var anchored = new Dictionary<string, long>(StringComparer.Ordinal);
        var open = new Stack<(string? Anchor, long FirstNode)>();
        long nodes = 0, aliased = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case AnchorAlias alias:
                    var size = anchored.GetValueOrDefault(alias.Value.Value, 1);
                    nodes += size;
                    aliased += size;
                    if (aliased > MaxAliasedNodes)
                    {
                        throw new YamlException(alias.Start, alias.End, $"the document's aliases expand to more than {MaxAliasedNodes} nodes");
                    }

                    break;
                case Scalar scalar:
                    nodes++;
                    if (!scalar.Anchor.IsEmpty)
                    {
                        anchored[scalar.Anchor.Value] = 1;
                    }

                    break;
                case MappingStart or SequenceStart:
                    var start = (NodeEvent)parser.Current;
                    nodes++;
                    open.Push((start.Anchor.IsEmpty ? null : start.Anchor.Value, nodes));
                    if (open.Count > MaxDepth)
                    {
                        throw new YamlException(start.Start, start.End, $"the document nests deeper than {MaxDepth} levels");
                    }

                    break;
                case MappingEnd or SequenceEnd:
                    var (anchor, first) = open.Pop();
                    if (anchor is not null)
                    {
                        anchored[anchor] = nodes - first + 1;
                    }

                    break;
            }
        }
    }
}
