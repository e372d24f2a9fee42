using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Perception.Ros2.Messages;

namespace Perception.Foxglove.Tests;

/// <summary>The server against a .NET ClientWebSocket client: handshake, channels, subscriptions, several clients,
/// malformed requests, and shutdown. Every server listens on 127.0.0.1 on a port the system picks.</summary>
public sealed class FoxgloveServerTests
{
    private static readonly RosMessageType CloudType = RosMessageType.Get("sensor_msgs/msg/PointCloud2");
    private static readonly RosMessageType DiagnosticsType = RosMessageType.Get("diagnostic_msgs/msg/DiagnosticArray");

    internal static Task<FoxgloveServer> StartAsync(FoxgloveServerOptions? options = null) =>
        FoxgloveServer.StartAsync((options ?? new FoxgloveServerOptions()) with { Address = IPAddress.Loopback, Port = 0 });

    [Fact]
    public async Task A_client_gets_serverInfo_then_the_channels_with_their_ros2msg_schemas()
    {
        await using FoxgloveServer server = await StartAsync(new FoxgloveServerOptions { Name = "test bridge" });
        FoxgloveChannel cloud = server.Advertise(FoxgloveChannel.Ros2("/points", CloudType));
        FoxgloveChannel diagnostics = server.Advertise(FoxgloveChannel.Ros2("/diagnostics", DiagnosticsType));
        await using FoxgloveTestClient client = await FoxgloveTestClient.ConnectAsync(server.Port);

        (JsonElement info, JsonElement[] channels) = await client.HandshakeAsync();

        Assert.Equal("foxglove.websocket.v1", client.Socket.SubProtocol);
        Assert.Equal("test bridge", info.GetProperty("name").GetString());
        Assert.Empty(info.GetProperty("capabilities").EnumerateArray());
        Assert.False(string.IsNullOrEmpty(info.GetProperty("sessionId").GetString()));
        Assert.Equal(2, channels.Length);
        foreach ((JsonElement json, FoxgloveChannel channel, RosMessageType type) in
                 new[] { (channels[0], cloud, CloudType), (channels[1], diagnostics, DiagnosticsType) })
        {
            Assert.Equal(channel.Id, json.GetProperty("id").GetUInt32());
            Assert.Equal(channel.Topic, json.GetProperty("topic").GetString());
            Assert.Equal("cdr", json.GetProperty("encoding").GetString());
            Assert.Equal(type.RosName, json.GetProperty("schemaName").GetString());
            Assert.Equal(type.Ros2MsgSchema, json.GetProperty("schema").GetString());
            Assert.Equal("ros2msg", json.GetProperty("schemaEncoding").GetString());
        }

        FoxgloveChannel later = server.Advertise(FoxgloveChannel.Ros2("/later", CloudType));
        JsonElement advertised = (await client.NextJsonAsync("advertise")).GetProperty("channels")[0];
        Assert.Equal((later.Id, "/later"), (advertised.GetProperty("id").GetUInt32(), advertised.GetProperty("topic").GetString()));
    }

    [Fact]
    public async Task Subscribed_messages_arrive_as_binary_frames_until_unsubscribed()
    {
        await using Session session = await OpenAsync();
        (FoxgloveServer server, FoxgloveTestClient client, uint cloud, uint diagnostics) = session;
        await client.SubscribeAsync(7, cloud);
        await client.SubscribeAsync(8, diagnostics);
        await WaitUntil(() => server.SubscriberCount(diagnostics) == 1);

        byte[] payload = RosSerialization.Serialize(Ros2.Tests.TestMessages.Cloud());
        server.Publish(cloud, 1_700_000_000_123_456_789, payload);
        FoxgloveMessageFrame frame = await client.NextMessageAsync();
        Assert.Equal((7u, 1_700_000_000_123_456_789UL), (frame.SubscriptionId, frame.TimestampNs));
        Assert.Equal(payload, frame.Payload);

        await client.UnsubscribeAsync(7);
        await WaitUntil(() => server.SubscriberCount(cloud) == 0);
        server.Publish(cloud, 2, payload);
        server.Publish(diagnostics, 3, new byte[] { 0, 1, 0, 0 });
        frame = await client.NextMessageAsync(); // the unsubscribed channel's message never came before it
        Assert.Equal((8u, 3UL), (frame.SubscriptionId, frame.TimestampNs));
    }

