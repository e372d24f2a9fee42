using System.Text.Json;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Export;

/// <summary>
/// Writes a scene as a glTF 2.0 binary (.glb): the points as one POINTS primitive (POSITION with min/max, COLOR_0 as
/// normalised RGBA bytes, and the official class per point as the application attribute _CLASS when labelled), box
/// edges, grid and axes as LINES primitives, and the legend (class id, name, colour, count) in the points mesh's
/// extras. Positions stay in the sensor frame (z up); the root node turns them into glTF's y-up frame.
/// </summary>
public static class GltfExport
{
    private const int FloatComponent = 5126;
    private const int UnsignedByteComponent = 5121;
    private const int UnsignedShortComponent = 5123;

    /// <summary>-90° about x: the sensor's z (up) becomes glTF's y (up), its y (left) glTF's -z.</summary>
    private static readonly float[] ZUpToYUp = [-MathF.Sqrt(0.5f), 0, 0, MathF.Sqrt(0.5f)];

    public static void Write(string path, Scene scene)
    {
        var buffer = new GlbBuffer();
        var accessors = new List<Action<Utf8JsonWriter>>();
        var meshes = new List<(string Name, int Mode, Dictionary<string, int> Attributes, Action<Utf8JsonWriter>? Extras)>();

        var pointAttributes = new Dictionary<string, int>
        {
            ["POSITION"] = AddPositions(buffer, accessors, scene.Cloud.Xyz),
            ["COLOR_0"] = AddColors(buffer, accessors, scene.PointColors),
        };
        if (scene.Cloud.Classes is { } classes)
        {
            // One unsigned short per point, each in a 4-byte slot (stride 4) to keep attribute elements aligned.
            var slots = new ushort[classes.Length * 2];
            for (int p = 0; p < classes.Length; p++)
            {
                slots[p * 2] = (ushort)classes[p];
            }

            int view = buffer.AddView<ushort>(slots, stride: 4);
            pointAttributes["_CLASS"] = AddAccessor(accessors, view, UnsignedShortComponent, classes.Length, "SCALAR");
        }

        meshes.Add(("points", 0, pointAttributes, json => WriteLegend(json, scene)));
        foreach ((string name, LineLayer lines) in (ReadOnlySpan<(string, LineLayer)>)
                 [("boxes", scene.BoxEdges), ("grid", scene.Grid), ("axes", scene.Axes)])
        {
            if (lines.VertexCount > 0)
            {
                meshes.Add((name, 1, new Dictionary<string, int>
                {
                    ["POSITION"] = AddPositions(buffer, accessors, lines.Positions),
                    ["COLOR_0"] = AddColors(buffer, accessors, lines.Colors),
                }, null));
            }
        }

        byte[] binary = buffer.ToArray();
        GlbWriter.Write(path, Json(buffer, binary.Length, accessors, meshes), binary);
    }

    private static byte[] Json(GlbBuffer buffer, int byteLength, List<Action<Utf8JsonWriter>> accessors,
        List<(string Name, int Mode, Dictionary<string, int> Attributes, Action<Utf8JsonWriter>? Extras)> meshes)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteStartObject("asset");
            json.WriteString("version", "2.0");
            json.WriteString("generator", "Perception SDK viewer");
            json.WriteEndObject();
            json.WriteNumber("scene", 0);
            json.WriteStartArray("scenes");
            json.WriteStartObject();
            WriteInts(json, "nodes", [0]);
            json.WriteEndObject();
            json.WriteEndArray();

