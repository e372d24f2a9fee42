using Perception.Ros2.Cdr;

namespace Perception.Ros2.Messages;

/// <summary>builtin_interfaces/Time: seconds and nanoseconds since the epoch (or the sim clock).</summary>
public readonly record struct Time(int Sec, uint Nanosec) : IRosMessage<Time>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("builtin_interfaces/Time");

    public static int MinWireSize => 8;

    /// <summary>Total nanoseconds (negative seconds allowed).</summary>
    public long TotalNanoseconds => (Sec * 1_000_000_000L) + Nanosec;

    public static Time FromNanoseconds(long nanoseconds)
    {
        long sec = Math.DivRem(nanoseconds, 1_000_000_000L, out long rest);
        if (rest < 0)
        {
            sec--;
            rest += 1_000_000_000L;
        }

        return new Time(checked((int)sec), (uint)rest);
    }

    public static Time Read(CdrReader reader) => new(reader.ReadInt32("sec"), reader.ReadUInt32("nanosec"));

    public void Write(CdrWriter writer)
    {
        writer.WriteInt32(Sec);
        writer.WriteUInt32(Nanosec);
    }
}

/// <summary>builtin_interfaces/Duration: same layout as Time.</summary>
public readonly record struct Duration(int Sec, uint Nanosec) : IRosMessage<Duration>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("builtin_interfaces/Duration");

    public static int MinWireSize => 8;

    public static Duration Read(CdrReader reader) => new(reader.ReadInt32("sec"), reader.ReadUInt32("nanosec"));

    public void Write(CdrWriter writer)
    {
        writer.WriteInt32(Sec);
        writer.WriteUInt32(Nanosec);
    }
}

/// <summary>std_msgs/Header: stamp and frame (ROS 2 has no seq).</summary>
public sealed record Header(Time Stamp, string FrameId) : IRosMessage<Header>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("std_msgs/Header");

    public static int MinWireSize => 12;

    public static Header Read(CdrReader reader) => new(Time.Read(reader), reader.ReadString("header.frame_id"));

    public void Write(CdrWriter writer)
    {
        Stamp.Write(writer);
        writer.WriteString(FrameId);
    }
}

/// <summary>std_msgs/ColorRGBA, components in [0, 1].</summary>
public readonly record struct ColorRgba(float R, float G, float B, float A) : IRosMessage<ColorRgba>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("std_msgs/ColorRGBA");

    public static int MinWireSize => 16;

    public static ColorRgba Read(CdrReader reader) =>
        new(reader.ReadFloat32("r"), reader.ReadFloat32("g"), reader.ReadFloat32("b"), reader.ReadFloat32("a"));

    public void Write(CdrWriter writer)
    {
        writer.WriteFloat32(R);
        writer.WriteFloat32(G);
        writer.WriteFloat32(B);
        writer.WriteFloat32(A);
    }
}
