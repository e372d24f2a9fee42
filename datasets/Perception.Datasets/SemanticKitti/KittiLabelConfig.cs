using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// A semantic-kitti-api label configuration (<c>config/semantic-kitti.yaml</c> and its variants such as
/// <c>semantic-kitti-all.yaml</c>): raw label names and colours, <c>learning_map</c> (raw id → class),
/// <c>learning_map_inv</c> (class → raw id) and <c>learning_ignore</c> (classes left out of the mean).
/// </summary>
public sealed class KittiLabelConfig
{
    // The real files nest three levels (root, map, colour list); the limit only has to stop runaway nesting.
    private const int MaxNesting = 64;

    private KittiLabelConfig(string path, IReadOnlyDictionary<int, string> labels,
        IReadOnlyDictionary<int, (byte Red, byte Green, byte Blue)> colorMap, IReadOnlyDictionary<int, int> learningMap,
        IReadOnlyDictionary<int, int> learningMapInverse, IReadOnlySet<int> ignoredClasses)
    {
        FilePath = path;
        Labels = labels;
        ColorMap = colorMap;
        LearningMap = learningMap;
        LearningMapInverse = learningMapInverse;
        IgnoredClasses = ignoredClasses;
    }

    /// <summary>The file it was read from.</summary>
    public string FilePath { get; }

    /// <summary><c>labels</c>: raw label id → name ("car", "moving-car", ...).</summary>
    public IReadOnlyDictionary<int, string> Labels { get; }

    /// <summary><c>color_map</c>: raw label id → colour (the file stores BGR; empty when the key is absent).</summary>
    public IReadOnlyDictionary<int, (byte Red, byte Green, byte Blue)> ColorMap { get; }

    /// <summary><c>learning_map</c>: raw label id → class index.</summary>
    public IReadOnlyDictionary<int, int> LearningMap { get; }

    /// <summary><c>learning_map_inv</c>: class index 0..<see cref="ClassCount"/>−1 → raw label id.</summary>
    public IReadOnlyDictionary<int, int> LearningMapInverse { get; }

    /// <summary>The classes <c>learning_ignore</c> marks true; {0} when the file has no such key.</summary>
    public IReadOnlySet<int> IgnoredClasses { get; }

    /// <summary>Number of classes, ignored ones included (20 for semantic-kitti.yaml).</summary>
    public int ClassCount => LearningMapInverse.Count;

