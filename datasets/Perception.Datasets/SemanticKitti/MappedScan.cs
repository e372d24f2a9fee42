using System.Runtime.InteropServices;
using Perception.Datasets.IO;

namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// A KITTI scan mapped into memory (<see cref="KittiScanFile.Map"/>): its (x, y, z, remission) rows read in place
/// from the page cache, so a scan reaches the model's input tensors without a copy of the file in between.
/// </summary>
public sealed class MappedScan : IDisposable
{
    private readonly MappedFile file;

    internal MappedScan(MappedFile file) => this.file = file;

    /// <summary>Row-major [N * 4] (x, y, z, remission); valid until this is disposed.</summary>
    public ReadOnlySpan<float> Points => MemoryMarshal.Cast<byte, float>(file.Bytes);

    public int PointCount => file.Length / 16;

    public void Dispose() => file.Dispose();
}
