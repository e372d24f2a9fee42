using Perception.Ros2.Node;
using Perception.Ros2.Rosbag;
using YamlDotNet.RepresentationModel;

namespace Perception.Cli.Nodes;

/// <summary>
/// The parameters of <c>perception ros2 segment</c>. A YAML file gives them as flat snake_case keys or in the ROS 2
/// parameter-file shape (<c>node_name: ros__parameters: {...}</c>, so one file serves both); the command line
/// overrides the file.
/// </summary>
internal sealed record SegmentationNodeOptions
{
    private static readonly string[] Keys =
    [
        "input_topic", "output_topic", "diagnostics_topic", "node_name", "namespace", "model", "arch", "backend",
        "domain_id", "loopback", "discovery", "input_reliable", "max_frames", "foxglove_port",
    ];

    public string InputTopic { get; init; } = "/velodyne_points";

    public string OutputTopic { get; init; } = "/perception/segmented";

    public string DiagnosticsTopic { get; init; } = "/diagnostics";

    public string NodeName { get; init; } = "perception_segmenter";

    public string Namespace { get; init; } = "/";

    /// <summary>The <see cref="Model"/> value that runs the node without a model (every point label 0).</summary>
    public const string NoModel = "none";

    /// <summary>Checkpoint path; null = the shipped model; <see cref="NoModel"/> = none.</summary>
    public string? Model { get; init; }

    public string? Arch { get; init; }

    public string Backend { get; init; } = "cpu";

    /// <summary>null = ROS_DOMAIN_ID, else 0.</summary>
    public uint? DomainId { get; init; }

    /// <summary>Discovery and data on 127.0.0.1 only (a single-machine setup, the tests).</summary>
    public bool Loopback { get; init; }

    public RosDiscoveryLayout Discovery { get; init; } = RosDiscoveryLayout.Jazzy;

    /// <summary>Subscribe reliable instead of sensor-data best effort (for reliable-only publishers' history).</summary>
    public bool InputReliable { get; init; }

    /// <summary>Stop after this many segmented frames; 0 = until SIGINT/SIGTERM.</summary>
    public int MaxFrames { get; init; }

    /// <summary>Also serve the node's topics to Foxglove on this port; null = no Foxglove server.</summary>
    public int? FoxglovePort { get; init; }

    /// <summary>Sensor data, or reliable with KEEP_ALL: a reliable input loses nothing at the DDS level even while the
    /// receive thread is starved; the node's keep-newest policy then drops, and counts, what it cannot segment.</summary>
    public QosProfile InputQos => InputReliable ? QosProfile.Default with { KeepAll = true } : QosProfile.SensorData;

    /// <exception cref="ArgumentException">An unknown key or a value of the wrong kind.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static SegmentationNodeOptions FromYaml(string path)
    {
        if (!File.Exists(path))
        {
            throw new IOException($"--params: '{path}' does not exist.");
        }

        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            try
            {
                stream.Load(reader);
            }
            catch (YamlDotNet.Core.YamlException e)
            {
                throw new ArgumentException($"--params: '{path}' is not valid YAML: {e.Message}", e);
            }
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ArgumentException($"--params: '{path}' is not a YAML mapping of parameters.");
        }

        // ROS 2 parameter files nest the values under <node>: ros__parameters:.
        if (root.Children.Count == 1 && root.Children.Values.Single() is YamlMappingNode node
            && node.Children.TryGetValue(new YamlScalarNode("ros__parameters"), out YamlNode? parameters)
            && parameters is YamlMappingNode nested)
        {
            root = nested;
        }

        var options = new SegmentationNodeOptions();
        foreach ((YamlNode key, YamlNode value) in root.Children)
        {
            string name = ((YamlScalarNode)key).Value ?? "";
            string text = (value as YamlScalarNode)?.Value
                ?? throw new ArgumentException($"--params: '{name}' must be a single value.");
            options = options.With(name, text);
        }

        return options;
    }

    private SegmentationNodeOptions With(string key, string value) => key switch
    {
        "input_topic" => this with { InputTopic = value },
        "output_topic" => this with { OutputTopic = value },
        "diagnostics_topic" => this with { DiagnosticsTopic = value },
        "node_name" => this with { NodeName = value },
        "namespace" => this with { Namespace = value },
        "model" => this with { Model = value },
        "arch" => this with { Arch = value },
        "backend" => this with { Backend = value },
        "domain_id" => this with { DomainId = Parse<uint>(key, value, uint.TryParse) },
        "loopback" => this with { Loopback = Parse<bool>(key, value, bool.TryParse) },
        "discovery" => this with { Discovery = ParseDiscovery(value) },
        "input_reliable" => this with { InputReliable = Parse<bool>(key, value, bool.TryParse) },
        "max_frames" => this with { MaxFrames = Parse<int>(key, value, int.TryParse) },
        "foxglove_port" => this with { FoxglovePort = Parse<int>(key, value, int.TryParse) },
        _ => throw new ArgumentException($"--params: unknown parameter '{key}' (known: {string.Join(", ", Keys)})."),
    };

    /// <summary>jazzy (16-byte Gid, Iron and later), humble (24-byte) or none.</summary>
    public static RosDiscoveryLayout ParseDiscovery(string value) => value switch
    {
        "jazzy" => RosDiscoveryLayout.Jazzy,
        "humble" => RosDiscoveryLayout.Humble,
        "none" => RosDiscoveryLayout.None,
        _ => throw new ArgumentException($"discovery: '{value}' is not jazzy, humble or none."),
    };

    private delegate bool TryParse<T>(string text, out T value);

    private static T Parse<T>(string key, string text, TryParse<T> parse) =>
        parse(text, out T value) ? value : throw new ArgumentException($"--params: '{key}: {text}' is not a {typeof(T).Name}.");
}
