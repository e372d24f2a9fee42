using System.Diagnostics;
using Perception.Ros2.Dds;
using Perception.Ros2.Messages;
using Perception.Ros2.Node;
using Perception.Ros2.PointClouds;
using Perception.Ros2.Rosbag;

namespace Perception.Ros2.Tests;

/// <summary>
/// C# against a real, independent Cyclone DDS peer (idlc-generated C, peers/dds): what C# publishes the peer decodes
/// into idlc's C structs and prints field by field; what the peer publishes C# decodes and compares field by field.
/// Loopback only, one domain per test.
/// </summary>
public sealed class DdsInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [DdsPeerFact]
    public void A_120k_point_cloud_reaches_the_C_peer_intact_reliable()
    {
        var random = new Random(8);
        int n = 120_000;
        float[] xyz = [.. Enumerable.Range(0, n * 3).Select(_ => (float)((random.NextDouble() * 200) - 100))];
        float[] intensity = [.. Enumerable.Range(0, n).Select(_ => (float)random.NextDouble())];
        uint[] labels = [.. Enumerable.Range(0, n).Select(i => (uint)(i % 20))];
        uint[] rgb = [.. Enumerable.Range(0, n).Select(i => (uint)random.Next(0, 1 << 24))];
        PublishToPeer(PointCloud2Builder.Build(TestMessages.Header, xyz, intensity, labels, rgb), "pointcloud2",
            QosProfile.Default);
    }

    [DdsPeerFact]
    public void A_small_cloud_reaches_the_C_peer_with_sensor_data_qos() =>
        PublishToPeer(TestMessages.Cloud(), "pointcloud2", QosProfile.SensorData);

    [DdsPeerFact]
    public void Diagnostics_reach_the_C_peer() => PublishToPeer(TestMessages.Diagnostics(), "diagnostics", QosProfile.Default);

    [DdsPeerFact]
    public void Detections_reach_the_C_peer() => PublishToPeer(TestMessages.Detections(), "detections", QosProfile.Default);

    [DdsPeerFact]
    public void Markers_reach_the_C_peer() => PublishToPeer(TestMessages.Markers(), "markers", QosProfile.Default);

    [DdsPeerFact]
    public void Point_clouds_from_the_C_peer_arrive_field_by_field()
    {
        List<PointCloud2> received = ReceiveFromPeer<PointCloud2>("pointcloud2", 3);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(PeerDump.Of(ExpectedPeerCloud(i)), PeerDump.Of(received[i]));
            var reader = new PointCloud2Reader(received[i]);
            Assert.Equal(1000, reader.PointCount);
        }
    }

    [DdsPeerFact]
    public void Diagnostics_from_the_C_peer_arrive_field_by_field()
    {
        List<DiagnosticArray> received = ReceiveFromPeer<DiagnosticArray>("diagnostics", 2);
        for (int i = 0; i < 2; i++)
        {
            var expected = new DiagnosticArray(new Header(new Time(200 + i, 7), ""),
            [
                new DiagnosticStatus(DiagnosticLevel.Ok, "perception/segmenter", "ok", "lidar0",
                    [new KeyValue("frame", i.ToString()), new KeyValue("points", "1000")]),
                new DiagnosticStatus(DiagnosticLevel.Error, "perception/io", "dropped", "", []),
            ]);
            Assert.Equal(PeerDump.Of(expected), PeerDump.Of(received[i]));
        }
    }

    /// <summary>What peer_fill.c publishes as PointCloud2 number <paramref name="i"/>.</summary>
    internal static PointCloud2 ExpectedPeerCloud(int i)
    {
        const int points = 1000, step = 22;
        var data = new byte[points * step];
        for (int j = 0; j < points; j++)
        {
            Span<byte> p = data.AsSpan(j * step, step);
            BitConverter.TryWriteBytes(p, (j * 0.25f) + i);
            BitConverter.TryWriteBytes(p[4..], -(float)j);
            BitConverter.TryWriteBytes(p[8..], j % 7 * 0.5f);
            BitConverter.TryWriteBytes(p[12..], (float)(j % 256));
            BitConverter.TryWriteBytes(p[16..], (ushort)(j % 32));
            BitConverter.TryWriteBytes(p[18..], j * 1e-5f);
        }

        PointField[] fields =
        [
            new("x", 0, PointFieldDatatype.Float32), new("y", 4, PointFieldDatatype.Float32),
            new("z", 8, PointFieldDatatype.Float32), new("intensity", 12, PointFieldDatatype.Float32),
            new("ring", 16, PointFieldDatatype.UInt16), new("time", 18, PointFieldDatatype.Float32),
        ];
        return PointCloud2Builder.Unorganised(new Header(new Time(100 + i, 500_000_000), "velodyne"), fields, step, data);
    }

    internal static RosNode Node(uint domain, RosDiscoveryLayout layout = RosDiscoveryLayout.Jazzy) =>
        new("interop_test", new RosNodeOptions
        {
            DomainId = domain, DdsConfigXml = DdsConfig.LoopbackOnly(), DiscoveryLayout = layout,
        });

    private static void PublishToPeer<T>(T message, string peerType, QosProfile qos)
        where T : IRosMessage<T>
    {
        uint domain = DdsPeer.NextDomain();
        using RosNode node = Node(domain);
        using RosPublisher<T> publisher = node.CreatePublisher<T>("/interop/topic", qos);
        using Process peer = DdsPeer.Start(domain, "sub", peerType, "rt/interop/topic", "1",
            qos.Reliable ? "reliable" : "best_effort");
        Assert.True(publisher.Writer.WaitForReaders(1, Timeout), "the C peer's reader never matched");
        long deadline = Environment.TickCount64 + (long)Timeout.TotalMilliseconds;
        do
        {
            publisher.Publish(message); // best effort may lose the first samples while the peer learns our writer
        }
        while (!peer.WaitForExit(qos.Reliable ? (int)Timeout.TotalMilliseconds : 100)
            && Environment.TickCount64 < deadline);

        string expected = message switch
        {
            PointCloud2 cloud => PeerDump.Of(cloud),
            DiagnosticArray diagnostics => PeerDump.Of(diagnostics),
            Detection3DArray detections => PeerDump.Of(detections),
            MarkerArray markers => PeerDump.Of(markers),
            _ => throw new ArgumentException(typeof(T).Name),
        };
        Assert.Equal(expected, DdsPeer.Finish(peer, Timeout));
    }

    private static List<T> ReceiveFromPeer<T>(string peerType, int count)
        where T : IRosMessage<T>
    {
        uint domain = DdsPeer.NextDomain();
        using RosNode node = Node(domain);
        using RosSubscription<T> subscription = node.CreateSubscription<T>("/interop/topic", QosProfile.Default);
        using Process peer = DdsPeer.Start(domain, "pub", peerType, "rt/interop/topic", count.ToString());
        var received = new List<T>();
        long deadline = Environment.TickCount64 + (long)Timeout.TotalMilliseconds;
        while (received.Count < count && Environment.TickCount64 < deadline)
        {
            subscription.WaitForData(TimeSpan.FromMilliseconds(200));
            foreach (RosReceived<T> sample in subscription.Take())
            {
                Assert.Null(sample.Error);
                received.Add(sample.Message!);
            }
        }

        DdsPeer.Finish(peer, Timeout);
        Assert.Equal(count, received.Count);
        return received;
    }
}
