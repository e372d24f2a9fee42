using System.Text;

namespace Perception.Ros2.Messages;

/// <summary>
/// A ROS 2 message type's names and schema: <see cref="RosName"/> (<c>sensor_msgs/msg/PointCloud2</c>, the MCAP schema
/// name), <see cref="DdsTypeName"/> (<c>sensor_msgs::msg::dds_::PointCloud2_</c>, what rmw registers with DDS) and
/// <see cref="Ros2MsgSchema"/>, the complete definition as rosbag2 stores it.
/// </summary>
public sealed class RosMessageType
{
    /// <summary>The line of 80 '=' that precedes every dependency in a ros2msg schema.</summary>
    public static readonly string DependencySeparator = new('=', 80);

    private static readonly HashSet<string> PrimitiveTypes =
    [
        "bool", "byte", "char", "float32", "float64", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64",
        "uint64", "string", "wstring",
    ];

    private readonly Lazy<string> schema;

    private RosMessageType(string package, string name)
    {
        Package = package;
        Name = name;
        schema = new Lazy<string>(BuildSchema);
    }

    public string Package { get; }

    public string Name { get; }

    /// <summary><c>pkg/msg/Type</c>: the MCAP schema name and the ROS type string.</summary>
    public string RosName => $"{Package}/msg/{Name}";

    /// <summary><c>pkg::msg::dds_::Type_</c>: the DDS type name rmw_cyclonedds and rmw_fastrtps register.</summary>
    public string DdsTypeName => $"{Package}::msg::dds_::{Name}_";

    /// <summary>This type's own .msg text.</summary>
    public string Definition => MessageDefinitions.Texts[$"{Package}/{Name}"];

    /// <summary>
    /// The ros2msg schema (MCAP Schema.data, Foxglove <c>schema</c>): the type's text, then every dependency once,
    /// depth-first in sorted order, each after a newline, the 80-'=' line and <c>MSG: pkg/Type</c>, as rosbag2's
    /// LocalMessageDefinitionSource concatenates them.
    /// </summary>
    public string Ros2MsgSchema => schema.Value;

    /// <summary>The type for <c>pkg/Type</c> or <c>pkg/msg/Type</c>.</summary>
    /// <exception cref="KeyNotFoundException">The SDK has no definition of that type.</exception>
    public static RosMessageType Get(string typeName)
    {
        string[] parts = typeName.Split('/');
        string key = parts.Length == 3 && parts[1] == "msg" ? $"{parts[0]}/{parts[2]}" : typeName;
        if (!MessageDefinitions.Texts.ContainsKey(key) || key.Split('/') is not [string package, string name])
        {
            throw new KeyNotFoundException($"No ROS message definition for '{typeName}'.");
        }

        return new RosMessageType(package, name);
    }

    /// <summary>The type rmw registers as <paramref name="ddsTypeName"/> (<c>pkg::msg::dds_::Type_</c>), or null when
    /// the name has another shape or the SDK has no definition of the type.</summary>
    public static RosMessageType? FromDdsTypeName(string ddsTypeName) =>
        ddsTypeName.Split("::") is [string package, "msg", "dds_", string type] && type.EndsWith('_')
            && MessageDefinitions.Texts.ContainsKey($"{package}/{type[..^1]}")
            ? new RosMessageType(package, type[..^1]) : null;

    /// <summary>The non-primitive field types of a .msg text as <c>pkg/Type</c>, in ordinal order; a type without a
    /// package belongs to <paramref name="package"/>.</summary>
    internal static SortedSet<string> Dependencies(string text, string package)
    {
        var dependencies = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n'))
        {
            string[] tokens = line.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length < 2 || tokens[0].StartsWith('#'))
            {
                continue;
            }

            int bracket = tokens[0].IndexOf('[', StringComparison.Ordinal);
            string type = bracket >= 0 ? tokens[0][..bracket] : tokens[0];
            if (!PrimitiveTypes.Contains(type) && !type.StartsWith("string<", StringComparison.Ordinal))
            {
                dependencies.Add(type.Contains('/', StringComparison.Ordinal) ? type : $"{package}/{type}");
            }
        }

        return dependencies;
    }

    private string BuildSchema()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var text = new StringBuilder();
        Append($"{Package}/{Name}");
        return text.ToString();

        void Append(string type)
        {
            string package = type[..type.IndexOf('/', StringComparison.Ordinal)];
            string definition = MessageDefinitions.Texts.TryGetValue(type, out string? found) ? found
                : throw new KeyNotFoundException($"No ROS message definition for dependency '{type}'.");
            text.Append(definition);
            foreach (string dependency in Dependencies(definition, package))
            {
                if (seen.Add(dependency))
                {
                    text.Append('\n').Append(DependencySeparator).Append("\nMSG: ").Append(dependency).Append('\n');
                    Append(dependency);
                }
            }
        }
    }
}
