using Perception.Ros2.Cdr;
using Perception.Ros2.Dds;
using Perception.Ros2.Dds.Types;
using Perception.Ros2.Rosbag;

namespace Perception.Ros2.Node;

/// <summary>Which rmw_dds_common/Gid the node announces itself with: <c>char[16]</c> from Iron on (Jazzy), or the
/// <c>char[24]</c> of Humble (rmw commit 5ab4f59 shrank it). The type name is the same, so pick the peers' distro.
/// </summary>
public enum RosDiscoveryLayout
{
    Jazzy,
    Humble,
    None,
}

/// <summary>
/// Makes the node visible to <c>ros2 node list</c>: rmw learns nodes only from the <c>ros_discovery_info</c> topic
/// (no <c>rt/</c> prefix; rmw_dds_common/msg/ParticipantEntitiesInfo, reliable, transient local, keep last 1), where
/// each participant lists its nodes with the GIDs (DDS GUIDs, zero-padded to the Gid size) of their readers and
/// writers. Republished whenever the node's endpoints change, as rmw does.
/// </summary>
internal sealed class RosGraphAnnouncer : IDisposable
{
    public const string Topic = "ros_discovery_info";
    public const string DdsTypeName = "rmw_dds_common::msg::dds_::ParticipantEntitiesInfo_";
    private static readonly DdsStructType JazzyType = ParticipantEntitiesInfo(16);
    private static readonly DdsStructType HumbleType = ParticipantEntitiesInfo(24);
    private readonly DdsWriter writer;
    private readonly byte[] participantGuid;
    private readonly int gidSize;

    public RosGraphAnnouncer(DdsParticipant participant, RosDiscoveryLayout layout)
    {
        if (layout == RosDiscoveryLayout.None)
        {
            throw new ArgumentOutOfRangeException(nameof(layout), "No announcer without a layout.");
        }

        gidSize = layout == RosDiscoveryLayout.Humble ? 24 : 16;
        writer = participant.CreateWriter(Topic, DdsTopicDescriptor.Get(DdsTypeName, TypeOf(layout)),
            new QosProfile(1, Reliable: true, TransientLocal: true));
        participantGuid = participant.Guid;
    }

    /// <summary>Publishes the participant's one node with these endpoints.</summary>
    public void Announce(string nodeNamespace, string nodeName, IEnumerable<byte[]> readerGuids,
        IEnumerable<byte[]> writerGuids) =>
        writer.Write(Serialize(gidSize, participantGuid, nodeNamespace, nodeName, readerGuids, writerGuids));

    public void Dispose() => writer.Dispose();

    /// <summary>The C layout of ParticipantEntitiesInfo in <paramref name="layout"/>.</summary>
    internal static DdsStructType TypeOf(RosDiscoveryLayout layout) =>
        layout == RosDiscoveryLayout.Humble ? HumbleType : JazzyType;

    /// <summary>The ParticipantEntitiesInfo payload: gid, then one NodeEntitiesInfo (namespace, name, reader gids,
    /// writer gids; the names are string&lt;=256, the same bytes as a string on the wire).</summary>
    internal static byte[] Serialize(int gidSize, byte[] participantGuid, string nodeNamespace, string nodeName,
        IEnumerable<byte[]> readerGuids, IEnumerable<byte[]> writerGuids)
    {
        var cdr = new CdrWriter();
        WriteGid(participantGuid);
        cdr.WriteSequenceLength(1);
        cdr.WriteString(nodeNamespace);
        cdr.WriteString(nodeName);
        WriteGids(readerGuids.ToList());
        WriteGids(writerGuids.ToList());
        return cdr.ToArray();

        void WriteGids(List<byte[]> guids)
        {
            cdr.WriteSequenceLength(guids.Count);
            guids.ForEach(WriteGid);
        }

        void WriteGid(byte[] guid)
        {
            for (int i = 0; i < gidSize; i++)
            {
                cdr.WriteUInt8(i < guid.Length ? guid[i] : (byte)0);
            }
        }
    }

    private static DdsStructType ParticipantEntitiesInfo(int gidSize) =>
        DdsStructType.Parse("rmw_dds_common/ParticipantEntitiesInfo", new Dictionary<string, string>
        {
            ["rmw_dds_common/Gid"] = $"char[{gidSize}] data\n",
            ["rmw_dds_common/NodeEntitiesInfo"] = "string<=256 node_namespace\nstring<=256 node_name\n" +
                "Gid[] reader_gid_seq\nGid[] writer_gid_seq\n",
            ["rmw_dds_common/ParticipantEntitiesInfo"] = "Gid gid\nNodeEntitiesInfo[] node_entities_info_seq\n",
        });
}
