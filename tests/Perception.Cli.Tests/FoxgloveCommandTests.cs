using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using Perception.Foxglove.Tests;
using Perception.Ros2.Dds;
using Perception.Ros2.Mcap;
using Perception.Ros2.Messages;
using Perception.Ros2.Node;
using Perception.Ros2.PointClouds;
using Perception.Ros2.Rosbag;

namespace Perception.Cli.Tests;

/// <summary>`perception foxglove --mcap` and `perception ros2 segment --foxglove` end to end, through a WebSocket
/// client; and the usage errors.</summary>
[Collection("cli")]
public sealed class FoxgloveCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perception-foxglove-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task A_recording_is_served_message_for_message()
    {
        string path = Path.Combine(folder, "scans.mcap");
        byte[][] recorded = [.. Enumerable.Range(0, 3).Select(i => Cloud(i, 50).Serialize())];
        using (var writer = new RosbagMcapWriter(path, new McapWriterOptions()))
        {
            writer.AddTopic<PointCloud2>("/points", QosProfile.SensorData);
            for (int i = 0; i < recorded.Length; i++)
            {
                writer.WriteSerialized("/points", recorded[i], 1_000_000_000L + (i * 50_000_000L));
            }

            writer.Finish();
        }

        int port = FreePort();
        Task<int> command = Task.Run(() => Program.Run(["foxglove", "--mcap", path, "--port", $"{port}",
            "--address", "127.0.0.1", "--rate", "4", "--duration", "10"]));
        await using FoxgloveTestClient client = await ConnectAsync(port);
        JsonElement channel = Assert.Single((await client.HandshakeAsync()).Channels);
        Assert.Equal(("/points", "sensor_msgs/msg/PointCloud2"), (channel.GetProperty("topic").GetString(), channel.GetProperty("schemaName").GetString()));
        await client.SubscribeAsync(1, channel.GetProperty("id").GetUInt32()); // playback waits for this
        for (int i = 0; i < recorded.Length; i++)
        {
            Assert.Equal(recorded[i], (await client.NextMessageAsync()).Payload);
        }

        Assert.Equal("playback finished", (await client.NextJsonAsync("status")).GetProperty("message").GetString());
        Assert.Equal(0, await command.WaitAsync(FoxgloveTestClient.Timeout));
    }

    [Fact]
    public async Task The_node_serves_its_input_output_and_diagnostics_to_foxglove()
    {
        uint domain = (uint)(60 + (Environment.ProcessId % 40));
        int port = FreePort();
        Task<int> node = Task.Run(() => Program.Run(["ros2", "segment", "--input-topic", "/fox/points", "--output-topic",
            "/fox/segmented", "--diagnostics-topic", "/fox/diagnostics", "--max-frames", "1", "--loopback",
            "--domain-id", $"{domain}", "--threads", "2", "--foxglove", $"{port}"]));
        using var client = new RosNode("fox_client", new RosNodeOptions { DomainId = domain, DdsConfigXml = DdsConfig.LoopbackOnly() });
        using RosPublisher<PointCloud2> scans = client.CreatePublisher<PointCloud2>("/fox/points", QosProfile.Default);
        await using FoxgloveTestClient foxglove = await ConnectAsync(port);
        await foxglove.NextJsonAsync("serverInfo");
        var channels = new Dictionary<string, uint>();
        while (channels.Count < 3)
        {
            foreach (JsonElement channel in (await foxglove.NextJsonAsync("advertise")).GetProperty("channels").EnumerateArray())
            {
                channels.Add(channel.GetProperty("topic").GetString()!, channel.GetProperty("id").GetUInt32());
            }
        }

        Assert.Equal(["/fox/diagnostics", "/fox/points", "/fox/segmented"], channels.Keys.Order());
        await foxglove.SubscribeAsync(9, channels["/fox/segmented"]);
        Assert.True(scans.Writer.WaitForReaders(2, FoxgloveTestClient.Timeout), "the node and its bridge never subscribed");
        Task<FoxgloveMessageFrame> labelled = foxglove.NextMessageAsync();
        while (!labelled.IsCompleted)
        {
            scans.Publish(Cloud(1, 2000));
            await Task.WhenAny(labelled, Task.Delay(200));
        }

        PointCloud2 cloud = RosSerialization.Deserialize<PointCloud2>((await labelled).Payload);
        Assert.Equal(2000, new PointCloud2Reader(cloud).ReadUInt32("label").Length);
        Assert.Equal(0, await node.WaitAsync(TimeSpan.FromSeconds(120)));
    }

    [Theory]
    [InlineData("foxglove")]
    [InlineData("foxglove", "--topics", "/a", "--mcap", "x.mcap")]
    [InlineData("foxglove", "--mcap", "/nonexistent/x.mcap", "--port", "0")]
    [InlineData("foxglove", "--topics", "/points:sensor_msgs/msg/Nope", "--port", "0")]
    [InlineData("foxglove", "--topics", "/a", "--address", "not-an-ip")]
    public void Usage_errors_exit_with_2(params string[] arguments) => Assert.Equal(2, Program.Run(arguments));

    /// <summary>The message names the option, and nothing is served (no connection line) before the check.</summary>
    [Theory]
    [InlineData("--port", "--topics", "/a", "--port", "99999")]
    [InlineData("--mcap", "--mcap", "/nonexistent/x.mcap", "--port", "0")]
    public void Usage_error_names_its_option_before_serving(string named, params string[] arguments)
    {
        (int code, string output) = CliOutput.Run(["foxglove", .. arguments]);

        Assert.Equal(2, code);
        Assert.Contains($"error: {named}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("open a connection", output, StringComparison.Ordinal);
    }

    private static PointCloud2 Cloud(int seed, int points)
    {
        var random = new Random(seed);
        float[] xyz = [.. Enumerable.Range(0, points * 3).Select(_ => (random.NextSingle() * 40) - 20)];
        return PointCloud2Builder.Build(new Header(new Time(1_700_000_000 + seed, 0), "velodyne"), xyz,
            [.. Enumerable.Range(0, points).Select(_ => random.NextSingle())]);
    }

    /// <summary>A port free now (the command binds it right after; another process taking it meanwhile is unlikely).
    /// </summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Connects once the command listens (it loads a model or opens a file first).</summary>
    private static async Task<FoxgloveTestClient> ConnectAsync(int port)
    {
        long deadline = Environment.TickCount64 + 60_000;
        while (true)
        {
            try
            {
                return await FoxgloveTestClient.ConnectAsync(port);
            }
            catch (WebSocketException) when (Environment.TickCount64 < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
