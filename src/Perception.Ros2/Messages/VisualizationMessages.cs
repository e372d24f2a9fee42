using Perception.Ros2.Cdr;

namespace Perception.Ros2.Messages;

/// <summary>visualization_msgs/Marker type constants (Humble; Jazzy adds ArrowStrip = 12 with the same fields).</summary>
public enum MarkerType
{
    Arrow = 0,
    Cube = 1,
    Sphere = 2,
    Cylinder = 3,
    LineStrip = 4,
    LineList = 5,
    CubeList = 6,
    SphereList = 7,
    Points = 8,
    TextViewFacing = 9,
    MeshResource = 10,
    TriangleList = 11,
}

/// <summary>visualization_msgs/Marker action constants.</summary>
public enum MarkerAction
{
    Add = 0,
    Delete = 2,
    DeleteAll = 3,
}

/// <summary>visualization_msgs/UVCoordinate.</summary>
public readonly record struct UvCoordinate(float U, float V) : IRosMessage<UvCoordinate>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("visualization_msgs/UVCoordinate");

    public static int MinWireSize => 8;

    public static UvCoordinate Read(CdrReader reader) => new(reader.ReadFloat32("u"), reader.ReadFloat32("v"));

    public void Write(CdrWriter writer)
    {
        writer.WriteFloat32(U);
        writer.WriteFloat32(V);
    }
}

/// <summary>visualization_msgs/MeshFile.</summary>
public sealed record MeshFile(string Filename, ReadOnlyMemory<byte> Data) : IRosMessage<MeshFile>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("visualization_msgs/MeshFile");

    public static int MinWireSize => 8;

    public static MeshFile Empty { get; } = new("", ReadOnlyMemory<byte>.Empty);

    public static MeshFile Read(CdrReader reader) =>
        new(reader.ReadString("mesh_file.filename"), reader.ReadByteSequence("mesh_file.data"));

    public void Write(CdrWriter writer)
    {
        writer.WriteString(Filename);
        writer.WriteByteSequence(Data.Span);
    }
}

/// <summary>visualization_msgs/Marker in the Humble/Jazzy layout (texture, UV and mesh_file fields included; Foxy's
/// shorter layout is not wire compatible).</summary>
public sealed record Marker : IRosMessage<Marker>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("visualization_msgs/Marker");

    public static int MinWireSize => 180; // every field at its smallest (empty strings and sequences), alignment ignored

    public required Header Header { get; init; }

    public string Ns { get; init; } = "";

    public int Id { get; init; }

    public MarkerType Type { get; init; }

    public MarkerAction Action { get; init; }

    public Pose Pose { get; init; } = Pose.Identity;

    public Vector3 Scale { get; init; } = new(1, 1, 1);

    public ColorRgba Color { get; init; } = new(1, 1, 1, 1);

    public Duration Lifetime { get; init; }

    public bool FrameLocked { get; init; }

    public IReadOnlyList<Point> Points { get; init; } = [];

    public IReadOnlyList<ColorRgba> Colors { get; init; } = [];

    public string TextureResource { get; init; } = "";

    public CompressedImage Texture { get; init; } = CompressedImage.Empty;

    public IReadOnlyList<UvCoordinate> UvCoordinates { get; init; } = [];

    public string Text { get; init; } = "";

    public string MeshResource { get; init; } = "";

    public MeshFile MeshFile { get; init; } = MeshFile.Empty;

    public bool MeshUseEmbeddedMaterials { get; init; }

    public static Marker Read(CdrReader reader) => new()
    {
        Header = Header.Read(reader),
        Ns = reader.ReadString("ns"),
        Id = reader.ReadInt32("id"),
        Type = (MarkerType)reader.ReadInt32("type"),
        Action = (MarkerAction)reader.ReadInt32("action"),
        Pose = Pose.Read(reader),
        Scale = Vector3.Read(reader),
        Color = ColorRgba.Read(reader),
        Lifetime = Duration.Read(reader),
        FrameLocked = reader.ReadBool("frame_locked"),
        Points = reader.ReadSequence<Point>("points"),
        Colors = reader.ReadSequence<ColorRgba>("colors"),
        TextureResource = reader.ReadString("texture_resource"),
        Texture = CompressedImage.Read(reader),
        UvCoordinates = reader.ReadSequence<UvCoordinate>("uv_coordinates"),
        Text = reader.ReadString("text"),
        MeshResource = reader.ReadString("mesh_resource"),
        MeshFile = MeshFile.Read(reader),
        MeshUseEmbeddedMaterials = reader.ReadBool("mesh_use_embedded_materials"),
    };

    public void Write(CdrWriter writer)
    {
        Header.Write(writer);
        writer.WriteString(Ns);
        writer.WriteInt32(Id);
        writer.WriteInt32((int)Type);
        writer.WriteInt32((int)Action);
        Pose.Write(writer);
        Scale.Write(writer);
        Color.Write(writer);
        Lifetime.Write(writer);
        writer.WriteBool(FrameLocked);
        writer.WriteSequence(Points);
        writer.WriteSequence(Colors);
        writer.WriteString(TextureResource);
        Texture.Write(writer);
        writer.WriteSequence(UvCoordinates);
        writer.WriteString(Text);
        writer.WriteString(MeshResource);
        MeshFile.Write(writer);
        writer.WriteBool(MeshUseEmbeddedMaterials);
    }
}

/// <summary>visualization_msgs/MarkerArray.</summary>
public sealed record MarkerArray(IReadOnlyList<Marker> Markers) : IRosMessage<MarkerArray>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("visualization_msgs/MarkerArray");

    public static int MinWireSize => 4;

    public static MarkerArray Read(CdrReader reader) => new(reader.ReadSequence<Marker>("markers"));

    public void Write(CdrWriter writer) => writer.WriteSequence(Markers);
}
