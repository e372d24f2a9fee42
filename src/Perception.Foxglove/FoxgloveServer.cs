using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Perception.Foxglove;

/// <summary>
/// A Foxglove WebSocket server (foxglove.websocket.v1) on Kestrel. Sources advertise channels and publish serialized
/// messages; each client gets serverInfo and the current channels on connect and then the messages of the channels it
/// subscribed to, through its own bounded outbox, so publishing never blocks and a slow client never stalls the
/// others. Disposing closes every connection with a normal close and stops Kestrel.
/// </summary>
public sealed class FoxgloveServer : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);
    private readonly FoxgloveServerOptions options;
    private readonly WebApplication app;
    private readonly CancellationTokenSource stopping = new();
    private readonly Dictionary<uint, FoxgloveChannel> channels = [];
    private readonly string sessionId = $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}-{Environment.ProcessId}";
    private volatile ClientConnection[] clients = [];
    private uint nextChannelId;
    private long droppedByGoneClients;
    private int disposed;

    private FoxgloveServer(FoxgloveServerOptions options)
    {
        this.options = options;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // the command line reports what matters; Kestrel's request log is noise here
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.Address, options.Port));
        app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        app.Run(AcceptAsync);
    }

    /// <summary>The port it listens on (the chosen one when <see cref="FoxgloveServerOptions.Port"/> is 0).</summary>
    public int Port { get; private set; }

    /// <summary>Clients connected now.</summary>
    public int ClientCount => clients.Length;

    /// <summary>Messages dropped for clients that fell behind, connected or gone, since the start.</summary>
    public long DroppedMessages => Interlocked.Read(ref droppedByGoneClients) + clients.Sum(c => c.Outbox.Dropped);

    /// <summary>Clients subscribed to the channel now (a source may skip work nobody watches).</summary>
    public int SubscriberCount(uint channelId) => clients.Count(client => client.TryGetSubscription(channelId, out _));

    /// <summary>Starts listening.</summary>
    /// <exception cref="IOException">The address or port cannot be bound (in use, not an address of this machine).
    /// </exception>
    public static async Task<FoxgloveServer> StartAsync(FoxgloveServerOptions options)
    {
        var server = new FoxgloveServer(options);
        await server.app.StartAsync().ConfigureAwait(false);
        string address = server.app.Services.GetRequiredService<IServer>().Features
            .Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address).Port;
        return server;
    }

    /// <summary>Adds a channel (its <see cref="FoxgloveChannel.Id"/> is assigned here) and tells every client.</summary>
    public FoxgloveChannel Advertise(FoxgloveChannel channel)
    {
        lock (channels)
        {
            channel = channel with { Id = ++nextChannelId };
            channels.Add(channel.Id, channel);
            byte[] advertise = FoxgloveProtocol.Advertise([channel]);
            Array.ForEach(clients, client => client.Outbox.EnqueueControl(advertise));
        }

        return channel;
    }

    /// <summary>Removes a channel; clients are told and their subscriptions to it end.</summary>
    public void Unadvertise(uint channelId)
    {
        lock (channels)
        {
            if (channels.Remove(channelId))
            {
                byte[] unadvertise = FoxgloveProtocol.Unadvertise(channelId);
                foreach (ClientConnection client in clients)
                {
                    client.RemoveChannel(channelId);
                    client.Outbox.EnqueueControl(unadvertise);
                }
            }
        }
    }

    /// <summary>Queues one serialized message for every client subscribed to the channel; never blocks. The payload
    /// is shared by all clients until sent, so it must not change afterwards.</summary>
    public void Publish(uint channelId, ulong receiveTimeNs, ReadOnlyMemory<byte> payload)
    {
        foreach (ClientConnection client in clients)
        {
            if (client.TryGetSubscription(channelId, out uint subscriptionId))
            {
                client.Outbox.EnqueueData(FoxgloveProtocol.MessageDataHeader(subscriptionId, receiveTimeNs), payload);
            }
        }
    }

    /// <summary>Sends the current time (recording time in playback) when the <c>time</c> capability is on.</summary>
    public void BroadcastTime(ulong timeNs)
    {
        if (options.SendsTime)
        {
            byte[] frame = FoxgloveProtocol.Time(timeNs);
            Array.ForEach(clients, client => client.Outbox.EnqueueBinaryControl(frame));
        }
    }

    /// <summary>Sends a status message to every client (for example "playback finished").</summary>
    public void BroadcastStatus(FoxgloveStatusLevel level, string message)
    {
        byte[] status = FoxgloveProtocol.Status(level, message);
        Array.ForEach(clients, client => client.Outbox.EnqueueControl(status));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(CloseTimeout * 2);
            await app.StopAsync(timeout.Token).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            stopping.Dispose();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest
            || !context.WebSockets.WebSocketRequestedProtocols.Contains(FoxgloveProtocol.Subprotocol))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"A Foxglove WebSocket server: connect with the WebSocket subprotocol "
                + $"{FoxgloveProtocol.Subprotocol} (Foxglove: Open connection, ws://host:{Port}).").ConfigureAwait(false);
            return;
        }

        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync(FoxgloveProtocol.Subprotocol)
            .ConfigureAwait(false);
        var client = new ClientConnection(socket, options, $"{context.Connection.RemoteIpAddress}");
        Join(client);
        // Not linked to stopping: on stop the sender first drains what is queued (below), then it is cancelled.
        using var sendCancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var stop = new TaskCompletionSource();
        using CancellationTokenRegistration onStop = stopping.Token.Register(() => stop.TrySetResult());
        try
        {
            Task sending = client.SendAsync(sendCancel.Token);
            // Receiving is not cancelled on stop (cancelling a receive aborts the socket): on stop the server sends
            // its close and the receive ends with the client's answering close, the normal WebSocket handshake.
            Task receiving = client.ReceiveAsync(ChannelExists, context.RequestAborted);
            await Task.WhenAny(receiving, stop.Task).ConfigureAwait(false);
            if (!receiving.IsCompleted)
            {
                // Stopping: what is queued still goes out, for a bounded time, before the close.
                client.Outbox.Drain();
                await Task.WhenAny(sending, Task.Delay(CloseTimeout)).ConfigureAwait(false);
            }

            await sendCancel.CancelAsync().ConfigureAwait(false);
            await sending.ConfigureAwait(false);
            await CloseAsync(socket, receiving).ConfigureAwait(false);
        }
        finally
        {
            Leave(client);
        }
    }

    /// <summary>Registers a client and queues serverInfo and the channels, under the channel lock so that no
    /// advertise can slip between its snapshot and its registration.</summary>
    private void Join(ClientConnection client)
    {
        lock (channels)
        {
            client.Outbox.EnqueueControl(FoxgloveProtocol.ServerInfo(options, sessionId));
            if (channels.Count > 0)
            {
                client.Outbox.EnqueueControl(FoxgloveProtocol.Advertise(channels.Values));
            }

            clients = [.. clients, client];
        }
    }

    private void Leave(ClientConnection client)
    {
        lock (channels)
        {
            clients = [.. clients.Where(c => c != client)];
            client.Outbox.Complete();
            Interlocked.Add(ref droppedByGoneClients, client.Outbox.Dropped);
        }
    }

    private bool ChannelExists(uint channelId)
    {
        lock (channels)
        {
            return channels.ContainsKey(channelId);
        }
    }

    /// <summary>Sends a normal close (answering the client's, or the server's own on stop) and waits for the receive
    /// side to end; a client that does not answer in time is aborted.</summary>
    private static async Task CloseAsync(WebSocket socket, Task receiving)
    {
        try
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "server stopping", timeout.Token)
                    .ConfigureAwait(false);
            }

            await receiving.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            socket.Abort();
        }
    }
}
