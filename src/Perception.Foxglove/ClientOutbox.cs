namespace Perception.Foxglove;

/// <summary>A frame waiting to be sent: text (JSON) or binary, a head and, for message data, the payload sent after it
/// in the same WebSocket message (shared by every client that waits for it).</summary>
internal readonly record struct OutgoingFrame(bool IsText, byte[] Head, ReadOnlyMemory<byte> Payload, bool IsData);

/// <summary>
/// What one client has yet to receive, in order. Message data is bounded by count and bytes: when full, the oldest
/// message data is dropped and counted, so a client that reads slowly sees the newest data and costs bounded memory
/// while the publisher never waits for it. Control messages (serverInfo, advertise, status, time) are never dropped.
/// </summary>
internal sealed class ClientOutbox(int maxMessages, long maxBytes)
{
    private readonly object gate = new();
    private readonly LinkedList<OutgoingFrame> frames = new();
    private int dataCount;
    private long dataBytes;
    private long dropped;
    private bool completed;
    private bool draining;
    private TaskCompletionSource? waiter;

    /// <summary>Message-data frames dropped because the client fell behind.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    public void EnqueueControl(byte[] json) => Enqueue(new OutgoingFrame(true, json, default, false));

    public void EnqueueBinaryControl(byte[] frame) => Enqueue(new OutgoingFrame(false, frame, default, false));

    public void EnqueueData(byte[] head, ReadOnlyMemory<byte> payload)
    {
        lock (gate)
        {
            while (dataCount > 0 && (dataCount >= maxMessages || dataBytes + payload.Length > maxBytes))
            {
                DropOldestData();
            }

            Enqueue(new OutgoingFrame(false, head, payload, true));
        }
    }

    /// <summary>The next frame; null once <see cref="Complete"/> was called or the token cancelled.</summary>
    public async Task<OutgoingFrame?> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (gate)
            {
                if (completed)
                {
                    return null;
                }

                if (frames.First is { Value: var frame })
                {
                    frames.RemoveFirst();
                    Count(frame, -1);
                    return frame;
                }

                if (draining)
                {
                    return null;
                }

                waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = waiter.Task;
            }

            try
            {
                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }

    /// <summary>Lets the sender take what is queued, then ends it (null from TakeAsync): the server stopping
    /// still delivers the last messages of a node that publishes and exits.</summary>
    public void Drain()
    {
        lock (gate)
        {
            draining = true;
        }

        Wake();
    }

    /// <summary>Ends the outbox: <see cref="TakeAsync"/> returns null and later frames are ignored.</summary>
    public void Complete()
    {
        lock (gate)
        {
            completed = true;
            frames.Clear();
        }

        Wake();
    }

    private void Enqueue(OutgoingFrame frame)
    {
        lock (gate)
        {
            if (completed)
            {
                return;
            }

            frames.AddLast(frame);
            Count(frame, +1);
        }

        Wake();
    }

    /// <summary>Removes the first message data; only control frames, which are few, can stand before it.</summary>
    private void DropOldestData()
    {
        LinkedListNode<OutgoingFrame> node = frames.First!;
        while (!node.Value.IsData)
        {
            node = node.Next!;
        }

        frames.Remove(node);
        Count(node.Value, -1);
        dropped++;
    }

    private void Count(OutgoingFrame frame, int sign)
    {
        if (frame.IsData)
        {
            dataCount += sign;
            dataBytes += sign * frame.Payload.Length;
        }
    }

    private void Wake()
    {
        TaskCompletionSource? woken;
        lock (gate)
        {
            woken = waiter;
            waiter = null;
        }

        woken?.TrySetResult();
    }
}
