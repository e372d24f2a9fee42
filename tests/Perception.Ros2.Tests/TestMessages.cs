using Perception.Ros2.Messages;
using Perception.Ros2.PointClouds;

namespace Perception.Ros2.Tests;

/// <summary>One message of every supported type, with values that exercise signs, alignment and nesting.</summary>
internal static class TestMessages
{
    public static readonly Header Header = new(new Time(1_700_000_123, 456_789_012), "velodyne");

    public static PointCloud2 Cloud() => PointCloud2Builder.Build(Header,
        [1.5f, -2.25f, 3f, 0.1f, 0.2f, -0.3f, 100f, 200f, -50.125f], [0.5f, 1f, 0f], [7, 40, 255],
        [PointCloud2Builder.PackRgb(255, 0, 0), PointCloud2Builder.PackRgb(0, 128, 255), 0x00ABCDEF]);

    public static Detection3DArray Detections() => new(Header,
    [
        new Detection3D(Header with { FrameId = "base_link" },
            [new ObjectHypothesisWithPose(new ObjectHypothesis("car", 0.875),
                new PoseWithCovariance(new Pose(new Point(10, -2, 0.5), new Quaternion(0, 0, 0.3826834, 0.9238795)),
                    [.. Enumerable.Range(0, 36).Select(i => i * 0.01)]))],
            new BoundingBox3D(new Pose(new Point(10, -2, 0.75), Quaternion.Identity), new Vector3(4.5, 1.8, 1.5)), "17"),
        new Detection3D(Header, [], new BoundingBox3D(Pose.Identity, new Vector3(0.6, 0.6, 1.7)), ""),
    ]);

    public static MarkerArray Markers() => new(
    [
        new Marker
        {
            Header = Header, Ns = "boxes", Id = 3, Type = MarkerType.Cube, Action = MarkerAction.Add,
            Pose = new Pose(new Point(1, 2, 3), Quaternion.Identity), Scale = new Vector3(4, 2, 1.5),
            Color = new ColorRgba(1, 0.5f, 0, 0.8f), Lifetime = new Duration(0, 200_000_000), FrameLocked = true,
            Points = [new Point(0, 0, 0), new Point(1, 1, 1)], Colors = [new ColorRgba(0, 0, 1, 1)],
            Text = "car 0.88", UvCoordinates = [new UvCoordinate(0.25f, 0.75f)],
            MeshFile = new MeshFile("mesh.stl", new byte[] { 1, 2, 3 }), MeshUseEmbeddedMaterials = true,
        },
        new Marker { Header = Header, Action = MarkerAction.DeleteAll },
    ]);

    public static TwistStamped Twist() => new(Header, new Twist(new Vector3(5, 0, 0), new Vector3(0, 0, -0.25)));

    public static AckermannDriveStamped Drive() => new(Header, new AckermannDrive(0.1f, -0.05f, 8.5f, 0.5f, 0f));

    public static DiagnosticArray Diagnostics() => new(Header,
    [
        new DiagnosticStatus(DiagnosticLevel.Warn, "perception: segment", "dropped frames", "lidar0",
            [new KeyValue("dropped", "3"), new KeyValue("latency_ms", "41.5")]),
        new DiagnosticStatus(DiagnosticLevel.Ok, "perception: node", "", "", []),
    ]);

    /// <summary>(ROS type, CDR payload, the object) for every message above.</summary>
    public static IEnumerable<(RosMessageType Type, byte[] Cdr, object Message)> All()
    {
        yield return Entry(Cloud());
        yield return Entry(Detections());
        yield return Entry(Markers());
        yield return Entry(Twist());
        yield return Entry(Drive());
        yield return Entry(Diagnostics());
    }

    private static (RosMessageType, byte[], object) Entry<T>(T message)
        where T : IRosMessage<T> => (T.MessageType, RosSerialization.Serialize(message), message);
}
