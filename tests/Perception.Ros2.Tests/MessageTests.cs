using Perception.Ros2.Messages;

namespace Perception.Ros2.Tests;

/// <summary>Names, schemas and golden round trips of the message types.</summary>
public sealed class MessageTests
{
    [Fact]
    public void Every_message_round_trips_byte_for_byte()
    {
        foreach ((RosMessageType type, byte[] cdr, _) in TestMessages.All())
        {
            object decoded = CdrWireTests.Decode(type, cdr);
            Assert.True(cdr.AsSpan().SequenceEqual(CdrWireTests.Reencode(decoded)), type.RosName);
        }
    }

    [Theory]
    [InlineData("sensor_msgs/PointCloud2", "sensor_msgs/msg/PointCloud2", "sensor_msgs::msg::dds_::PointCloud2_")]
    [InlineData("vision_msgs/msg/Detection3DArray", "vision_msgs/msg/Detection3DArray", "vision_msgs::msg::dds_::Detection3DArray_")]
    [InlineData("diagnostic_msgs/DiagnosticArray", "diagnostic_msgs/msg/DiagnosticArray", "diagnostic_msgs::msg::dds_::DiagnosticArray_")]
    public void Types_know_their_ROS_and_DDS_names(string lookup, string rosName, string ddsName)
    {
        RosMessageType type = RosMessageType.Get(lookup);

        Assert.Equal((rosName, ddsName), (type.RosName, type.DdsTypeName));
    }

    [Fact]
    public void The_PointCloud2_schema_is_concatenated_as_rosbag2_does()
    {
        string separator = new('=', 80);
        string expected = RosMessageType.Get("sensor_msgs/PointCloud2").Definition
            + $"\n{separator}\nMSG: sensor_msgs/PointField\n" + RosMessageType.Get("sensor_msgs/PointField").Definition
            + $"\n{separator}\nMSG: std_msgs/Header\n" + "builtin_interfaces/Time stamp\nstring frame_id\n"
            + $"\n{separator}\nMSG: builtin_interfaces/Time\n" + "int32 sec\nuint32 nanosec\n";

        Assert.Equal(expected, PointCloud2.MessageType.Ros2MsgSchema);
    }

    [Fact]
    public void Each_dependency_appears_once_even_when_several_types_use_it()
    {
        string schema = Marker.MessageType.Ros2MsgSchema;

        foreach (string dependency in new[] { "std_msgs/Header", "geometry_msgs/Point", "builtin_interfaces/Time",
                     "std_msgs/ColorRGBA", "sensor_msgs/CompressedImage", "visualization_msgs/MeshFile" })
        {
            Assert.Equal(1, schema.Split($"MSG: {dependency}\n").Length - 1);
        }
    }

    [Fact]
    public void Unknown_types_are_refused() => Assert.Throws<KeyNotFoundException>(() => RosMessageType.Get("foo_msgs/Bar"));

    [Theory]
    [InlineData(0L, 0, 0u)]
    [InlineData(1_500_000_001L, 1, 500_000_001u)]
    [InlineData(-1L, -1, 999_999_999u)]
    public void Time_converts_nanoseconds(long nanoseconds, int sec, uint nanosec)
    {
        Assert.Equal(new Time(sec, nanosec), Time.FromNanoseconds(nanoseconds));
        Assert.Equal(nanoseconds, new Time(sec, nanosec).TotalNanoseconds);
    }
}
