using System.Buffers.Binary;
using Perception.Ros2.Messages;
using Perception.Ros2.PointClouds;
using Perception.Ros2.Rosbag;
using Perception.Viewer.Scenes;
using Perception.Viewer.Sources;

namespace Perception.Viewer.Tests;

/// <summary>MCAP recordings as the viewer reads them: a topic chosen or listed, messages by index with their log times,
/// and label fields of every integer width read as raw ids or official classes.</summary>
public sealed class McapInputTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perception-mcap-view-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Without_a_topic_a_recording_with_two_cloud_topics_lists_them()
    {
        string path = Record(("/points", Labelled(PointFieldDatatype.UInt16, [40, 10])), ("/lidar2", Labelled(PointFieldDatatype.UInt8, [1, 2])));
        SceneInputException error = Assert.Throws<SceneInputException>(() => McapCloudFrames.Open(path, null));
        Assert.Contains("2 PointCloud2 topics: /lidar2, /points; choose one with --topic", error.Message, StringComparison.Ordinal);

        SceneInputException missing = Assert.Throws<SceneInputException>(() => McapCloudFrames.Open(path, "/twist"));
        Assert.Contains("its topics: /lidar2 (sensor_msgs/msg/PointCloud2)", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Messages_come_by_index_forwards_and_back_with_their_recorded_times()
    {
        string path = Record(("/points", Labelled(PointFieldDatatype.UInt16, [40, 10])),
            ("/points", Labelled(PointFieldDatatype.UInt16, [48, 50])), ("/points", Labelled(PointFieldDatatype.UInt16, [70, 0])));
        using McapCloudFrames frames = McapCloudFrames.Open(path, null);
        Assert.Equal(("/points", 3), (frames.Topic, frames.Count));
        Assert.Equal(0.2, frames.SecondsAt(2), 9);
        Assert.Equal([15, 0], frames.Read(2, LabelIds.Auto).Classes!); // vegetation, unlabeled
        Assert.Equal([9, 1], frames.Read(0, LabelIds.Auto).Classes!); // road, car: back to the start
        Assert.Equal([11, 13], frames.Read(1, LabelIds.Auto).Classes!);
        Assert.Contains("--frame 3: /points has 3 messages", Assert.Throws<SceneInputException>(() => frames.Read(3, LabelIds.Auto)).Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PointFieldDatatype.UInt8, new uint[] { 1, 19 }, LabelIds.Auto, new[] { 1, 19 })]
    [InlineData(PointFieldDatatype.UInt16, new uint[] { 10, 1 }, LabelIds.Raw, new[] { 1, 0 })]
    [InlineData(PointFieldDatatype.UInt32, new uint[] { 10 | (7u << 16), 81 }, LabelIds.Auto, new[] { 1, 19 })]
    public void Label_fields_of_any_width_give_official_classes(PointFieldDatatype type, uint[] labels, LabelIds ids, int[] expected)
    {
        SceneCloud cloud = PointCloud2Scenes.ToSceneCloud(Labelled(type, labels), "test", ids);
        Assert.Equal(expected, cloud.Classes!);
        Assert.Equal(PointColoring.Class, SceneBuilder.Build(cloud).Coloring);
    }

    [Fact]
    public void A_label_beyond_the_classes_read_as_classes_says_to_read_raw_ids()
    {
        SceneInputException error = Assert.Throws<SceneInputException>(
            () => PointCloud2Scenes.ToSceneCloud(Labelled(PointFieldDatatype.UInt16, [40, 3]), "test", LabelIds.Class));
        Assert.Contains("point 0 has label 40, not an official class 0..19", error.Message, StringComparison.Ordinal);
        Assert.Contains("--label-ids raw", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_labels_the_cloud_colours_by_intensity_else_height()
    {
        var header = new Header(new Time(0, 0), "velodyne");
        SceneCloud withIntensity = PointCloud2Scenes.ToSceneCloud(PointCloud2Builder.Build(header, [1, 2, 3, 4, 5, 6], [0.1f, 0.9f]), "i", LabelIds.Auto);
        SceneCloud plain = PointCloud2Scenes.ToSceneCloud(PointCloud2Builder.Build(header, [1, 2, 3, float.NaN, 5, 6]), "h", LabelIds.Auto);
        Assert.Equal(PointColoring.Intensity, SceneBuilder.Build(withIntensity).Coloring);
        Assert.Equal((PointColoring.Height, 1), (SceneBuilder.Build(plain).Coloring, plain.SkippedPoints));
    }

    /// <summary>Two points, x y z float32 then the label in <paramref name="type"/> after 3 bytes of padding, so the
    /// reader must honour offsets and point_step.</summary>
    private static PointCloud2 Labelled(PointFieldDatatype type, uint[] labels)
    {
        const int Step = 20;
        var data = new byte[labels.Length * Step];
        for (int p = 0; p < labels.Length; p++)
        {
            Span<byte> point = data.AsSpan(p * Step, Step);
            BinaryPrimitives.WriteSingleLittleEndian(point, p);
            BinaryPrimitives.WriteSingleLittleEndian(point[4..], 2 * p);
            BinaryPrimitives.WriteSingleLittleEndian(point[8..], -1);
            Span<byte> label = point[15..];
            if (type == PointFieldDatatype.UInt8)
            {
                label[0] = (byte)labels[p];
            }
            else if (type == PointFieldDatatype.UInt16)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(label, (ushort)labels[p]);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(label, labels[p]);
            }
        }

        PointField[] fields = [new("x", 0, PointFieldDatatype.Float32), new("y", 4, PointFieldDatatype.Float32),
            new("z", 8, PointFieldDatatype.Float32), new("label", 15, type)];
        return PointCloud2Builder.Unorganised(new Header(new Time(0, 0), "velodyne"), fields, Step, data);
    }

    /// <summary>A rosbag2 MCAP with the clouds 100 ms apart in order, and a TwistStamped topic beside them.</summary>
    private string Record(params (string Topic, PointCloud2 Cloud)[] messages)
    {
        string path = Path.Combine(folder, $"rec-{Guid.NewGuid():N}.mcap");
        using var writer = new RosbagMcapWriter(path);
        foreach (string topic in messages.Select(m => m.Topic).Distinct())
        {
            writer.AddTopic<PointCloud2>(topic, QosProfile.SensorData);
        }

        writer.AddTopic<TwistStamped>("/twist", QosProfile.Default);
        var still = new Twist(new Vector3(0, 0, 0), new Vector3(0, 0, 0));
        writer.Write("/twist", new TwistStamped(new Header(new Time(0, 0), "base"), still), 0);
        for (int i = 0; i < messages.Length; i++)
        {
            writer.Write(messages[i].Topic, messages[i].Cloud, i * 100_000_000L);
        }

        writer.Finish();
        return path;
    }
}
