using Perception.Ros2.Cdr;

namespace Perception.Ros2.Messages;

/// <summary>geometry_msgs/Point.</summary>
public readonly record struct Point(double X, double Y, double Z) : IRosMessage<Point>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("geometry_msgs/Point");

    public static int MinWireSize => 24;

    public static Point Read(CdrReader reader) =>
        new(reader.ReadFloat64("x"), reader.ReadFloat64("y"), reader.ReadFloat64("z"));

    public void Write(CdrWriter writer) => WriteXyz(writer, X, Y, Z);

    internal static void WriteXyz(CdrWriter writer, double x, double y, double z)
    {
        writer.WriteFloat64(x);
        writer.WriteFloat64(y);
        writer.WriteFloat64(z);
    }
}

/// <summary>geometry_msgs/Vector3.</summary>
public readonly record struct Vector3(double X, double Y, double Z) : IRosMessage<Vector3>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("geometry_msgs/Vector3");

    public static int MinWireSize => 24;

    public static Vector3 Read(CdrReader reader) =>
        new(reader.ReadFloat64("x"), reader.ReadFloat64("y"), reader.ReadFloat64("z"));

    public void Write(CdrWriter writer) => Point.WriteXyz(writer, X, Y, Z);
}

/// <summary>geometry_msgs/Quaternion (the .msg default is the identity, w = 1).</summary>
public readonly record struct Quaternion(double X, double Y, double Z, double W) : IRosMessage<Quaternion>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("geometry_msgs/Quaternion");

    public static int MinWireSize => 32;

    public static Quaternion Identity => new(0, 0, 0, 1);

    public static Quaternion Read(CdrReader reader) =>
        new(reader.ReadFloat64("x"), reader.ReadFloat64("y"), reader.ReadFloat64("z"), reader.ReadFloat64("w"));

    public void Write(CdrWriter writer)
    {
        Point.WriteXyz(writer, X, Y, Z);
        writer.WriteFloat64(W);
    }
}

/// <summary>geometry_msgs/Pose.</summary>
public readonly record struct Pose(Point Position, Quaternion Orientation) : IRosMessage<Pose>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("geometry_msgs/Pose");

    public static int MinWireSize => 56;

    public static Pose Identity => new(default, Quaternion.Identity);

    public static Pose Read(CdrReader reader) => new(Point.Read(reader), Quaternion.Read(reader));

    public void Write(CdrWriter writer)
    {
        Position.Write(writer);
        Orientation.Write(writer);
    }
}

/// <summary>geometry_msgs/PoseWithCovariance: 6×6 row-major covariance over x, y, z, rot_x, rot_y, rot_z.</summary>
public sealed record PoseWithCovariance(Pose Pose, double[] Covariance) : IRosMessage<PoseWithCovariance>
{
    public const int CovarianceLength = 36;

    public static RosMessageType MessageType { get; } = RosMessageType.Get("geometry_msgs/PoseWithCovariance");

    public static int MinWireSize => 56 + (CovarianceLength * 8);

    public static PoseWithCovariance Read(CdrReader reader) =>
        new(Pose.Read(reader), reader.ReadFloat64Array("covariance", CovarianceLength));

    public void Write(CdrWriter writer)
    {
        Pose.Write(writer);
        writer.WriteFloat64Array(Covariance, CovarianceLength);
    }
}

/// <summary>geometry_msgs/Twist: linear (m/s) and angular (rad/s) velocity.</summary>
public readonly record struct Twist(Vector3 Linear, Vector3 Angular) : IRosMessage<Twist>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("geometry_msgs/Twist");

    public static int MinWireSize => 48;

    public static Twist Read(CdrReader reader) => new(Vector3.Read(reader), Vector3.Read(reader));

    public void Write(CdrWriter writer)
    {
        Linear.Write(writer);
        Angular.Write(writer);
    }
}

/// <summary>geometry_msgs/TwistStamped.</summary>
public sealed record TwistStamped(Header Header, Twist Twist) : IRosMessage<TwistStamped>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("geometry_msgs/TwistStamped");

    public static int MinWireSize => Header.MinWireSize + Twist.MinWireSize;

    public static TwistStamped Read(CdrReader reader) => new(Header.Read(reader), Twist.Read(reader));

    public void Write(CdrWriter writer)
    {
        Header.Write(writer);
        Twist.Write(writer);
    }
}
