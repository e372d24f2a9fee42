namespace Perception.Ros2.Dds;

/// <summary>Cyclone DDS configuration documents for <see cref="DdsParticipantOptions.ConfigXml"/>.</summary>
public static class DdsConfig
{
    /// <summary>
    /// Discovery and data on the loopback interface only: no multicast, unicast discovery to 127.0.0.1 for up to
    /// <paramref name="maxParticipants"/> participants per domain. For tests and single-machine setups; the same XML
    /// works in CYCLONEDDS_URI for other processes (C peers, ROS 2 nodes using rmw_cyclonedds).
    /// </summary>
    public static string LoopbackOnly(int maxParticipants = 20) =>
        "<CycloneDDS><Domain><General><Interfaces><NetworkInterface name=\"lo\"/></Interfaces>" +
        "<AllowMulticast>false</AllowMulticast></General><Discovery><ParticipantIndex>auto</ParticipantIndex>" +
        $"<MaxAutoParticipantIndex>{maxParticipants}</MaxAutoParticipantIndex>" +
        "<Peers><Peer address=\"127.0.0.1\"/></Peers></Discovery></Domain></CycloneDDS>";
}
