using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Perception.Ros2.Dds.Native;

namespace Perception.Ros2.Dds.Types;

/// <summary>
/// A dds_topic_descriptor_t built at run time for one ROS type: keyless (ROS topics have no key), no XTypes type
/// information (flagset without DDS_TOPIC_XTYPES_METADATA, so Cyclone matches by type name, as it does with rmw's
/// sertypes) and final extensibility, so Cyclone writes XCDR1, what rmw expects. The native memory lives as long as
/// the process: Cyclone may keep pointers into it for every topic created from it, and there is one per type.
/// </summary>
internal sealed unsafe class DdsTopicDescriptor
{
    /// <summary>DDS_TOPIC_FIXED_SIZE, which idlc sets for types without strings or sequences.</summary>
    public const uint FixedSizeFlag = 1u << 4;

    private static readonly ConcurrentDictionary<(string, DdsStructType), DdsTopicDescriptor> Cache = new();

    private DdsTopicDescriptor(string ddsTypeName, DdsStructType type)
    {
        DdsTypeName = ddsTypeName;
        Type = type;
        (Ops, InstructionCount) = DdsOps.Build(type);
        FlagSet = type.IsFixedSize ? FixedSizeFlag : 0;

        uint* ops = (uint*)NativeMemory.Alloc((nuint)Ops.Length, sizeof(uint));
        Ops.CopyTo(new Span<uint>(ops, Ops.Length));
        var descriptor = (DdsTopicDescriptorNative*)NativeMemory.AllocZeroed((nuint)sizeof(DdsTopicDescriptorNative));
        descriptor->Size = (uint)type.Size;
        descriptor->Align = (uint)type.Align;
        descriptor->FlagSet = FlagSet;
        descriptor->TypeName = Marshal.StringToCoTaskMemUTF8(ddsTypeName);
        descriptor->OpCount = InstructionCount;
        descriptor->Ops = (IntPtr)ops;
        descriptor->Meta = Marshal.StringToCoTaskMemUTF8("");
        Native = (IntPtr)descriptor;
    }

    public string DdsTypeName { get; }

    public DdsStructType Type { get; }

    public uint[] Ops { get; }

    public uint InstructionCount { get; }

    public uint FlagSet { get; }

    /// <summary>The dds_topic_descriptor_t* to pass to dds_create_topic.</summary>
    public IntPtr Native { get; }

    /// <summary>The descriptor of <paramref name="ddsTypeName"/> laid out as <paramref name="type"/>, built once per
    /// layout instance (layouts are cached, so this is once per type).</summary>
    public static DdsTopicDescriptor Get(string ddsTypeName, DdsStructType type) =>
        Cache.GetOrAdd((ddsTypeName, type), key => new DdsTopicDescriptor(key.Item1, key.Item2));
}
