using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// Passes YAML parsing events through and stops at a nesting depth that no configuration needs. YamlDotNet's parser
/// is iterative but its representation model builds nested nodes by recursion, so a few tens of kilobytes of "[[[["
/// or "- - - -" would overflow the stack and end the process; its scanner also slows quadratically with depth.
/// </summary>
internal sealed class DepthLimitedYamlParser(IParser inner, int maxDepth) : IParser
{
    private int depth;

    public ParsingEvent? Current => inner.Current;

    /// <exception cref="YamlException">The collections nest deeper than the limit.</exception>
    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        if (inner.Current is SequenceStart or MappingStart)
        {
            depth++;
            if (depth > maxDepth)
            {
                throw new YamlException(inner.Current.Start, inner.Current.End,
                    $"collections nest deeper than {maxDepth} levels");
            }
        }
        else if (inner.Current is SequenceEnd or MappingEnd)
        {
            depth--;
        }

        return true;
    }
}
