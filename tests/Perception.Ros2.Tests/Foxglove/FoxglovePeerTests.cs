using System.Globalization;
using System.Text.Json;
using Perception.Foxglove.Sources;
using Perception.Ros2.Mcap;
using Perception.Ros2.Rosbag;
using Perception.Ros2.Tests;

namespace Perception.Foxglove.Tests;

/// <summary>
/// Foxglove's own client library (@foxglove/ws-protocol FoxgloveClient on the `ws` package, peers/foxglove-client.cjs)
/// connects to our server, subscribes to what we advertise, decodes every payload with
/// @foxglove/rosmsg2-serialization against the advertised ros2msg schema, and the decoded fields must equal the
/// messages we published: once for live publishing, once for a recording played back.
/// </summary>
public sealed class FoxglovePeerTests : IDisposable
{
    private const ulong Stamp = 1_700_000_000_987_654_321;
    private readonly string folder = Directory.CreateTempSubdirectory("perception-foxglove-peer-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [NodePeerFact]
    public async Task The_ws_protocol_client_decodes_every_message_type_we_publish()
    {
        var sent = TestMessages.All().ToList();
        await using FoxgloveServer server = await FoxgloveServerTests.StartAsync();
        uint[] channels = [.. sent.Select(m => server.Advertise(FoxgloveChannel.Ros2(Topic(m.Type), m.Type)).Id)];

        // The peer subscribes when it sees the channels; publish until it has one message of each and exits.
        JsonElement peer = await RunPeerWhile(server.Port, sent.Count, () =>
        {
            for (int i = 0; i < sent.Count; i++)
            {
                server.Publish(channels[i], Stamp, sent[i].Cdr);
            }
        });

        Assert.Equal("foxglove.websocket.v1", peer.GetProperty("subprotocol").GetString());
        Assert.Equal("perception", peer.GetProperty("serverInfo").GetProperty("name").GetString());
        Assert.Empty(peer.GetProperty("statuses").EnumerateArray());
        AssertDecoded(peer, sent, expectedStamp: _ => Stamp);
    }

    [NodePeerFact]
    public async Task The_ws_protocol_client_decodes_a_recording_we_play_back()
    {
        var sent = TestMessages.All().ToList();
        string path = Path.Combine(folder, "play.mcap");
        using (var writer = new RosbagMcapWriter(path, new McapWriterOptions()))
        {
            for (int i = 0; i < sent.Count; i++)
            {
                writer.AddTopic(Topic(sent[i].Type), sent[i].Type, QosProfile.Default);
                writer.WriteSerialized(Topic(sent[i].Type), sent[i].Cdr, (long)Stamp + i);
            }

            writer.Finish();
        }

        await using FoxgloveServer server = await FoxgloveServerTests.StartAsync(new FoxgloveServerOptions { SendsTime = true });
        using var stop = new CancellationTokenSource();
        var playback = new McapPlayback(path, server, rate: 1, loop: true);
        Task playing = playback.RunAsync(stop.Token);
        JsonElement peer = await RunPeerWhile(server.Port, sent.Count, () => { });
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => playing);

        Assert.Equal("time", Assert.Single(peer.GetProperty("serverInfo").GetProperty("capabilities").EnumerateArray()).GetString());
        AssertDecoded(peer, sent, expectedStamp: i => Stamp + (ulong)i);
        Assert.True(playback.MessagesPlayed >= sent.Count);
    }

    internal static string Topic(Ros2.Messages.RosMessageType type) => "/fox/" + type.Name.ToLowerInvariant();

    /// <summary>Runs the peer until it has one message per channel, calling <paramref name="publish"/> meanwhile.
    /// </summary>
    private static async Task<JsonElement> RunPeerWhile(int port, int channels, Action publish)
    {
        Task<JsonElement> peer = Task.Run(() =>
            NodePeer.Run("foxglove-client.cjs", $"ws://127.0.0.1:{port}", "1", $"{channels}"));
        while (!peer.IsCompleted)
        {
            publish();
            await Task.WhenAny(peer, Task.Delay(50));
        }

        return await peer;
    }

    private static void AssertDecoded(JsonElement peer, List<(Ros2.Messages.RosMessageType Type, byte[] Cdr, object Message)> sent,
        Func<int, ulong> expectedStamp)
    {
        JsonElement[] channels = [.. peer.GetProperty("channels").EnumerateArray()];
        Assert.Equal(sent.Count, channels.Length);
        JsonElement[] messages = [.. peer.GetProperty("messages").EnumerateArray()];
        Assert.Equal(sent.Count, messages.Length);
        for (int i = 0; i < sent.Count; i++)
        {
            JsonElement channel = channels.Single(c => c.GetProperty("topic").GetString() == Topic(sent[i].Type));
            Assert.Equal(("cdr", "ros2msg"), (channel.GetProperty("encoding").GetString(), channel.GetProperty("schemaEncoding").GetString()));
            Assert.Equal(sent[i].Type.RosName, channel.GetProperty("schemaName").GetString());
            JsonElement message = messages.Single(m => m.GetProperty("topic").GetString() == Topic(sent[i].Type));
            Assert.Equal(expectedStamp(i).ToString(CultureInfo.InvariantCulture), message.GetProperty("timestamp").GetString());
            PeerJson.AssertMatches(message.GetProperty("decoded"), sent[i].Message, Topic(sent[i].Type));
        }
    }
}
