using Perception.Ros2.Cdr;

namespace Perception.Ros2.Messages;

/// <summary>vision_msgs/ObjectHypothesis (4.x): class and score.</summary>
public sealed record ObjectHypothesis(string ClassId, double Score) : IRosMessage<ObjectHypothesis>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("vision_msgs/ObjectHypothesis");

    public static int MinWireSize => 12;

    public static ObjectHypothesis Read(CdrReader reader) =>
        new(reader.ReadString("hypothesis.class_id"), reader.ReadFloat64("hypothesis.score"));

    public void Write(CdrWriter writer)
    {
        writer.WriteString(ClassId);
        writer.WriteFloat64(Score);
    }
}

/// <summary>vision_msgs/ObjectHypothesisWithPose (4.x): the hypothesis and its pose with covariance.</summary>
public sealed record ObjectHypothesisWithPose(ObjectHypothesis Hypothesis, PoseWithCovariance Pose)
    : IRosMessage<ObjectHypothesisWithPose>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("vision_msgs/ObjectHypothesisWithPose");

    public static int MinWireSize => ObjectHypothesis.MinWireSize + PoseWithCovariance.MinWireSize;

    public static ObjectHypothesisWithPose Read(CdrReader reader) =>
        new(ObjectHypothesis.Read(reader), PoseWithCovariance.Read(reader));

    public void Write(CdrWriter writer)
    {
        Hypothesis.Write(writer);
        Pose.Write(writer);
    }
}

/// <summary>vision_msgs/BoundingBox3D: centre pose and size (metres).</summary>
public readonly record struct BoundingBox3D(Pose Center, Vector3 Size) : IRosMessage<BoundingBox3D>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("vision_msgs/BoundingBox3D");

    public static int MinWireSize => Pose.MinWireSize + Vector3.MinWireSize;

    public static BoundingBox3D Read(CdrReader reader) => new(Pose.Read(reader), Vector3.Read(reader));

    public void Write(CdrWriter writer)
    {
        Center.Write(writer);
        Size.Write(writer);
    }
}

/// <summary>vision_msgs/Detection3D (4.x layout: no source_cloud, no tracking fields).</summary>
public sealed record Detection3D(Header Header, IReadOnlyList<ObjectHypothesisWithPose> Results, BoundingBox3D Bbox,
    string Id) : IRosMessage<Detection3D>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("vision_msgs/Detection3D");

    public static int MinWireSize => Header.MinWireSize + 4 + BoundingBox3D.MinWireSize + 4;

    public static Detection3D Read(CdrReader reader) => new(Header.Read(reader),
        reader.ReadSequence<ObjectHypothesisWithPose>("results"), BoundingBox3D.Read(reader), reader.ReadString("id"));

    public void Write(CdrWriter writer)
    {
        Header.Write(writer);
        writer.WriteSequence(Results);
        Bbox.Write(writer);
        writer.WriteString(Id);
    }
}

/// <summary>vision_msgs/Detection3DArray.</summary>
public sealed record Detection3DArray(Header Header, IReadOnlyList<Detection3D> Detections)
    : IRosMessage<Detection3DArray>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("vision_msgs/Detection3DArray");

    public static int MinWireSize => Header.MinWireSize + 4;

    public static Detection3DArray Read(CdrReader reader) =>
        new(Header.Read(reader), reader.ReadSequence<Detection3D>("detections"));

    public void Write(CdrWriter writer)
    {
        Header.Write(writer);
        writer.WriteSequence(Detections);
    }
}
