using System.Runtime.InteropServices;

namespace Perception.Ros2.Dds.Native;

/// <summary>
/// The part of the Cyclone DDS 0.10.2 C API (dds.h, dds_public_qos.h, ddsi_serdata.h) this SDK calls. The library is
/// Debian's <c>libddsc.so.0debian</c> (its SONAME; there is no libddsc.so.0, and the unversioned libddsc.so exists only
/// with cyclonedds-dev). Entities are int32 handles; a negative return is a DDS_RETCODE_* value.
/// </summary>
internal static unsafe partial class DdsNative
{
    public const string Library = "libddsc.so.0debian";

    /// <summary>DDS_ANY_STATE: any sample, view and instance state.</summary>
    public const uint AnyState = 127;

    /// <summary>DDS_INFINITY (INT64_MAX nanoseconds).</summary>
    public const long Infinity = long.MaxValue;

    [LibraryImport(Library, EntryPoint = "dds_create_domain", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int CreateDomain(uint domainId, string? configXml);

    [LibraryImport(Library, EntryPoint = "dds_create_participant")]
    public static partial int CreateParticipant(uint domainId, IntPtr qos, IntPtr listener);

    [LibraryImport(Library, EntryPoint = "dds_create_topic", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int CreateTopic(int participant, IntPtr descriptor, string name, IntPtr qos, IntPtr listener);

    [LibraryImport(Library, EntryPoint = "dds_create_writer")]
    public static partial int CreateWriter(int participantOrPublisher, int topic, IntPtr qos, IntPtr listener);

    [LibraryImport(Library, EntryPoint = "dds_create_reader")]
    public static partial int CreateReader(int participantOrSubscriber, int topic, IntPtr qos, IntPtr listener);

    [LibraryImport(Library, EntryPoint = "dds_delete")]
    public static partial int Delete(int entity);

    [LibraryImport(Library, EntryPoint = "dds_write")]
    public static partial int Write(int writer, void* sample);

    [LibraryImport(Library, EntryPoint = "dds_takecdr")]
    public static partial int TakeCdr(int readerOrCondition, IntPtr* serdata, uint maxSamples, DdsSampleInfo* infos,
        uint mask);

    [LibraryImport(Library, EntryPoint = "ddsi_serdata_size")]
    public static partial uint SerdataSize(IntPtr serdata);

    [LibraryImport(Library, EntryPoint = "ddsi_serdata_to_ser")]
    public static partial void SerdataToSer(IntPtr serdata, nuint offset, nuint size, void* buffer);

    [LibraryImport(Library, EntryPoint = "ddsi_serdata_unref")]
    public static partial void SerdataUnref(IntPtr serdata);

    [LibraryImport(Library, EntryPoint = "dds_get_guid")]
    public static partial int GetGuid(int entity, DdsGuid* guid);

    [LibraryImport(Library, EntryPoint = "dds_create_waitset")]
    public static partial int CreateWaitset(int participant);

    [LibraryImport(Library, EntryPoint = "dds_create_readcondition")]
    public static partial int CreateReadCondition(int reader, uint mask);

    [LibraryImport(Library, EntryPoint = "dds_waitset_attach")]
    public static partial int WaitsetAttach(int waitset, int entity, IntPtr argument);

    [LibraryImport(Library, EntryPoint = "dds_waitset_wait")]
    public static partial int WaitsetWait(int waitset, IntPtr triggered, nuint count, long relativeTimeoutNs);

    [LibraryImport(Library, EntryPoint = "dds_waitset_set_trigger")]
    public static partial int WaitsetSetTrigger(int waitset, [MarshalAs(UnmanagedType.U1)] bool trigger);

    [LibraryImport(Library, EntryPoint = "dds_get_publication_matched_status")]
    public static partial int GetPublicationMatchedStatus(int writer, DdsMatchedStatus* status);

    [LibraryImport(Library, EntryPoint = "dds_get_subscription_matched_status")]
    public static partial int GetSubscriptionMatchedStatus(int reader, DdsMatchedStatus* status);

    /// <summary>DDS_BUILTIN_TOPIC_DCPSPUBLICATION: the pseudo topic of discovered writers
    /// (<see cref="DdsBuiltinEndpoint"/> samples).</summary>
    public const int BuiltinTopicPublication = 0x7fff0000 + 3;

    [LibraryImport(Library, EntryPoint = "dds_take")]
    public static partial int Take(int readerOrCondition, IntPtr* buffer, DdsSampleInfo* infos, nuint bufferSize,
        uint maxSamples);

    [LibraryImport(Library, EntryPoint = "dds_return_loan")]
    public static partial int ReturnLoan(int readerOrCondition, IntPtr* buffer, int count);

    [LibraryImport(Library, EntryPoint = "dds_wait_for_acks")]
    public static partial int WaitForAcks(int publisherOrWriter, long timeoutNs);

    [LibraryImport(Library, EntryPoint = "dds_qget_reliability")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool QosGetReliability(IntPtr qos, int* kind, long* maxBlockingTimeNs);

    [LibraryImport(Library, EntryPoint = "dds_qget_durability")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool QosGetDurability(IntPtr qos, int* kind);

    [LibraryImport(Library, EntryPoint = "dds_qget_history")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool QosGetHistory(IntPtr qos, int* kind, int* depth);

    [LibraryImport(Library, EntryPoint = "dds_create_qos")]
    public static partial IntPtr CreateQos();

    [LibraryImport(Library, EntryPoint = "dds_delete_qos")]
    public static partial void DeleteQos(IntPtr qos);

    [LibraryImport(Library, EntryPoint = "dds_qset_userdata")]
    public static partial void QosSetUserData(IntPtr qos, void* value, nuint size);

    [LibraryImport(Library, EntryPoint = "dds_qset_reliability")]
    public static partial void QosSetReliability(IntPtr qos, int kind, long maxBlockingTimeNs);

    [LibraryImport(Library, EntryPoint = "dds_qset_history")]
    public static partial void QosSetHistory(IntPtr qos, int kind, int depth);

    [LibraryImport(Library, EntryPoint = "dds_qset_durability")]
    public static partial void QosSetDurability(IntPtr qos, int kind);

    [LibraryImport(Library, EntryPoint = "dds_qset_writer_data_lifecycle")]
    public static partial void QosSetWriterDataLifecycle(IntPtr qos, [MarshalAs(UnmanagedType.U1)] bool autodispose);

    [LibraryImport(Library, EntryPoint = "dds_qset_data_representation")]
    public static partial void QosSetDataRepresentation(IntPtr qos, uint count, short* values);
}

/// <summary>dds_sample_info_t (64 bytes on x64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DdsSampleInfo
{
    public uint SampleState;
    public uint ViewState;
    public uint InstanceState;
    [MarshalAs(UnmanagedType.U1)]
    public bool ValidData;
    public long SourceTimestamp;
    public ulong InstanceHandle;
    public ulong PublicationHandle;
    public uint DisposedGenerationCount;
    public uint NoWritersGenerationCount;
    public uint SampleRank;
    public uint GenerationRank;
    public uint AbsoluteGenerationRank;
}

/// <summary>dds_builtintopic_endpoint_t: a discovered reader or writer.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DdsBuiltinEndpoint
{
    public DdsGuid Key;
    public DdsGuid ParticipantKey;
    public ulong ParticipantInstanceHandle;
    public IntPtr TopicName;
    public IntPtr TypeName;
    public IntPtr Qos;
}

/// <summary>dds_guid_t: the 16-byte DDS GUID (12-byte prefix + entity id).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct DdsGuid
{
    public fixed byte V[16];
}

/// <summary>dds_topic_descriptor_t of 0.10.2 (96 bytes: the two dds_type_meta_ser members are {ptr; uint32} structs
/// padded to 16 bytes each, not loose fields).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DdsTopicDescriptorNative
{
    public uint Size;
    public uint Align;
    public uint FlagSet;
    public uint KeyCount;
    public IntPtr TypeName;
    public IntPtr Keys;
    public uint OpCount;
    public IntPtr Ops;
    public IntPtr Meta;
    public IntPtr TypeInformationData;
    public uint TypeInformationSize;
    public IntPtr TypeMappingData;
    public uint TypeMappingSize;
    public uint RestrictDataRepresentation;
}

/// <summary>dds_publication_matched_status_t and dds_subscription_matched_status_t (same layout).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DdsMatchedStatus
{
    public uint TotalCount;
    public int TotalCountChange;
    public uint CurrentCount;
    public int CurrentCountChange;
    public ulong LastHandle;
}
