using System.Buffers;
using System.Net.WebSockets;

namespace Perception.Foxglove;

/// <summary>
/// One connected client: its WebSocket, its outbox and its subscriptions (the client's ids, one per channel). The
/// receive loop turns requests into subscription changes or error statuses; the send loop drains the outbox. Neither
/// ever throws to the server: a broken or misbehaving client only ends its own connection.
/// </summary>
internal sealed class ClientConnection(WebSocket socket, FoxgloveServerOptions options, string remote)
{
    private readonly Dictionary<uint, uint> channelBySubscription = [];
    private readonly Dictionary<uint, uint> subscriptionByChannel = [];

    public ClientOutbox Outbox { get; } = new(options.QueueMessages, options.QueueBytes);

    public string Remote { get; } = remote;

    /// <summary>The client's subscription id for <paramref name="channelId"/>, if it subscribed.</summary>
    public bool TryGetSubscription(uint channelId, out uint subscriptionId)
    {
        lock (subscriptionByChannel)
        {
            return subscriptionByChannel.TryGetValue(channelId, out subscriptionId);
        }
    }

    /// <summary>Forgets the subscriptions of a channel that is no longer advertised.</summary>
    public void RemoveChannel(uint channelId)
    {
        lock (subscriptionByChannel)
        {
            if (subscriptionByChannel.Remove(channelId, out uint subscriptionId))
            {
                channelBySubscription.Remove(subscriptionId);
            }
        }
    }

    /// <summary>Receives client messages until the client closes, the socket fails or the server stops.</summary>
    public async Task ReceiveAsync(Func<uint, bool> channelExists, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 << 10];
        try
        {
            while (true)
            {
                int filled = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (filled == buffer.Length)
                    {
                        if (buffer.Length >= options.MaxClientMessageBytes)
                        {
                            await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig,
                                $"client messages are limited to {options.MaxClientMessageBytes} bytes",
                                cancellationToken).ConfigureAwait(false);
                            return;
                        }

                        Array.Resize(ref buffer, Math.Min(buffer.Length * 2, options.MaxClientMessageBytes));
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                    filled += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                Handle(result.MessageType, buffer.AsMemory(0, filled), channelExists);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client went away or the server is stopping: nothing to tell anyone.
        }
    }

    /// <summary>Sends the outbox until it completes, the socket fails or the server stops.</summary>
    public async Task SendAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await Outbox.TakeAsync(cancellationToken).ConfigureAwait(false) is OutgoingFrame frame)
            {
                var type = frame.IsText ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
                if (!frame.IsData)
                {
                    await socket.SendAsync(frame.Head, type, true, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // Head and payload go out as one WebSocket frame from a pooled buffer: sent as two fragments, the
                // last fragment to a client that had been stalled stayed unsent until more traffic came (seen in
                // the slow-client test), and a copy costs far less than the network does.
                int length = frame.Head.Length + frame.Payload.Length;
                byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    frame.Head.CopyTo(buffer, 0);
                    frame.Payload.CopyTo(buffer.AsMemory(frame.Head.Length));
                    await socket.SendAsync(buffer.AsMemory(0, length), type, true, cancellationToken)
                        .ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // As above: the connection ends, the other clients go on.
        }
    }

    private void Handle(WebSocketMessageType type, ReadOnlyMemory<byte> message, Func<uint, bool> channelExists)
    {
        try
        {
            if (type == WebSocketMessageType.Binary)
            {
                throw new FoxgloveRequestException("binary client messages need the clientPublish or services "
                    + "capability, which this server does not offer");
            }

            switch (ClientRequest.Parse(message))
            {
                case SubscribeRequest subscribe:
                    subscribe.Subscriptions.ToList().ForEach(s => Subscribe(s.Id, s.ChannelId, channelExists));
                    break;
                case UnsubscribeRequest unsubscribe:
                    unsubscribe.SubscriptionIds.ToList().ForEach(Unsubscribe);
                    break;
            }
        }
        catch (FoxgloveRequestException e)
        {
            Outbox.EnqueueControl(FoxgloveProtocol.Status(FoxgloveStatusLevel.Error, e.Message));
        }
    }

    private void Subscribe(uint id, uint channelId, Func<uint, bool> channelExists)
    {
        string? refusal;
        lock (subscriptionByChannel)
        {
            refusal = channelBySubscription.ContainsKey(id) ? $"subscription id {id} is already in use"
                : subscriptionByChannel.ContainsKey(channelId) ? $"channel {channelId} is already subscribed"
                : !channelExists(channelId) ? $"channel {channelId} is not advertised"
                : null;
            if (refusal is null)
            {
                channelBySubscription[id] = channelId;
                subscriptionByChannel[channelId] = id;
            }
        }

        if (refusal is not null)
        {
            Outbox.EnqueueControl(FoxgloveProtocol.Status(FoxgloveStatusLevel.Error, $"subscribe: {refusal}"));
        }
    }

    private void Unsubscribe(uint id)
    {
        bool known;
        lock (subscriptionByChannel)
        {
            known = channelBySubscription.Remove(id, out uint channelId) && subscriptionByChannel.Remove(channelId);
        }

        if (!known)
        {
            Outbox.EnqueueControl(FoxgloveProtocol.Status(FoxgloveStatusLevel.Warning,
                $"unsubscribe: no subscription {id}"));
        }
    }
}
