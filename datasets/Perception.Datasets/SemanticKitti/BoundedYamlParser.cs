using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// Passes YAML parsing events through, refusing what no label configuration needs and YamlDotNet's representation
/// model cannot take safely. Nesting past a limit: its parser is iterative but nested nodes are built by recursion,
/// so a few tens of kilobytes of "[[[[" or "- - - -" would overflow the stack and end the process (its scanner also
/// slows quadratically with depth). Aliases of collections: an alias inside its own anchor makes a cyclic node whose
/// hash, taken when it is a mapping key, recurses until the stack overflows, and aliases of aliases hash in
/// exponential time. Aliases ahead of their anchor, which YAML forbids: as a mapping key the placeholder's equality
/// recurses without end. Aliases of plain values defined earlier stay allowed.
/// </summary>
internal sealed class BoundedYamlParser(IParser inner, int maxDepth) : IParser
{
    // Every anchor so far, and whether its node is a list or mapping (a later anchor of the same name replaces it).
    private readonly Dictionary<AnchorName, bool> anchors = [];
    private int depth;

    public ParsingEvent? Current => inner.Current;

    /// <summary>Where the last event starts: the place to name when YamlDotNet fails without a position.</summary>
    public Mark Position { get; private set; } = Mark.Empty;

    /// <exception cref="YamlException">The collections nest too deep, or an alias names a collection or comes before
    /// its anchor.</exception>
    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        ParsingEvent current = inner.Current!;
        Position = current.Start;
        if (current is SequenceStart or MappingStart)
        {
            depth++;
            if (depth > maxDepth)
            {
                throw new YamlException(current.Start, current.End, $"collections nest deeper than {maxDepth} levels");
            }
        }
        else if (current is SequenceEnd or MappingEnd)
        {
            depth--;
        }

        switch (current)
        {
            case NodeEvent { Anchor.IsEmpty: false } node:
                anchors[node.Anchor] = node is SequenceStart or MappingStart;
                break;
            case AnchorAlias alias:
                if (!anchors.TryGetValue(alias.Value, out bool isCollection))
                {
                    throw new YamlException(current.Start, current.End,
                        $"alias *{alias.Value} comes before any anchor &{alias.Value}");
                }

                if (isCollection)
                {
                    throw new YamlException(current.Start, current.End,
                        $"alias *{alias.Value} names a list or mapping; only plain values may be aliased here");
                }

                break;
        }

        return true;
    }
}
