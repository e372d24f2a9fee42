using System.Diagnostics;
using Perception.Ros2.Dds;
using Perception.Ros2.Messages;
using Perception.Ros2.Node;
using Perception.Ros2.Rosbag;

namespace Perception.Ros2.Tests;

/// <summary>The node as other DDS participants see it: ros_discovery_info read by the C peer in the distro's own
/// Gid layout, topic names, and a peer that sends samples the subscriber cannot decode.</summary>
public sealed class DdsDiscoveryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [DdsPeerTheory]
    [InlineData(RosDiscoveryLayout.Jazzy, "jazzy", 16)]
    [InlineData(RosDiscoveryLayout.Humble, "humble", 24)]
    public void The_node_and_its_endpoints_are_announced_on_ros_discovery_info(RosDiscoveryLayout layout, string distro,
        int gidSize)
    {
        uint domain = DdsPeer.NextDomain();
        using RosNode node = DdsInteropTests.Node(domain, layout);
        using RosPublisher<PointCloud2> publisher = node.CreatePublisher<PointCloud2>("/perception/segmented",
            QosProfile.Default);
        using RosSubscription<PointCloud2> subscription = node.CreateSubscription<PointCloud2>("/velodyne_points",
            QosProfile.SensorData);
        using Process peer = DdsPeer.Start(domain, "discovery", distro);
        string output = DdsPeer.Finish(peer, Timeout);

        string Gid(byte[] guid) => Convert.ToHexStringLower([.. guid, .. new byte[gidSize - 16]]);
        string expected = $"gid={Gid(node.ParticipantGuid)}\nnodes[0].namespace=/\nnodes[0].name=interop_test\n" +
            $"nodes[0].readers.length=1\nnodes[0].readers.[0]={Gid(subscription.Reader.Guid)}\n" +
            $"nodes[0].writers.length=1\nnodes[0].writers.[0]={Gid(publisher.Writer.Guid)}\n";
        Assert.Equal(expected, output);
    }

    [DdsPeerFact]
    public void Samples_the_subscriber_cannot_decode_do_not_stop_it()
    {
        // The peer registers a DiagnosticArray under the PointCloud2 type name: DDS matches by name only, so the
        // subscriber gets payloads of the wrong layout (or Cyclone drops them); a valid cloud must still come through.
        uint domain = DdsPeer.NextDomain();
        using RosNode node = DdsInteropTests.Node(domain);
        using RosSubscription<PointCloud2> subscription = node.CreateSubscription<PointCloud2>("/mixed",
            QosProfile.Default);
        using (Process peer = DdsPeer.Start(domain, "pub", "diagnostics", "rt/mixed", "5",
            PointCloud2.MessageType.DdsTypeName))
        {
            DdsPeer.Finish(peer, Timeout);
        }

        using RosPublisher<PointCloud2> publisher = node.CreatePublisher<PointCloud2>("/mixed", QosProfile.Default);
        PointCloud2 valid = TestMessages.Cloud();
        publisher.Publish(valid);
        var messages = new List<PointCloud2>();
        long deadline = Environment.TickCount64 + (long)Timeout.TotalMilliseconds;
        while (messages.Count == 0 && Environment.TickCount64 < deadline)
        {
            subscription.WaitForData(TimeSpan.FromMilliseconds(200));
            foreach (RosReceived<PointCloud2> sample in subscription.Take())
            {
                if (sample.Message is { } cloud)
                {
                    messages.Add(cloud);
                }
                else
                {
                    Assert.NotNull(sample.Error);
                }
            }
        }

        Assert.Equal(PeerDump.Of(valid), PeerDump.Of(Assert.Single(messages)));
    }

    [Theory]
    [InlineData("/velodyne_points", "/", "rt/velodyne_points")]
    [InlineData("points", "/", "rt/points")]
    [InlineData("points", "/car1", "rt/car1/points")]
    [InlineData("/perception/segmented", "/car1", "rt/perception/segmented")]
    public void Topic_names_are_mangled_as_rmw_does(string name, string nodeNamespace, string dds) =>
        Assert.Equal(dds, RosNames.ToDdsTopic(name, nodeNamespace));

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("/a//b")]
    [InlineData("/a/")]
    [InlineData("/1points")]
    [InlineData("/points-raw")]
    public void Invalid_topic_names_are_refused(string name) =>
        Assert.Throws<ArgumentException>(() => RosNames.ToDdsTopic(name));

    [Fact]
    public void Dds_return_codes_are_named() =>
        Assert.Equal("dds_write failed: DDS_RETCODE_BAD_PARAMETER (-3).", new DdsException("dds_write", -3).Message);
}
