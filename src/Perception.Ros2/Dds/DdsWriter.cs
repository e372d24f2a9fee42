using Perception.Ros2.Dds.Native;
using Perception.Ros2.Dds.Types;

namespace Perception.Ros2.Dds;

/// <summary>
/// A DDS data writer that takes XCDR1 payloads. Why CDR in and a C sample to Cyclone: Cyclone 0.10.2 can only write
/// through a sertype, and the only public way to get one is a topic descriptor (route 1 of the interop spec); raw
/// dds_writecdr needs the topic's sertype, which 0.10.2 does not expose. So the payload our CDR codec wrote is
/// unpacked into the descriptor's C layout (<see cref="DdsSampleBuilder"/>; the bulk uint8[] data is pinned, not
/// copied) and Cyclone serializes it again, keeping one message codec for DDS, MCAP and Foxglove.
/// </summary>
public sealed unsafe class DdsWriter : IDisposable
{
    private readonly DdsTopicDescriptor descriptor;
    private int handle;

    internal DdsWriter(int handle, DdsTopicDescriptor descriptor, string topicName)
    {
        this.handle = handle;
        this.descriptor = descriptor;
        TopicName = topicName;
        Guid = DdsParticipant.GuidOf(handle);
    }

    /// <summary>The DDS topic name (<c>rt/...</c> for ROS topics).</summary>
    public string TopicName { get; }

    public string DdsTypeName => descriptor.DdsTypeName;

    /// <summary>The writer's 16-byte DDS GUID.</summary>
    public byte[] Guid { get; }

    /// <summary>Readers currently matched with this writer.</summary>
    public int MatchedReaders
    {
        get
        {
            DdsMatchedStatus status;
            DdsException.Check(DdsNative.GetPublicationMatchedStatus(Handle, &status),
                "dds_get_publication_matched_status");
            return (int)status.CurrentCount;
        }
    }

    private int Handle => handle != 0 ? handle : throw new ObjectDisposedException(nameof(DdsWriter));

    /// <summary>Publishes one serialized message (encapsulation header included).</summary>
    /// <exception cref="Cdr.CdrFormatException">The payload is not a well-formed <see cref="DdsTypeName"/>.</exception>
    /// <exception cref="DdsException">dds_write failed.</exception>
    public void Write(ReadOnlyMemory<byte> payload)
    {
        using var sample = new DdsSampleBuilder();
        IntPtr native = sample.Build(descriptor.Type, payload);
        DdsException.Check(DdsNative.Write(Handle, (void*)native), $"dds_write({TopicName})");
    }

    /// <summary>Waits until at least <paramref name="readers"/> readers are matched; false on timeout.</summary>
    public bool WaitForReaders(int readers, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (MatchedReaders < readers)
        {
            if (Environment.TickCount64 > deadline || cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            Thread.Sleep(10);
        }

        return true;
    }

    /// <summary>Waits until every matched reliable reader acknowledged what was written; false on timeout.</summary>
    public bool WaitForAcknowledgements(TimeSpan timeout)
    {
        int result = DdsNative.WaitForAcks(Handle, (long)(timeout.Ticks * 100));
        return result == 0 || (result != -10 && DdsException.Check(result, $"dds_wait_for_acks({TopicName})") >= 0);
    }

    public void Dispose()
    {
        if (handle != 0)
        {
            // ALREADY_DELETED is expected when the participant went first: deleting it deleted its children.
            _ = DdsNative.Delete(handle);
            handle = 0;
        }
    }
}
