using System.Text;

namespace Perception.Ros2.Rosbag;

/// <summary>The QoS a topic is offered with; rosbag2 records it per channel and replays with it.</summary>
public sealed record QosProfile(int Depth, bool Reliable, bool TransientLocal)
{
    /// <summary>KEEP_ALL history instead of keep last <see cref="Depth"/>: a reliable reader then never overwrites a
    /// sample it has not handed out yet, so nothing published is lost while its taker is briefly starved.</summary>
    public bool KeepAll { get; init; }

    /// <summary>rmw_qos_profile_sensor_data: keep last 5, best effort, volatile.</summary>
    public static QosProfile SensorData { get; } = new(5, Reliable: false, TransientLocal: false);

    /// <summary>rmw_qos_profile_default: keep last 10, reliable, volatile.</summary>
    public static QosProfile Default { get; } = new(10, Reliable: true, TransientLocal: false);

    /// <summary>
    /// The YAML list rosbag2 (Jazzy, metadata version 9) stores as <c>offered_qos_profiles</c>: policies as the rmw
    /// strings, deadline/lifespan/lease infinite (RMW_DURATION_INFINITE = 9223372036 s 854775807 ns).
    /// </summary>
    public string ToOfferedQosYaml(string indent = "")
    {
        const string infinite = "\n{0}    sec: 9223372036\n{0}    nsec: 854775807";
        var yaml = new StringBuilder();
        yaml.Append(indent).Append("- history: ").Append(KeepAll ? "keep_all" : "keep_last").Append('\n')
            .Append(indent).Append("  depth: ").Append(Depth).Append('\n')
            .Append(indent).Append("  reliability: ").Append(Reliable ? "reliable" : "best_effort").Append('\n')
            .Append(indent).Append("  durability: ").Append(TransientLocal ? "transient_local" : "volatile").Append('\n')
            .Append(indent).Append("  deadline:").AppendFormat(infinite, indent).Append('\n')
            .Append(indent).Append("  lifespan:").AppendFormat(infinite, indent).Append('\n')
            .Append(indent).Append("  liveliness: automatic\n")
            .Append(indent).Append("  liveliness_lease_duration:").AppendFormat(infinite, indent).Append('\n')
            .Append(indent).Append("  avoid_ros_namespace_conventions: false");
        return yaml.ToString();
    }

    /// <summary>
    /// The first profile of a recorded <c>offered_qos_profiles</c> list, or null when there is none. Reads both
    /// spellings rosbag2 has used: Jazzy's strings (<c>reliable</c>, <c>transient_local</c>) and Humble's rmw enum
    /// numbers (history 1 keep last / 2 keep all, reliability 1 reliable / 2 best effort, durability 1 transient local /
    /// 2 volatile); a depth of 0
    /// (Humble's "system default") becomes the default depth.
    /// </summary>
    public static QosProfile? FromOfferedQosYaml(string? yaml)
    {
        int depth = 0, profiles = 0;
        bool? reliable = null, transientLocal = null;
        bool keepAll = false;
        foreach (string raw in (yaml ?? "").Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith('-') && ++profiles > 1)
            {
                break; // only the first publisher's profile
            }

            (string key, string value) = line.TrimStart('-', ' ').Split(':', 2) is [string k, string v]
                ? (k.Trim(), v.Trim()) : ("", "");
            switch (key)
            {
                case "history":
                    keepAll = value is "keep_all" or "2";
                    break;
                case "depth":
                    _ = int.TryParse(value, out depth);
                    break;
                case "reliability":
                    reliable = value is "reliable" or "1" ? true : value is "best_effort" or "2" ? false : null;
                    break;
                case "durability":
                    transientLocal = value is "transient_local" or "1" ? true : value is "volatile" or "2" ? false : null;
                    break;
            }
        }

        return profiles == 0 ? null
            : new QosProfile(depth > 0 ? depth : Default.Depth, reliable ?? true, transientLocal ?? false) { KeepAll = keepAll };
    }
}
