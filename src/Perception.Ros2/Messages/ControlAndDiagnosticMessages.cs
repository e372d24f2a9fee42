using Perception.Ros2.Cdr;

namespace Perception.Ros2.Messages;

/// <summary>ackermann_msgs/AckermannDrive: steering (rad, rad/s), speed (m/s), acceleration, jerk.</summary>
public readonly record struct AckermannDrive(float SteeringAngle, float SteeringAngleVelocity, float Speed,
    float Acceleration, float Jerk) : IRosMessage<AckermannDrive>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("ackermann_msgs/AckermannDrive");

    public static int MinWireSize => 20;

    public static AckermannDrive Read(CdrReader reader) => new(reader.ReadFloat32("drive.steering_angle"),
        reader.ReadFloat32("drive.steering_angle_velocity"), reader.ReadFloat32("drive.speed"),
        reader.ReadFloat32("drive.acceleration"), reader.ReadFloat32("drive.jerk"));

    public void Write(CdrWriter writer)
    {
        writer.WriteFloat32(SteeringAngle);
        writer.WriteFloat32(SteeringAngleVelocity);
        writer.WriteFloat32(Speed);
        writer.WriteFloat32(Acceleration);
        writer.WriteFloat32(Jerk);
    }
}

/// <summary>ackermann_msgs/AckermannDriveStamped.</summary>
public sealed record AckermannDriveStamped(Header Header, AckermannDrive Drive) : IRosMessage<AckermannDriveStamped>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("ackermann_msgs/AckermannDriveStamped");

    public static int MinWireSize => Header.MinWireSize + AckermannDrive.MinWireSize;

    public static AckermannDriveStamped Read(CdrReader reader) => new(Header.Read(reader), AckermannDrive.Read(reader));

    public void Write(CdrWriter writer)
    {
        Header.Write(writer);
        Drive.Write(writer);
    }
}

/// <summary>diagnostic_msgs/KeyValue.</summary>
public sealed record KeyValue(string Key, string Value) : IRosMessage<KeyValue>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("diagnostic_msgs/KeyValue");

    public static int MinWireSize => 8;

    public static KeyValue Read(CdrReader reader) => new(reader.ReadString("values.key"), reader.ReadString("values.value"));

    public void Write(CdrWriter writer)
    {
        writer.WriteString(Key);
        writer.WriteString(Value);
    }
}

/// <summary>diagnostic_msgs/DiagnosticStatus level constants.</summary>
public enum DiagnosticLevel : byte
{
    Ok = 0,
    Warn = 1,
    Error = 2,
    Stale = 3,
}

/// <summary>diagnostic_msgs/DiagnosticStatus.</summary>
public sealed record DiagnosticStatus(DiagnosticLevel Level, string Name, string Message, string HardwareId,
    IReadOnlyList<KeyValue> Values) : IRosMessage<DiagnosticStatus>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("diagnostic_msgs/DiagnosticStatus");

    public static int MinWireSize => 17;

    public static DiagnosticStatus Read(CdrReader reader) => new((DiagnosticLevel)reader.ReadUInt8("status.level"),
        reader.ReadString("status.name"), reader.ReadString("status.message"), reader.ReadString("status.hardware_id"),
        reader.ReadSequence<KeyValue>("status.values"));

    public void Write(CdrWriter writer)
    {
        writer.WriteUInt8((byte)Level);
        writer.WriteString(Name);
        writer.WriteString(Message);
        writer.WriteString(HardwareId);
        writer.WriteSequence(Values);
    }
}

/// <summary>diagnostic_msgs/DiagnosticArray.</summary>
public sealed record DiagnosticArray(Header Header, IReadOnlyList<DiagnosticStatus> Status) : IRosMessage<DiagnosticArray>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("diagnostic_msgs/DiagnosticArray");

    public static int MinWireSize => Header.MinWireSize + 4;

    public static DiagnosticArray Read(CdrReader reader) =>
        new(Header.Read(reader), reader.ReadSequence<DiagnosticStatus>("status"));

    public void Write(CdrWriter writer)
    {
        Header.Write(writer);
        writer.WriteSequence(Status);
    }
}
