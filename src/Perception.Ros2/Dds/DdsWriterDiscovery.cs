using System.Runtime.InteropServices;
using Perception.Ros2.Dds.Native;
using Perception.Ros2.Rosbag;

namespace Perception.Ros2.Dds;

/// <summary>A writer some participant announced: its DDS topic, DDS type name and offered QoS.</summary>
public sealed record DdsDiscoveredWriter(byte[] Guid, string TopicName, string DdsTypeName, QosProfile Qos);

/// <summary>
/// Reads the DCPSPublication built-in topic, so a recorder learns which topics exist, with which type and which
/// offered QoS (what rosbag2 records as <c>offered_qos_profiles</c>), without being told. Cyclone keeps the discovered
/// writers as instances of that topic; taking them here consumes nothing another reader would miss.
/// </summary>
public sealed unsafe class DdsWriterDiscovery : IDisposable
{
    private const int Batch = 32;
    private readonly Dictionary<string, DdsDiscoveredWriter> known = new(StringComparer.Ordinal);
    private int reader;

    public DdsWriterDiscovery(DdsParticipant participant) =>
        reader = DdsException.Check(DdsNative.CreateReader(participant.Handle, DdsNative.BuiltinTopicPublication,
            IntPtr.Zero, IntPtr.Zero), "dds_create_reader(DCPSPublication)");

    /// <summary>Every writer discovered so far (local ones included), alive or not, keyed by GUID.</summary>
    public IReadOnlyCollection<DdsDiscoveredWriter> Writers
    {
        get
        {
            Poll();
            return known.Values;
        }
    }

    public void Dispose()
    {
        if (reader != 0)
        {
            _ = DdsNative.Delete(reader);
            reader = 0;
        }
    }

    private void Poll()
    {
        ObjectDisposedException.ThrowIf(reader == 0, this);
        IntPtr* samples = stackalloc IntPtr[Batch];
        DdsSampleInfo* infos = stackalloc DdsSampleInfo[Batch];
        int taken;
        do
        {
            new Span<IntPtr>(samples, Batch).Clear(); // null pointers ask Cyclone to loan its own samples
            taken = DdsException.Check(DdsNative.Take(reader, samples, infos, Batch, Batch), "dds_take(DCPSPublication)");
            for (int i = 0; i < taken; i++)
            {
                if (infos[i].ValidData)
                {
                    DdsDiscoveredWriter writer = Read((DdsBuiltinEndpoint*)samples[i]);
                    known[Convert.ToHexString(writer.Guid)] = writer;
                }
            }

            if (taken > 0)
            {
                _ = DdsNative.ReturnLoan(reader, samples, taken);
            }
        }
        while (taken == Batch);
    }

    private static DdsDiscoveredWriter Read(DdsBuiltinEndpoint* endpoint)
    {
        int reliability = 1, durability = 0, history = 0, depth = 1;
        long blocking;
        if (endpoint->Qos != IntPtr.Zero)
        {
            DdsNative.QosGetReliability(endpoint->Qos, &reliability, &blocking);
            DdsNative.QosGetDurability(endpoint->Qos, &durability);
            DdsNative.QosGetHistory(endpoint->Qos, &history, &depth);
        }

        // KEEP_ALL has no depth; record the default's, as rmw reports it.
        var qos = new QosProfile(history == 1 || depth < 1 ? QosProfile.Default.Depth : depth,
            Reliable: reliability == 1, TransientLocal: durability >= 1) { KeepAll = history == 1 };
        return new DdsDiscoveredWriter(new ReadOnlySpan<byte>(endpoint->Key.V, 16).ToArray(),
            Marshal.PtrToStringUTF8(endpoint->TopicName) ?? "", Marshal.PtrToStringUTF8(endpoint->TypeName) ?? "", qos);
    }
}
