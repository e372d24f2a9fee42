using System.Buffers.Binary;
using Perception.Ros2.Messages;

namespace Perception.Foxglove.Tests;

/// <summary>A client that stops reading loses the oldest messages (counted) and keeps the newest, while a client that
/// reads gets every message in order and the publisher never waits.</summary>
public sealed class FoxgloveSlowClientTests
{
    [Fact]
    public async Task A_stalled_client_drops_the_oldest_and_never_holds_back_a_reading_one()
    {
        const int messages = 120, payloadBytes = 512 << 10; // 60 MB: far beyond the socket buffers of the stalled client
        await using FoxgloveServer server = await FoxgloveServerTests.StartAsync(new FoxgloveServerOptions { QueueMessages = 4 });
        uint channel = server.Advertise(FoxgloveChannel.Ros2("/points", RosMessageType.Get("sensor_msgs/PointCloud2"))).Id;
        await using FoxgloveTestClient stalled = await FoxgloveTestClient.ConnectAsync(server.Port);
        await using FoxgloveTestClient reading = await FoxgloveTestClient.ConnectAsync(server.Port);
        await stalled.HandshakeAsync();
        await reading.HandshakeAsync();
        await stalled.SubscribeAsync(1, channel);
        await reading.SubscribeAsync(2, channel);
        await FoxgloveServerTests.WaitUntil(() => server.SubscriberCount(channel) == 2);

        long slowestPublishMs = 0;
        for (int i = 0; i < messages; i++)
        {
            long start = Environment.TickCount64;
            server.Publish(channel, (ulong)i, Numbered(i, payloadBytes));
            slowestPublishMs = Math.Max(slowestPublishMs, Environment.TickCount64 - start);
            FoxgloveMessageFrame frame = await reading.NextMessageAsync(); // in lockstep: the reader sees every one
            Assert.Equal((2u, (ulong)i, i), (frame.SubscriptionId, frame.TimestampNs, Number(frame.Payload)));
        }

        Assert.True(slowestPublishMs < 1000, $"a publish took {slowestPublishMs} ms");
        long dropped = server.DroppedMessages;
        Assert.True(dropped > 0, "the stalled client's queue should have dropped messages");

        // Catching up, the stalled client gets what was already in flight, then the newest messages; never a repeat.
        int last = -1, received = 0;
        while (last != messages - 1)
        {
            FoxgloveMessageFrame frame = await stalled.NextMessageAsync();
            Assert.True(Number(frame.Payload) > last, $"message {Number(frame.Payload)} after {last}");
            last = Number(frame.Payload);
            received++;
        }

        Assert.Equal(messages, received + dropped);
    }

    private static byte[] Numbered(int i, int size)
    {
        var payload = new byte[size];
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(4), i);
        return payload;
    }

    private static int Number(byte[] payload) => BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(4));
}
