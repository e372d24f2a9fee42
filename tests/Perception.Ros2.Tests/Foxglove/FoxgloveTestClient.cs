using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Perception.Foxglove.Tests;

/// <summary>A message-data frame as a client receives it.</summary>
internal sealed record FoxgloveMessageFrame(uint SubscriptionId, ulong TimestampNs, byte[] Payload);

/// <summary>
/// A minimal Foxglove client over .NET's ClientWebSocket, written from the protocol text (ros-interop.md §6), not from
/// the server: it reads JSON ops and binary frames (opcode, u32, u64, payload) and sends raw text for the malformed
/// cases. Every wait has a deadline, so a server that stays silent fails the test instead of hanging it.
/// </summary>
internal sealed class FoxgloveTestClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly ClientWebSocket socket = new();

    private FoxgloveTestClient()
    {
    }

    public WebSocket Socket => socket;

    public static async Task<FoxgloveTestClient> ConnectAsync(int port, string subprotocol = "foxglove.websocket.v1")
    {
        var client = new FoxgloveTestClient();
        client.socket.Options.AddSubProtocol(subprotocol);
        using var timeout = new CancellationTokenSource(Timeout);
        await client.socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}"), timeout.Token);
        return client;
    }

    /// <summary>The next frame: a JSON document (text) or a binary frame's bytes; null when the server closed.</summary>
    public async Task<object?> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var message = new MemoryStream();
        var buffer = new byte[1 << 16];
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return result.MessageType switch
        {
            WebSocketMessageType.Close => null,
            WebSocketMessageType.Text => JsonDocument.Parse(message.ToArray()).RootElement.Clone(),
            _ => message.ToArray(),
        };
    }

    /// <summary>The next JSON message, skipping binary frames (time) on the way.</summary>
    public async Task<JsonElement> NextJsonAsync(string op)
    {
        while (true)
        {
            object? frame = await ReceiveAsync() ?? throw new InvalidOperationException($"closed while waiting for {op}");
            if (frame is JsonElement json)
            {
                Assert.Equal(op, json.GetProperty("op").GetString());
                return json;
            }
        }
    }

    /// <summary>The next message-data frame, skipping time frames; JSON in between fails the test.</summary>
    public async Task<FoxgloveMessageFrame> NextMessageAsync()
    {
        while (true)
        {
            object? frame = await ReceiveAsync() ?? throw new InvalidOperationException("closed while waiting for data");
            byte[] bytes = frame as byte[] ?? throw new Xunit.Sdk.XunitException($"expected message data, got {frame}");
            if (bytes[0] == 1)
            {
                return new FoxgloveMessageFrame(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(1)),
                    BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(5)), bytes[13..]);
            }

            Assert.Equal(2, bytes[0]); // a time frame
        }
    }

    /// <summary>serverInfo then the advertise of the channels the server has: (serverInfo, channels).</summary>
    public async Task<(JsonElement Info, JsonElement[] Channels)> HandshakeAsync(bool expectChannels = true)
    {
        JsonElement info = await NextJsonAsync("serverInfo");
        JsonElement[] channels = expectChannels
            ? [.. (await NextJsonAsync("advertise")).GetProperty("channels").EnumerateArray()] : [];
        return (info, channels);
    }

    public Task SubscribeAsync(uint subscriptionId, uint channelId) => SendAsync(
        $"{{\"op\":\"subscribe\",\"subscriptions\":[{{\"id\":{subscriptionId},\"channelId\":{channelId}}}]}}");

    public Task UnsubscribeAsync(uint subscriptionId) =>
        SendAsync($"{{\"op\":\"unsubscribe\",\"subscriptionIds\":[{subscriptionId}]}}");

    public async Task SendAsync(string text, WebSocketMessageType type = WebSocketMessageType.Text)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), type, true, timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(Timeout);
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "test done", timeout.Token);
            }
            catch (WebSocketException)
            {
                // The server stopped first (a command that ended) and aborted the unanswered close.
            }
        }

        socket.Dispose();
    }
}
