using System.Text;
using Perception.Ros2.Messages;

namespace Perception.Ros2.Tests;

/// <summary>
/// What peers/dds/peer_dump.c prints for a message, built here from the C# record's properties (not from its CDR),
/// so a field the codec put in the wrong place, order or width shows up as a differing line. Floats are their IEEE
/// bits in hex, byte sequences length + FNV-1a, exactly as the peer prints them.
/// </summary>
internal sealed class PeerDump
{
    private readonly StringBuilder text = new();

    public static string Of(PointCloud2 m)
    {
        var d = new PeerDump();
        d.Header("header.", m.Header);
        d.Line("height", m.Height).Line("width", m.Width).Line("fields.length", m.Fields.Count);
        for (int k = 0; k < m.Fields.Count; k++)
        {
            PointField f = m.Fields[k];
            d.Line($"fields[{k}].name", f.Name).Line($"fields[{k}].offset", f.Offset)
                .Line($"fields[{k}].datatype", (byte)f.Datatype).Line($"fields[{k}].count", f.Count);
        }

        d.Line("is_bigendian", m.IsBigEndian ? 1 : 0).Line("point_step", m.PointStep).Line("row_step", m.RowStep);
        return d.Bytes("data", m.Data.Span).Line("is_dense", m.IsDense ? 1 : 0).End();
    }

    public static string Of(DiagnosticArray m)
    {
        var d = new PeerDump();
        d.Header("header.", m.Header).Line("status.length", m.Status.Count);
        for (int k = 0; k < m.Status.Count; k++)
        {
            DiagnosticStatus s = m.Status[k];
            string p = $"status[{k}].";
            d.Line(p + "level", (byte)s.Level).Line(p + "name", s.Name).Line(p + "message", s.Message)
                .Line(p + "hardware_id", s.HardwareId).Line(p + "values.length", s.Values.Count);
            for (int v = 0; v < s.Values.Count; v++)
            {
                d.Line($"{p}values[{v}].key", s.Values[v].Key).Line($"{p}values[{v}].value", s.Values[v].Value);
            }
        }

        return d.End();
    }

    public static string Of(Detection3DArray m)
    {
        var d = new PeerDump();
        d.Header("header.", m.Header).Line("detections.length", m.Detections.Count);
        for (int k = 0; k < m.Detections.Count; k++)
        {
            Detection3D det = m.Detections[k];
            string p = $"detections[{k}].";
            d.Header(p + "header.", det.Header).Line(p + "results.length", det.Results.Count);
            for (int r = 0; r < det.Results.Count; r++)
            {
                string rp = $"{p}results[{r}].";
                ObjectHypothesisWithPose h = det.Results[r];
                d.Line(rp + "hypothesis.class_id", h.Hypothesis.ClassId).F64(rp + "hypothesis.score", h.Hypothesis.Score)
                    .Pose(rp + "pose.pose.", h.Pose.Pose);
                for (int c = 0; c < 36; c++)
                {
                    d.F64($"{rp}pose.covariance[{c}]", h.Pose.Covariance[c]);
                }
            }

            d.Pose(p + "bbox.center.", det.Bbox.Center).Vector(p + "bbox.size.", det.Bbox.Size).Line(p + "id", det.Id);
        }

        return d.End();
    }

    public static string Of(MarkerArray m)
    {
        var d = new PeerDump();
        d.Line("markers.length", m.Markers.Count);
        for (int k = 0; k < m.Markers.Count; k++)
        {
            Marker mk = m.Markers[k];
            string p = $"markers[{k}].";
            d.Header(p + "header.", mk.Header).Line(p + "ns", mk.Ns).Line(p + "id", mk.Id).Line(p + "type", (int)mk.Type)
                .Line(p + "action", (int)mk.Action).Pose(p + "pose.", mk.Pose).Vector(p + "scale.", mk.Scale)
                .Color(p + "color.", mk.Color).Line(p + "lifetime.sec", mk.Lifetime.Sec)
                .Line(p + "lifetime.nanosec", mk.Lifetime.Nanosec).Line(p + "frame_locked", mk.FrameLocked ? 1 : 0)
                .Line(p + "points.length", mk.Points.Count);
            for (int i = 0; i < mk.Points.Count; i++)
            {
                d.Vector($"{p}points[{i}].", new Vector3(mk.Points[i].X, mk.Points[i].Y, mk.Points[i].Z));
            }

            d.Line(p + "colors.length", mk.Colors.Count);
            for (int i = 0; i < mk.Colors.Count; i++)
            {
                d.Color($"{p}colors[{i}].", mk.Colors[i]);
            }

            d.Line(p + "texture_resource", mk.TextureResource).Header(p + "texture.header.", mk.Texture.Header)
                .Line(p + "texture.format", mk.Texture.Format).Bytes(p + "texture.data", mk.Texture.Data.Span)
                .Line(p + "uv_coordinates.length", mk.UvCoordinates.Count);
            for (int i = 0; i < mk.UvCoordinates.Count; i++)
            {
                d.F32($"{p}uv_coordinates[{i}].u", mk.UvCoordinates[i].U).F32($"{p}uv_coordinates[{i}].v", mk.UvCoordinates[i].V);
            }

            d.Line(p + "text", mk.Text).Line(p + "mesh_resource", mk.MeshResource)
                .Line(p + "mesh_file.filename", mk.MeshFile.Filename).Bytes(p + "mesh_file.data", mk.MeshFile.Data.Span)
                .Line(p + "mesh_use_embedded_materials", mk.MeshUseEmbeddedMaterials ? 1 : 0);
        }

        return d.End();
    }

    private PeerDump Line(string path, object value)
    {
        text.Append(path).Append('=').Append(value).Append('\n');
        return this;
    }

    private PeerDump F32(string path, float value) => Line(path, BitConverter.SingleToUInt32Bits(value).ToString("x8"));

    private PeerDump F64(string path, double value) => Line(path, BitConverter.DoubleToUInt64Bits(value).ToString("x16"));

    private PeerDump Bytes(string path, ReadOnlySpan<byte> bytes)
    {
        uint hash = 2166136261u;
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return Line(path + ".length", bytes.Length).Line(path + ".fnv1a", hash.ToString("x8"));
    }

    private PeerDump Header(string p, Header h) =>
        Line(p + "stamp.sec", h.Stamp.Sec).Line(p + "stamp.nanosec", h.Stamp.Nanosec).Line(p + "frame_id", h.FrameId);

    private PeerDump Pose(string p, Pose pose) => F64(p + "position.x", pose.Position.X)
        .F64(p + "position.y", pose.Position.Y).F64(p + "position.z", pose.Position.Z)
        .F64(p + "orientation.x", pose.Orientation.X).F64(p + "orientation.y", pose.Orientation.Y)
        .F64(p + "orientation.z", pose.Orientation.Z).F64(p + "orientation.w", pose.Orientation.W);

    private PeerDump Vector(string p, Vector3 v) => F64(p + "x", v.X).F64(p + "y", v.Y).F64(p + "z", v.Z);

    private PeerDump Color(string p, ColorRgba c) => F32(p + "r", c.R).F32(p + "g", c.G).F32(p + "b", c.B).F32(p + "a", c.A);

    private string End() => text.Append("---\n").ToString();
}