    /// <summary>The name of a class: the <c>labels</c> entry of its <c>learning_map_inv</c> raw id.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a class of this configuration.</exception>
    public string ClassName(int classIndex) =>
        LearningMapInverse.TryGetValue(classIndex, out int rawId)
            ? Labels.GetValueOrDefault(rawId, $"class {classIndex}")
            : throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex,
                $"Classes run 0..{ClassCount - 1}.");

    /// <summary>Reads and checks a configuration file.</summary>
    /// <exception cref="DatasetFormatException">The YAML is malformed, a required key (labels, learning_map,
    /// learning_map_inv) is missing, a value has the wrong type, or the maps disagree; the message names the file and
    /// the line.</exception>
    public static KittiLabelConfig Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Parses a configuration; <paramref name="sourceName"/> stands for the file in errors.</summary>
    /// <exception cref="DatasetFormatException">See <see cref="Load"/>.</exception>
    public static KittiLabelConfig Parse(string yaml, string sourceName)
    {
        YamlMappingNode root = LoadRoot(yaml, sourceName);
        var reader = new Reader(sourceName);
        Dictionary<int, string> labels = reader.Map(root, "labels", required: true, (_, node) => reader.Text(node));
        Dictionary<int, (byte, byte, byte)> colors = reader.Map(root, "color_map", required: false, reader.Color);
        Dictionary<int, int> learningMap = reader.Map(root, "learning_map", required: true, reader.Integer);
        Dictionary<int, int> inverse = reader.Map(root, "learning_map_inv", required: true, reader.Integer);
        Dictionary<int, bool> ignore = reader.Map(root, "learning_ignore", required: false, reader.Boolean);

        for (int c = 0; c < inverse.Count; c++)
        {
            if (!inverse.ContainsKey(c))
            {
                throw new DatasetFormatException(sourceName,
                    $"learning_map_inv has {inverse.Count} classes but no class {c}; " +
                    $"classes must run 0..{inverse.Count - 1}");
            }
        }

        foreach ((int rawId, int classIndex) in learningMap)
        {
            if (rawId is < 0 or > ushort.MaxValue || !inverse.ContainsKey(classIndex))
            {
                throw new DatasetFormatException(sourceName, rawId is < 0 or > ushort.MaxValue
                    ? $"learning_map: raw id {rawId} is outside 0..65535 (the low 16 bits of a label)"
                    : $"learning_map: raw id {rawId} maps to class {classIndex}, which learning_map_inv lacks");
            }
        }

        var ignored = ignore.Count == 0
            ? new HashSet<int> { 0 }
            : ignore.Where(entry => entry.Value).Select(entry => entry.Key).ToHashSet();
        return new KittiLabelConfig(sourceName, labels, colors, learningMap, inverse, ignored);
    }

    private static YamlMappingNode LoadRoot(string yaml, string sourceName)
    {
        var stream = new YamlStream();
        var parser = new BoundedYamlParser(new Parser(new StringReader(yaml)), MaxNesting);
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            throw new DatasetFormatException(sourceName,
                $"line {e.Start.Line}, column {e.Start.Column}: malformed YAML: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet reports some malformed input this way instead of with a YamlException, and without a place.
            throw new DatasetFormatException(sourceName,
                $"near line {parser.Position.Line}, column {parser.Position.Column}: malformed YAML: {e.Message}", e);
        }

        return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode root
            ? root
            : throw new DatasetFormatException(sourceName, "is not a YAML mapping of keys (labels, learning_map, ...)");
    }

    /// <summary>Typed reads of YAML nodes whose errors name the file, the key and the line.</summary>
    private sealed class Reader(string sourceName)
    {
        public Dictionary<int, T> Map<T>(YamlMappingNode root, string key, bool required,
            Func<string, YamlNode, T> value)
        {
            if (!root.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? node))
            {
                return required ? throw new DatasetFormatException(sourceName, $"has no '{key}' key") : [];
            }

            if (node is not YamlMappingNode mapping)
            {
                throw Error(node, $"'{key}' is not a mapping of ids");
            }

            var result = new Dictionary<int, T>();
            foreach ((YamlNode idNode, YamlNode valueNode) in mapping.Children)
            {
                string where = $"{key}[{Text(idNode)}]";
                if (!int.TryParse(Text(idNode), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture,
                        out int id))
                {
                    throw Error(idNode, $"{key}: key '{Text(idNode)}' is not an integer id");
                }

                if (!result.TryAdd(id, value(where, valueNode)))
                {
                    throw Error(idNode, $"{key}: id {id} appears twice");
                }
            }

            return result;
        }

        public string Text(YamlNode node) =>
            node is YamlScalarNode { Value: { } text } ? text : throw Error(node, "expected a plain value");

        public int Integer(string where, YamlNode node) =>
            int.TryParse(Text(node), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
                ? value
                : throw Error(node, $"{where} is '{Text(node)}', not an integer");

        public bool Boolean(string where, YamlNode node) => Text(node).ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw Error(node, $"{where} is '{Text(node)}', not True or False"),
        };

        public (byte, byte, byte) Color(string where, YamlNode node)
        {
            if (node is not YamlSequenceNode { Children.Count: 3 } bgr)
            {
                throw Error(node, $"{where} is not a list of 3 numbers [b, g, r]");
            }

            Span<byte> channels = stackalloc byte[3];
            for (int i = 0; i < 3; i++)
            {
                int channel = Integer(where, bgr.Children[i]);
                channels[i] = channel is >= 0 and <= 255
                    ? (byte)channel
                    : throw Error(bgr.Children[i], $"{where}: {channel} is outside 0..255");
            }

            return (channels[2], channels[1], channels[0]);
        }

        private DatasetFormatException Error(YamlNode node, string problem) =>
            new(sourceName, $"line {node.Start.Line}: {problem}");
    }
}