    [Fact]
    public async Task Several_clients_each_get_their_own_subscriptions()
    {
        await using FoxgloveServer server = await StartAsync();
        uint cloud = server.Advertise(FoxgloveChannel.Ros2("/points", CloudType)).Id;
        uint diagnostics = server.Advertise(FoxgloveChannel.Ros2("/diagnostics", DiagnosticsType)).Id;
        FoxgloveTestClient[] clients = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => FoxgloveTestClient.ConnectAsync(server.Port)));
        try
        {
            for (int i = 0; i < clients.Length; i++)
            {
                await clients[i].HandshakeAsync();
                await clients[i].SubscribeAsync((uint)(100 + i), i == 2 ? diagnostics : cloud);
            }

            await WaitUntil(() => server.SubscriberCount(cloud) == 2 && server.SubscriberCount(diagnostics) == 1);
            Assert.Equal(3, server.ClientCount);
            server.Publish(cloud, 10, new byte[] { 0, 1, 0, 0, 42 });
            server.Publish(diagnostics, 11, new byte[] { 0, 1, 0, 0, 43 });
            for (int i = 0; i < clients.Length; i++)
            {
                FoxgloveMessageFrame frame = await clients[i].NextMessageAsync();
                Assert.Equal((uint)(100 + i), frame.SubscriptionId);
                Assert.Equal(i == 2 ? 43 : 42, frame.Payload[4]);
            }
        }
        finally
        {
            foreach (FoxgloveTestClient client in clients)
            {
                await client.DisposeAsync();
            }
        }

        await WaitUntil(() => server.ClientCount == 0);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1,2]", "\"op\"")]
    [InlineData("{\"op\":42}", "\"op\"")]
    [InlineData("{\"op\":\"subscribe\"}", "\"subscriptions\" must be an array")]
    [InlineData("{\"op\":\"subscribe\",\"subscriptions\":[{\"id\":-1,\"channelId\":1}]}", "\"id\" must be")]
    [InlineData("{\"op\":\"subscribe\",\"subscriptions\":[{\"id\":1,\"channelId\":\"1\"}]}", "\"channelId\" must be")]
    [InlineData("{\"op\":\"subscribe\",\"subscriptions\":[{\"id\":1,\"channelId\":99}]}", "channel 99 is not advertised")]
    [InlineData("{\"op\":\"unsubscribe\",\"subscriptionIds\":[\"x\"]}", "\"subscriptionIds\" must be")]
    [InlineData("{\"op\":\"setParameters\",\"parameters\":[]}", "not supported")]
    [InlineData("{\"op\":\"fly\"}", "unknown op \"fly\"")]
    [InlineData("{\"op\":\"subscribe\",\"subscriptions\":[{\"id\":5,\"channelId\":1}]}{", "not valid JSON")]
    public async Task A_malformed_request_gets_an_error_status_and_the_connection_goes_on(string request, string expected)
    {
        await using Session session = await OpenAsync();
        (FoxgloveServer server, FoxgloveTestClient client, uint cloud, _) = session;

        await client.SendAsync(request);
        JsonElement status = await client.NextJsonAsync("status");
        Assert.Equal(2, status.GetProperty("level").GetInt32());
        Assert.Contains(expected, status.GetProperty("message").GetString(), StringComparison.Ordinal);

        await client.SubscribeAsync(1, cloud); // still served
        await WaitUntil(() => server.SubscriberCount(cloud) == 1);
        server.Publish(cloud, 5, new byte[] { 0, 1, 0, 0 });
        Assert.Equal(1u, (await client.NextMessageAsync()).SubscriptionId);
    }

    [Fact]
    public async Task Binary_frames_duplicate_ids_and_unknown_unsubscribes_get_statuses()
    {
        await using Session session = await OpenAsync();
        (FoxgloveServer server, FoxgloveTestClient client, uint cloud, uint diagnostics) = session;

        await client.SendAsync("\u0001\u0000\u0000\u0000\u0000", WebSocketMessageType.Binary);
        Assert.Contains("clientPublish", (await client.NextJsonAsync("status")).GetProperty("message").GetString());
        await client.SubscribeAsync(1, cloud);
        await client.SubscribeAsync(1, diagnostics);
        Assert.Contains("id 1 is already in use", (await client.NextJsonAsync("status")).GetProperty("message").GetString());
        await client.SubscribeAsync(2, cloud);
        Assert.Contains($"channel {cloud} is already subscribed", (await client.NextJsonAsync("status")).GetProperty("message").GetString());
        await client.UnsubscribeAsync(9);
        JsonElement warning = await client.NextJsonAsync("status");
        Assert.Equal((1, "unsubscribe: no subscription 9"), (warning.GetProperty("level").GetInt32(), warning.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Unadvertising_tells_clients_and_ends_their_subscriptions()
    {
        await using Session session = await OpenAsync();
        (FoxgloveServer server, FoxgloveTestClient client, uint cloud, _) = session;
        await client.SubscribeAsync(3, cloud);
        await WaitUntil(() => server.SubscriberCount(cloud) == 1);

        server.Unadvertise(cloud);
        JsonElement unadvertise = await client.NextJsonAsync("unadvertise");
        Assert.Equal(cloud, Assert.Single(unadvertise.GetProperty("channelIds").EnumerateArray()).GetUInt32());
        Assert.Equal(0, server.SubscriberCount(cloud));
    }

    [Fact]
    public async Task Stopping_closes_every_client_normally()
    {
        FoxgloveServer server = await StartAsync();
        await using FoxgloveTestClient first = await FoxgloveTestClient.ConnectAsync(server.Port);
        await using FoxgloveTestClient second = await FoxgloveTestClient.ConnectAsync(server.Port);
        await first.HandshakeAsync(expectChannels: false);
        await second.HandshakeAsync(expectChannels: false);

        await server.DisposeAsync().AsTask().WaitAsync(FoxgloveTestClient.Timeout);

        foreach (FoxgloveTestClient client in new[] { first, second })
        {
            Assert.Null(await client.ReceiveAsync());
            Assert.Equal(WebSocketCloseStatus.NormalClosure, client.Socket.CloseStatus);
        }
    }

    [Fact]
    public async Task Plain_http_and_a_missing_subprotocol_are_refused()
    {
        await using FoxgloveServer server = await StartAsync();
        using var http = new HttpClient();
        HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("foxglove.websocket.v1", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Assert.ThrowsAsync<WebSocketException>(() => FoxgloveTestClient.ConnectAsync(server.Port, "other.v1"));
    }

    /// <summary>A server with /points and /diagnostics advertised and one client past its handshake.</summary>
    private static async Task<Session> OpenAsync()
    {
        FoxgloveServer server = await StartAsync();
        uint cloud = server.Advertise(FoxgloveChannel.Ros2("/points", CloudType)).Id;
        uint diagnostics = server.Advertise(FoxgloveChannel.Ros2("/diagnostics", DiagnosticsType)).Id;
        FoxgloveTestClient client = await FoxgloveTestClient.ConnectAsync(server.Port);
        await client.HandshakeAsync();
        return new Session(server, client, cloud, diagnostics);
    }

    /// <summary>Waits for what the server does asynchronously (subscribe requests, clients leaving).</summary>
    internal static async Task WaitUntil(Func<bool> condition)
    {
        long deadline = Environment.TickCount64 + (long)FoxgloveTestClient.Timeout.TotalMilliseconds;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }

    private sealed record Session(FoxgloveServer Server, FoxgloveTestClient Client, uint Cloud, uint Diagnostics)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
        }
    }
}
