namespace Perception.Ros2.Node;

/// <summary>
/// ROS 2 names as rmw puts them on DDS: a topic <c>/ns/points</c> is the DDS topic <c>rt/ns/points</c>
/// (rmw_cyclonedds's ROS_TOPIC_PREFIX + the fully qualified name); relative names resolve against the node namespace.
/// </summary>
public static class RosNames
{
    /// <summary>The prefix of every ROS topic on DDS.</summary>
    public const string TopicPrefix = "rt";

    /// <summary>The fully qualified name of <paramref name="name"/> in <paramref name="nodeNamespace"/>.</summary>
    /// <exception cref="ArgumentException">Not a valid ROS name (characters, empty or doubled '/', trailing '/',
    /// a token starting with a digit).</exception>
    public static string Resolve(string name, string nodeNamespace = "/")
    {
        ValidateNamespace(nodeNamespace);
        string full = name.StartsWith('/') ? name
            : nodeNamespace == "/" ? "/" + name : $"{nodeNamespace}/{name}";
        if (full.Length < 2 || full.EndsWith('/') || full.Contains("//", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a valid ROS topic name.", nameof(name));
        }

        foreach (string token in full[1..].Split('/'))
        {
            if (char.IsAsciiDigit(token[0]) || !token.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw new ArgumentException(
                    $"'{name}' is not a valid ROS topic name: '{token}' (letters, digits and '_', not starting with a digit).",
                    nameof(name));
            }
        }

        return full;
    }

    /// <summary>The DDS topic of ROS topic <paramref name="name"/>: <c>rt</c> + the fully qualified name.</summary>
    public static string ToDdsTopic(string name, string nodeNamespace = "/") =>
        TopicPrefix + Resolve(name, nodeNamespace);

    /// <summary>The ROS name of a DDS topic, or null when it is not a ROS topic (no <c>rt/</c> prefix).</summary>
    public static string? FromDdsTopic(string ddsTopic) =>
        ddsTopic.StartsWith(TopicPrefix + "/", StringComparison.Ordinal) ? ddsTopic[TopicPrefix.Length..] : null;

    /// <exception cref="ArgumentException">Not <c>/</c> or an absolute name without a trailing '/'.</exception>
    public static void ValidateNamespace(string nodeNamespace)
    {
        if (nodeNamespace != "/" && (!nodeNamespace.StartsWith('/') || nodeNamespace.EndsWith('/')))
        {
            throw new ArgumentException($"'{nodeNamespace}' is not a ROS namespace ('/' or '/a/b').",
                nameof(nodeNamespace));
        }
    }
}