            json.WriteStartArray("nodes");
            json.WriteStartObject();
            json.WriteString("name", "sensor frame (z up)");
            WriteFloats(json, "rotation", ZUpToYUp);
            WriteInts(json, "children", [.. Enumerable.Range(1, meshes.Count)]);
            json.WriteEndObject();
            for (int m = 0; m < meshes.Count; m++)
            {
                json.WriteStartObject();
                json.WriteString("name", meshes[m].Name);
                json.WriteNumber("mesh", m);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("meshes");
            foreach ((string name, int mode, Dictionary<string, int> attributes, Action<Utf8JsonWriter>? extras) in meshes)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteStartArray("primitives");
                json.WriteStartObject();
                json.WriteStartObject("attributes");
                foreach ((string semantic, int accessor) in attributes)
                {
                    json.WriteNumber(semantic, accessor);
                }

                json.WriteEndObject();
                json.WriteNumber("mode", mode);
                json.WriteEndObject();
                json.WriteEndArray();
                if (extras is not null)
                {
                    json.WriteStartObject("extras");
                    extras(json);
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("accessors");
            accessors.ForEach(write => write(json));
            json.WriteEndArray();
            WriteBufferViews(json, buffer);
            json.WriteStartArray("buffers");
            json.WriteStartObject();
            json.WriteNumber("byteLength", byteLength);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void WriteBufferViews(Utf8JsonWriter json, GlbBuffer buffer)
    {
        json.WriteStartArray("bufferViews");
        foreach ((long offset, int length, int? stride, int? target) in buffer.Views)
        {
            json.WriteStartObject();
            json.WriteNumber("buffer", 0);
            json.WriteNumber("byteOffset", offset);
            json.WriteNumber("byteLength", length);
            if (stride is { } s)
            {
                json.WriteNumber("byteStride", s);
            }

            if (target is { } t)
            {
                json.WriteNumber("target", t);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>The legend and how the points were made, for tools that read the file back.</summary>
    private static void WriteLegend(Utf8JsonWriter json, Scene scene)
    {
        json.WriteString("coloring", scene.Coloring.ToString().ToLowerInvariant());
        json.WriteString("source", Path.GetFileName(scene.Cloud.Source));
        json.WriteNumber("skippedNonFinitePoints", scene.Cloud.SkippedPoints);
        json.WriteStartArray("classes");
        foreach (LegendEntry entry in scene.Legend)
        {
            json.WriteStartObject();
            json.WriteNumber("id", entry.ClassId);
            json.WriteString("name", entry.Name);
            WriteInts(json, "color", [entry.Color.R, entry.Color.G, entry.Color.B]);
            json.WriteNumber("points", entry.Points);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static int AddPositions(GlbBuffer buffer, List<Action<Utf8JsonWriter>> accessors, float[] xyz)
    {
        float[] min = [float.MaxValue, float.MaxValue, float.MaxValue], max = [float.MinValue, float.MinValue, float.MinValue];
        for (int i = 0; i < xyz.Length; i++)
        {
            min[i % 3] = Math.Min(min[i % 3], xyz[i]);
            max[i % 3] = Math.Max(max[i % 3], xyz[i]);
        }

        int view = buffer.AddView<float>(xyz);
        return AddAccessor(accessors, view, FloatComponent, xyz.Length / 3, "VEC3", min: min, max: max);
    }

    private static int AddColors(GlbBuffer buffer, List<Action<Utf8JsonWriter>> accessors, byte[] rgba) =>
        AddAccessor(accessors, buffer.AddView<byte>(rgba), UnsignedByteComponent, rgba.Length / 4, "VEC4", normalized: true);

    private static int AddAccessor(List<Action<Utf8JsonWriter>> accessors, int view, int componentType, int count,
        string type, bool normalized = false, float[]? min = null, float[]? max = null)
    {
        accessors.Add(json =>
        {
            json.WriteStartObject();
            json.WriteNumber("bufferView", view);
            json.WriteNumber("componentType", componentType);
            json.WriteNumber("count", count);
            json.WriteString("type", type);
            if (normalized)
            {
                json.WriteBoolean("normalized", true);
            }

            if (min is not null && max is not null)
            {
                WriteFloats(json, "min", min);
                WriteFloats(json, "max", max);
            }

            json.WriteEndObject();
        });
        return accessors.Count - 1;
    }

    private static void WriteInts(Utf8JsonWriter json, string name, int[] values)
    {
        json.WriteStartArray(name);
        Array.ForEach(values, json.WriteNumberValue);
        json.WriteEndArray();
    }

    /// <summary>Floats as the exact double of each float32, so min/max compare equal to the data bit for bit.</summary>
    private static void WriteFloats(Utf8JsonWriter json, string name, float[] values)
    {
        json.WriteStartArray(name);
        Array.ForEach(values, v => json.WriteNumberValue((double)v));
        json.WriteEndArray();
    }
}
