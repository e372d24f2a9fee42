namespace Perception.Foxglove;

/// <summary>A frame waiting to be sent: text (JSON) or binary, a head and an optional payload sent after it in the
/// same WebSocket message; the payload is shared by every client that waits for it.</summary>
internal readonly record struct OutgoingFrame(bool IsText, byte[] Head, ReadOnlyMemory<byte> Payload);

/// <summary>
/// What one client has yet to receive. Control messages (serverInfo, advertise, status) are never dropped and go first;
/// message data is bounded by count and bytes, and when full the oldest is dropped and counted, so a client that reads
/// slowly sees the newest data and costs bounded memory, while the publisher never waits for it.
/// </summary>
internal sealed class ClientOutbox(int maxMessages, long maxBytes)
{
    private readonly object gate = new();
    private readonly Queue<OutgoingFrame> control = new();
    private readonly Queue<OutgoingFrame> data = new();
    private long dataBytes;
    private long dropped;
    private bool completed;
    private TaskCompletionSource? waiter;

    /// <summary>Message-data frames dropped because the client fell behind.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    public void EnqueueControl(byte[] json) => Enqueue(control, new OutgoingFrame(true, json, default));

    public void EnqueueData(byte[] head, ReadOnlyMemory<byte> payload)
    {
        lock (gate)
        {
            while (data.Count > 0 && (data.Count >= maxMessages || dataBytes + payload.Length > maxBytes))
            {
                dataBytes -= data.Dequeue().Payload.Length;
                dropped++;
            }

            Enqueue(data, new OutgoingFrame(false, head, payload));
        }
    }

    public void EnqueueBinaryControl(byte[] frame) => Enqueue(control, new OutgoingFrame(false, frame, default));

    /// <summary>The next frame, control first; null once <see cref="Complete"/> was called or the token cancelled.
    /// </summary>
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

                if (control.TryDequeue(out OutgoingFrame frame) || data.TryDequeue(out frame))
                {
                    dataBytes -= frame.Payload.Length; // control frames have no payload
                    return frame;
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

    /// <summary>Ends the outbox: <see cref="TakeAsync"/> returns null and later frames are ignored.</summary>
    public void Complete()
    {
        lock (gate)
        {
            completed = true;
            control.Clear();
            data.Clear();
        }

        Wake();
    }

    private void Enqueue(Queue<OutgoingFrame> queue, OutgoingFrame frame)
    {
        lock (gate)
        {
            if (completed)
            {
                return;
            }

            queue.Enqueue(frame);
            dataBytes += frame.Payload.Length;
        }

        Wake();
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
