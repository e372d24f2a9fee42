using System.Text;
using Perception.Ros2.Dds;
using Perception.Ros2.Messages;
using Perception.Ros2.Rosbag;

namespace Perception.Ros2.Node;

/// <summary>
/// A ROS 2 node without rcl: one DDS participant on <see cref="RosNodeOptions.DomainId"/> carrying the
/// <c>enclave=/;</c> USER_DATA rmw looks for, topics mangled to <c>rt/...</c> with <c>pkg::msg::dds_::Type_</c> type
/// names, and the node announced on <c>ros_discovery_info</c> so <c>ros2 node list</c> shows it.
/// </summary>
public sealed class RosNode : IDisposable
{
    private readonly DdsParticipant participant;
    private readonly RosGraphAnnouncer? announcer;
    private readonly List<byte[]> readerGuids = [];
    private readonly List<byte[]> writerGuids = [];

    /// <exception cref="DdsUnavailableException">Cyclone DDS is not installed.</exception>
    /// <exception cref="DdsException">DDS refused the participant.</exception>
    public RosNode(string name, RosNodeOptions? options = null)
    {
        options ??= new RosNodeOptions();
        RosNames.ValidateNamespace(options.Namespace);
        if (name.Length == 0 || char.IsAsciiDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException($"'{name}' is not a valid ROS node name.", nameof(name));
        }

        Name = name;
        Namespace = options.Namespace;
        participant = new DdsParticipant(new DdsParticipantOptions
        {
            DomainId = options.DomainId,
            ConfigXml = options.DdsConfigXml,
            UserData = Encoding.UTF8.GetBytes($"enclave={options.Enclave};"),
        });
        try
        {
            announcer = options.DiscoveryLayout == RosDiscoveryLayout.None ? null
                : new RosGraphAnnouncer(participant, options.DiscoveryLayout);
            Announce();
        }
        catch
        {
            participant.Dispose();
            throw;
        }
    }

    public string Name { get; }

    public string Namespace { get; }

    public uint DomainId => participant.DomainId;

    /// <summary>The node's DDS participant (discovery of the other endpoints goes through it).</summary>
    public DdsParticipant Participant => participant;

    /// <summary>The participant's DDS GUID, the node's <c>gid</c> in ros_discovery_info.</summary>
    public byte[] ParticipantGuid => participant.Guid;

    /// <summary>A publisher of <typeparamref name="T"/> on ROS topic <paramref name="topic"/>.</summary>
    public RosPublisher<T> CreatePublisher<T>(string topic, QosProfile qos)
        where T : IRosMessage<T> => new(CreateRawWriter(topic, T.MessageType, qos));

    /// <summary>A subscription to <typeparamref name="T"/> on ROS topic <paramref name="topic"/>.</summary>
    public RosSubscription<T> CreateSubscription<T>(string topic, QosProfile qos)
        where T : IRosMessage<T> => new(CreateRawReader(topic, T.MessageType, qos));

    /// <summary>A writer of serialized messages of <paramref name="type"/> (recording playback).</summary>
    public DdsWriter CreateRawWriter(string topic, RosMessageType type, QosProfile qos)
    {
        DdsWriter writer = participant.CreateWriter(RosNames.ToDdsTopic(topic, Namespace), type.DdsTypeName, qos);
        Register(writerGuids, writer.Guid);
        return writer;
    }

    /// <summary>A reader of serialized messages of <paramref name="type"/> (recording).</summary>
    public DdsReader CreateRawReader(string topic, RosMessageType type, QosProfile qos)
    {
        DdsReader reader = participant.CreateReader(RosNames.ToDdsTopic(topic, Namespace), type.DdsTypeName, qos);
        Register(readerGuids, reader.Guid);
        return reader;
    }

    public void Dispose()
    {
        announcer?.Dispose();
        participant.Dispose();
    }

    private void Register(List<byte[]> guids, byte[] guid)
    {
        lock (guids)
        {
            guids.Add(guid);
        }

        Announce();
    }

    private void Announce()
    {
        lock (writerGuids)
        {
            lock (readerGuids)
            {
                announcer?.Announce(Namespace, Name, readerGuids.ToList(), writerGuids.ToList());
            }
        }
    }
}

/// <summary>Where the node runs and how it presents itself.</summary>
public sealed record RosNodeOptions
{
    public string Namespace { get; init; } = "/";

    /// <summary>ROS_DOMAIN_ID from the environment, else 0.</summary>
    public uint DomainId { get; init; } = uint.TryParse(Environment.GetEnvironmentVariable("ROS_DOMAIN_ID"),
        out uint domain) ? domain : 0;

    /// <summary>Cyclone configuration XML; null = CYCLONEDDS_URI from the environment, or Cyclone's defaults.</summary>
    public string? DdsConfigXml { get; init; }

    /// <summary>The security enclave rmw expects in the participant USER_DATA.</summary>
    public string Enclave { get; init; } = "/";

    public RosDiscoveryLayout DiscoveryLayout { get; init; } = RosDiscoveryLayout.Jazzy;
}
