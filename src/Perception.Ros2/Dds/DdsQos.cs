using Perception.Ros2.Dds.Native;
using Perception.Ros2.Rosbag;

namespace Perception.Ros2.Dds;

/// <summary>
/// A ROS <see cref="QosProfile"/> as a native dds_qos_t, mapped the way rmw_cyclonedds's create_readwrite_qos maps it:
/// KEEP_LAST(depth), RELIABLE with an infinite max blocking time or BEST_EFFORT, VOLATILE or TRANSIENT_LOCAL, no
/// autodispose, and XCDR1 as the only data representation (what rmw offers and accepts).
/// </summary>
internal sealed unsafe class DdsQos : IDisposable
{
    private DdsQos(IntPtr handle) => Handle = handle;

    public IntPtr Handle { get; private set; }

    public static DdsQos ForEndpoint(QosProfile profile, bool writer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(profile.Depth, 1, nameof(profile));
        var qos = new DdsQos(DdsNative.CreateQos());
        DdsNative.QosSetHistory(qos.Handle, profile.KeepAll ? 1 : 0, profile.Depth); // DDS_HISTORY_KEEP_ALL / _LAST
        DdsNative.QosSetReliability(qos.Handle, profile.Reliable ? 1 : 0,
            profile.Reliable ? DdsNative.Infinity : 0);
        DdsNative.QosSetDurability(qos.Handle, profile.TransientLocal ? 1 : 0);
        short xcdr1 = 0;
        DdsNative.QosSetDataRepresentation(qos.Handle, 1, &xcdr1);
        if (writer)
        {
            DdsNative.QosSetWriterDataLifecycle(qos.Handle, autodispose: false);
        }

        return qos;
    }

    public static DdsQos WithUserData(ReadOnlySpan<byte> userData)
    {
        var qos = new DdsQos(DdsNative.CreateQos());
        fixed (byte* data = userData)
        {
            DdsNative.QosSetUserData(qos.Handle, data, (nuint)userData.Length);
        }

        return qos;
    }

    public void Dispose()
    {
        if (Handle != IntPtr.Zero)
        {
            DdsNative.DeleteQos(Handle);
            Handle = IntPtr.Zero;
        }
    }
}
