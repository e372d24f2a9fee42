using Perception.Ros2.Dds.Native;
using Perception.Ros2.Dds.Types;
using Perception.Ros2.Rosbag;

namespace Perception.Ros2.Dds;

/// <summary>
/// A Cyclone DDS domain participant. With <see cref="DdsParticipantOptions.ConfigXml"/> the domain is created from
/// that XML (dds_create_domain), else Cyclone reads CYCLONEDDS_URI from the environment as usual. Domains created here
/// are counted per id and deleted with their last participant, so participants of one process can share a domain.
/// </summary>
public sealed unsafe class DdsParticipant : IDisposable
{
    private static readonly Dictionary<uint, (int Handle, int Users)> OwnedDomains = [];
    private readonly Dictionary<string, (int Handle, string Type)> topics = new(StringComparer.Ordinal);
    private readonly bool ownsDomain;
    private int handle;

    /// <exception cref="DdsUnavailableException">Cyclone DDS is not installed.</exception>
    /// <exception cref="DdsException">The domain or participant cannot be created.</exception>
    public DdsParticipant(DdsParticipantOptions options)
    {
        DomainId = options.DomainId;
        try
        {
            ownsDomain = options.ConfigXml is not null && AcquireDomain(options.DomainId, options.ConfigXml);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new DdsUnavailableException(e);
        }

        try
        {
            using DdsQos qos = DdsQos.WithUserData(options.UserData.Span);
            handle = DdsException.Check(DdsNative.CreateParticipant(DomainId, qos.Handle, IntPtr.Zero),
                $"dds_create_participant(domain {DomainId})");
            Guid = GuidOf(handle);
        }
        catch
        {
            ReleaseDomain();
            throw;
        }
    }

    public uint DomainId { get; }

    /// <summary>The participant's 16-byte DDS GUID.</summary>
    public byte[] Guid { get; }

    internal int Handle => handle != 0 ? handle : throw new ObjectDisposedException(nameof(DdsParticipant));

    /// <summary>A writer of CDR payloads on DDS topic <paramref name="topicName"/> (already mangled).</summary>
    public DdsWriter CreateWriter(string topicName, string ddsTypeName, QosProfile qos) =>
        CreateWriter(topicName, DdsTopicDescriptor.Get(ddsTypeName, DdsStructType.Get(TypeKey(ddsTypeName))), qos);

    /// <summary>A reader of CDR payloads on DDS topic <paramref name="topicName"/> (already mangled).</summary>
    public DdsReader CreateReader(string topicName, string ddsTypeName, QosProfile qos) =>
        CreateReader(topicName, DdsTopicDescriptor.Get(ddsTypeName, DdsStructType.Get(TypeKey(ddsTypeName))), qos);

    public void Dispose()
    {
        if (handle != 0)
        {
            _ = DdsNative.Delete(handle); // deletes the topics, readers, writers and waitsets created under it
            handle = 0;
            ReleaseDomain();
        }
    }

    internal static byte[] GuidOf(int entity)
    {
        DdsGuid guid;
        DdsException.Check(DdsNative.GetGuid(entity, &guid), "dds_get_guid");
        return new ReadOnlySpan<byte>(guid.V, 16).ToArray();
    }

    internal DdsWriter CreateWriter(string topicName, DdsTopicDescriptor descriptor, QosProfile qos)
    {
        using DdsQos native = DdsQos.ForEndpoint(qos, writer: true);
        int writer = DdsException.Check(DdsNative.CreateWriter(Handle, Topic(topicName, descriptor), native.Handle,
            IntPtr.Zero), $"dds_create_writer({topicName})");
        return new DdsWriter(writer, descriptor, topicName);
    }

    internal DdsReader CreateReader(string topicName, DdsTopicDescriptor descriptor, QosProfile qos)
    {
        using DdsQos native = DdsQos.ForEndpoint(qos, writer: false);
        int reader = DdsException.Check(DdsNative.CreateReader(Handle, Topic(topicName, descriptor), native.Handle,
            IntPtr.Zero), $"dds_create_reader({topicName})");
        return new DdsReader(this, reader, topicName);
    }

    /// <summary><c>pkg::msg::dds_::Type_</c> back to the message table's <c>pkg/Type</c>.</summary>
    private static string TypeKey(string ddsTypeName)
    {
        string[] parts = ddsTypeName.Split("::");
        return parts is [string package, "msg", "dds_", string type] && type.EndsWith('_')
            ? $"{package}/{type[..^1]}"
            : throw new ArgumentException($"'{ddsTypeName}' is not a ROS DDS type name (pkg::msg::dds_::Type_).",
                nameof(ddsTypeName));
    }

    private static bool AcquireDomain(uint domainId, string configXml)
    {
        lock (OwnedDomains)
        {
            if (OwnedDomains.TryGetValue(domainId, out (int Handle, int Users) owned))
            {
                OwnedDomains[domainId] = (owned.Handle, owned.Users + 1);
                return true;
            }

            int domain = DdsException.Check(DdsNative.CreateDomain(domainId, configXml),
                $"dds_create_domain({domainId})");
            OwnedDomains[domainId] = (domain, 1);
            return true;
        }
    }

    private void ReleaseDomain()
    {
        if (!ownsDomain)
        {
            return;
        }

        lock (OwnedDomains)
        {
            (int domain, int users) = OwnedDomains[DomainId];
            if (users > 1)
            {
                OwnedDomains[DomainId] = (domain, users - 1);
                return;
            }

            OwnedDomains.Remove(DomainId);
            _ = DdsNative.Delete(domain);
        }
    }

    /// <exception cref="DdsException">The participant has the topic with another type already.</exception>
    private int Topic(string topicName, DdsTopicDescriptor descriptor)
    {
        lock (topics)
        {
            if (topics.TryGetValue(topicName, out (int Handle, string Type) known))
            {
                // The topic carries the first type's layout: a writer of another type would hand Cyclone samples it
                // reads through the wrong descriptor (wild pointers, a crash), so it is refused here.
                return known.Type == descriptor.DdsTypeName ? known.Handle : throw new DdsException(
                    $"dds_create_topic({topicName}, {descriptor.DdsTypeName}): the participant has this topic with "
                    + $"type {known.Type} already.");
            }

            int topic = DdsException.Check(DdsNative.CreateTopic(Handle, descriptor.Native, topicName, IntPtr.Zero,
                IntPtr.Zero), $"dds_create_topic({topicName}, {descriptor.DdsTypeName})");
            topics[topicName] = (topic, descriptor.DdsTypeName);
            return topic;
        }
    }
}

/// <summary>Where and how a <see cref="DdsParticipant"/> joins DDS.</summary>
public sealed record DdsParticipantOptions
{
    /// <summary>The DDS domain (ROS_DOMAIN_ID).</summary>
    public uint DomainId { get; init; }

    /// <summary>Cyclone configuration XML for this domain; null = CYCLONEDDS_URI or Cyclone's defaults.</summary>
    public string? ConfigXml { get; init; }

    /// <summary>Participant USER_DATA (ROS puts <c>enclave=/;</c> there).</summary>
    public ReadOnlyMemory<byte> UserData { get; init; }
}
