using Perception.Ros2.Dds.Native;

namespace Perception.Ros2.Dds;

/// <summary>One received payload: the XCDR1 bytes as they came (header included) and the writer's timestamp.</summary>
public readonly record struct DdsSample(byte[] Payload, long SourceTimestampNanoseconds);

/// <summary>
/// A DDS data reader that hands out the serialized samples (dds_takecdr, then ddsi_serdata_to_ser), so decoding is
/// our CDR reader's job and a malformed payload is a typed error for the caller, never a crash here. Waiting goes
/// through a waitset with a read condition; cancellation triggers the waitset so a blocked wait returns at once.
/// </summary>
public sealed unsafe class DdsReader : IDisposable
{
    private const int Batch = 16;
    private int handle;
    private int waitset;

    internal DdsReader(DdsParticipant participant, int handle, string topicName)
    {
        this.handle = handle;
        TopicName = topicName;
        Guid = DdsParticipant.GuidOf(handle);
        waitset = DdsException.Check(DdsNative.CreateWaitset(participant.Handle), "dds_create_waitset");
        int condition = DdsException.Check(DdsNative.CreateReadCondition(handle, DdsNative.AnyState),
            "dds_create_readcondition");
        DdsException.Check(DdsNative.WaitsetAttach(waitset, condition, IntPtr.Zero), "dds_waitset_attach");
    }

    public string TopicName { get; }

    /// <summary>The reader's 16-byte DDS GUID.</summary>
    public byte[] Guid { get; }

    /// <summary>Writers currently matched with this reader.</summary>
    public int MatchedWriters
    {
        get
        {
            DdsMatchedStatus status;
            DdsException.Check(DdsNative.GetSubscriptionMatchedStatus(Handle, &status),
                "dds_get_subscription_matched_status");
            return (int)status.CurrentCount;
        }
    }

    private int Handle => handle != 0 ? handle : throw new ObjectDisposedException(nameof(DdsReader));

    /// <summary>Blocks until a sample is available (true), the timeout passes or the token is cancelled (false).</summary>
    public bool WaitForData(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        int ws = waitset;
        using CancellationTokenRegistration wake =
            cancellationToken.Register(() => DdsNative.WaitsetSetTrigger(ws, trigger: true));
        long nanoseconds = timeout == Timeout.InfiniteTimeSpan ? DdsNative.Infinity : (long)(timeout.Ticks * 100);
        int triggered = DdsException.Check(DdsNative.WaitsetWait(ws, IntPtr.Zero, 0, nanoseconds), "dds_waitset_wait");
        return triggered > 0 && !cancellationToken.IsCancellationRequested;
    }

    /// <summary>Takes every available sample (in batches) into <paramref name="samples"/>; returns how many.</summary>
    public int Take(List<DdsSample> samples)
    {
        IntPtr* serdata = stackalloc IntPtr[Batch];
        DdsSampleInfo* infos = stackalloc DdsSampleInfo[Batch];
        int total = 0;
        int taken;
        do
        {
            taken = DdsException.Check(DdsNative.TakeCdr(Handle, serdata, Batch, infos, DdsNative.AnyState),
                $"dds_takecdr({TopicName})");
            for (int i = 0; i < taken; i++)
            {
                try
                {
                    if (infos[i].ValidData)
                    {
                        uint size = DdsNative.SerdataSize(serdata[i]);
                        byte[] payload = GC.AllocateUninitializedArray<byte>((int)size);
                        fixed (byte* target = payload)
                        {
                            DdsNative.SerdataToSer(serdata[i], 0, size, target);
                        }

                        samples.Add(new DdsSample(payload, infos[i].SourceTimestamp));
                        total++;
                    }
                }
                finally
                {
                    DdsNative.SerdataUnref(serdata[i]);
                }
            }
        }
        while (taken == Batch);

        return total;
    }

    public void Dispose()
    {
        if (handle != 0)
        {
            _ = DdsNative.Delete(waitset);
            _ = DdsNative.Delete(handle); // its read condition goes with it
            handle = 0;
            waitset = 0;
        }
    }
}
