using System.Runtime.InteropServices;

namespace Perception.Viewer.Export;

/// <summary>
/// The binary chunk of a GLB being assembled: each buffer view starts on a 4-byte boundary, because glTF requires
/// every vertex attribute element to be 4-byte aligned and accessor offsets to be multiples of the component size.
/// </summary>
internal sealed class GlbBuffer
{
    private readonly List<byte> bytes = [];
    private readonly List<(long Offset, int Length, int? Stride, int? Target)> views = [];

    public IReadOnlyList<(long Offset, int Length, int? Stride, int? Target)> Views => views;

    public long Length => bytes.Count;

    /// <summary>Appends a buffer view and returns its index. <paramref name="target"/> is 34962 (ARRAY_BUFFER) for
    /// vertex data.</summary>
    public int AddView<T>(ReadOnlySpan<T> data, int? stride = null, int? target = 34962)
        where T : unmanaged
    {
        Pad();
        ReadOnlySpan<byte> raw = MemoryMarshal.AsBytes(data);
        views.Add((bytes.Count, raw.Length, stride, target));
        bytes.AddRange(raw);
        return views.Count - 1;
    }

    /// <summary>The chunk's bytes, zero-padded to a multiple of 4 as the GLB container requires.</summary>
    public byte[] ToArray()
    {
        Pad();
        return [.. bytes];
    }

    private void Pad()
    {
        while (bytes.Count % 4 != 0)
        {
            bytes.Add(0);
        }
    }
}
