using System.Diagnostics;
using Perception.Cli.Commands;
using Perception.Ros2.Dds;
using Perception.Ros2.Mcap;
using Perception.Ros2.Messages;
using Perception.Ros2.Node;
using Perception.Ros2.PointClouds;
using Perception.Ros2.Rosbag;
using Pvcnn;

namespace Perception.Cli.Tests;

/// <summary>`perception record`, `play` and `segment` on MCAP, end to end over DDS on loopback: a recording stopped
/// by SIGINT or SIGTERM is a complete file (and a bag folder has its metadata.yaml), a played file reaches a
/// subscriber whole and in order, and a segmented recording carries the labels <see cref="SemanticSegmenter"/> gives.
/// </summary>
[Collection("cli")]
public sealed class RecordPlayCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string folder = Directory.CreateTempSubdirectory("perception-record-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("INT", "bag")]
    [InlineData("TERM", "drive.mcap")]
    public async Task A_recording_stopped_by_a_signal_is_a_finished_file(string signal, string output)
    {
        uint domain = (uint)(40 + (Environment.ProcessId % 50));
        string target = Path.Combine(folder, output);
        using RosNode client = Client(domain);
        using RosPublisher<PointCloud2> publisher = client.CreatePublisher<PointCloud2>("/sig/points", QosProfile.Default);
        using Process recorder = StartPerception("record", "--topics", "/sig/points", "--out", target, "--loopback",
            "--domain-id", $"{domain}");
        Assert.True(publisher.Writer.WaitForReaders(1, Timeout), "the recorder never subscribed");
        PointCloud2[] sent = [.. Enumerable.Range(1, 5).Select(i => Ros2SegmentCommandTests.Scan(i, 500))];
        foreach (PointCloud2 cloud in sent)
        {
            publisher.Publish(cloud);
        }

        Assert.True(publisher.Writer.WaitForAcknowledgements(Timeout));
        using (Process kill = Process.Start("kill", [$"-{signal}", $"{recorder.Id}"]))
        {
            await kill.WaitForExitAsync();
        }

        string log = await recorder.StandardOutput.ReadToEndAsync();
        await recorder.WaitForExitAsync().WaitAsync(Timeout);
        Assert.True(recorder.ExitCode == 0, log + await recorder.StandardError.ReadToEndAsync());

        string file = output.EndsWith(".mcap") ? target : Path.Combine(target, "bag_0.mcap");
        using McapReader reader = McapReader.Open(file); // the footer and summary are there: finished, not cut off
        Assert.Equal(5UL, reader.Statistics!.MessageCount);
        Assert.Equal(sent.Select(PointCloud2Serialized), reader.ReadMessages("/sig/points")
            .Select(m => PointCloud2Serialized(RosSerialization.Deserialize<PointCloud2>(m.Message.Data))));
        Assert.Contains("message_count: 5", Assert.Single(reader.ReadMetadata()).Metadata["serialized_metadata"]);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(file)!, "*.tmp"));
        if (!output.EndsWith(".mcap"))
        {
            string sidecar = File.ReadAllText(Path.Combine(target, "metadata.yaml"));
            Assert.StartsWith("rosbag2_bagfile_information:\n  version: 9\n", sidecar);
            Assert.Contains("\n  relative_file_paths:\n    - bag_0.mcap\n", sidecar);
            Assert.Contains("\n  message_count: 5\n", sidecar);
        }
    }

    [Fact]
    public void Record_refuses_a_missing_topic_list_and_finishes_an_empty_recording_at_its_duration()
    {
        Assert.Equal(2, Program.Run(["record", "--out", Path.Combine(folder, "x.mcap")]));
        Assert.Equal(2, Program.Run(["record", "--topics", "/bad name", "--out", Path.Combine(folder, "x.mcap")]));
        string path = Path.Combine(folder, "empty.mcap");
        Assert.Equal(0, Program.Run(["record", "--all", "--duration", "1", "--out", path, "--loopback",
            "--domain-id", $"{90 + (Environment.ProcessId % 10)}"]));
        using McapReader reader = McapReader.Open(path);
        Assert.Equal(0UL, reader.Statistics!.MessageCount);
    }

    [Fact]
    public void Play_publishes_every_recorded_message_in_order()
    {
        uint domain = (uint)(40 + (Environment.ProcessId % 50));
        string path = Path.Combine(folder, "play.mcap");
        PointCloud2[] clouds = [.. Enumerable.Range(1, 6).Select(i => Ros2SegmentCommandTests.Scan(i, 200))];
        using (var writer = new RosbagMcapWriter(path))
        {
            writer.AddTopic<PointCloud2>("/cli_play/points", QosProfile.Default);
            for (int i = 0; i < clouds.Length; i++)
            {
                writer.WriteSerialized("/cli_play/points", clouds[i].Serialize(), 1_000_000_000L + (i * 50_000_000L));
            }

            writer.Finish();
        }

        using RosNode client = Client(domain);
        using RosSubscription<PointCloud2> subscription = client.CreateSubscription<PointCloud2>("/cli_play/points",
            new QosProfile(50, Reliable: true, TransientLocal: false));
        Assert.Equal(0, Program.Run(["play", path, "--rate", "4", "--wait-for-subscribers", "60", "--loopback",
            "--domain-id", $"{domain}"]));

        var received = new List<PointCloud2>();
        long deadline = Environment.TickCount64 + (long)Timeout.TotalMilliseconds;
        while (received.Count < clouds.Length && Environment.TickCount64 < deadline)
        {
            subscription.WaitForData(TimeSpan.FromMilliseconds(100));
            received.AddRange(subscription.Take().Select(s => s.Message ?? throw s.Error!));
        }

        Assert.Equal(clouds.Select(PointCloud2Serialized), received.Select(PointCloud2Serialized));
    }

    [Fact]
    public void Segmenting_a_recording_writes_the_labels_the_segmenter_gives_with_the_same_times()
    {
        string input = Path.Combine(folder, "drive.mcap"), output = Path.Combine(folder, "labelled.mcap");
        PointCloud2[] clouds = [Ros2SegmentCommandTests.Scan(11, 2000), Ros2SegmentCommandTests.Scan(12, 2500)];
        using (var writer = new RosbagMcapWriter(input))
        {
            writer.AddTopic<PointCloud2>("/lidar/points", QosProfile.SensorData);
            writer.AddTopic<TwistStamped>("/other", QosProfile.Default);
            writer.WriteSerialized("/lidar/points", clouds[0].Serialize(), 5_000, 4_000);
            writer.Write("/other", new TwistStamped(clouds[0].Header, new Twist(new Vector3(1, 0, 0), new Vector3(0, 0, 0.5))), 5_500);
            writer.WriteSerialized("/lidar/points", clouds[1].Serialize(), 105_000, 104_000);
            writer.Finish();
        }

        Assert.Equal(0, Program.Run(["segment", "--input", input, "--output", output, "--threads", "2"]));

        var segmenter = new SemanticSegmenter(PvcnnModels.Load(ShippedModel.FilePath, null));
        using McapReader reader = McapReader.Open(output);
        McapMessageView[] labelled = [.. reader.ReadMessages("/lidar/points/segmented")];
        Assert.Equal([5_000UL, 105_000UL], labelled.Select(m => m.Message.LogTime));
        Assert.Equal([4_000UL, 104_000UL], labelled.Select(m => m.Message.PublishTime));
        for (int i = 0; i < clouds.Length; i++)
        {
            var result = RosSerialization.Deserialize<PointCloud2>(labelled[i].Message.Data);
            float[] xyzi = new PointCloud2Reader(clouds[i]).ReadXyzi(requireIntensity: true);
            uint[] expected = [.. segmenter.Segment(xyzi).PointClasses.Select(c => (uint)c + 1)];
            var fields = new PointCloud2Reader(result);
            Assert.Equal(clouds[i].Header, result.Header);
            Assert.Equal(expected, fields.ReadUInt32("label"));
            Assert.Equal(xyzi, fields.ReadXyzi(requireIntensity: true));
            Assert.Contains(result.Fields, f => f.Name == "rgb");
        }
    }

    private static byte[] PointCloud2Serialized(PointCloud2 cloud) => RosSerialization.Serialize(cloud);

    private static RosNode Client(uint domain) => new("record_test_client", new RosNodeOptions
    {
        DomainId = domain, DdsConfigXml = DdsConfig.LoopbackOnly(),
    });

    private static Process StartPerception(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["COLUMNS"] = "300" },
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "perception.dll"));
        arguments.ToList().ForEach(start.ArgumentList.Add);
        return Process.Start(start)!;
    }
}
