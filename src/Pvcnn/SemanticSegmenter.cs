using System.Diagnostics;
using TorchSparse;
using TorchSparse.Autograd;
using TorchSparse.Coordinates;

namespace Pvcnn;

/// <summary>Per-point classes of one scan, with the voxelization that produced them.</summary>
public sealed class SegmentationResult(QuantizedCloud voxels, Tensor voxelLogits, int[] pointClasses)
{
    /// <summary>The voxels the model saw (coordinates before the minimum shift), first points, inverse map.</summary>
    public QuantizedCloud Voxels { get; } = voxels;

    /// <summary>Logits per voxel [M, classes].</summary>
    public Tensor VoxelLogits { get; } = voxelLogits;

    /// <summary>Model class index per input point (the argmax of its voxel's logits).</summary>
    public int[] PointClasses { get; } = pointClasses;
}

/// <summary>
/// spvnas's inference pipeline around a model: voxel coordinates round(xyz / voxel size) shifted so each axis starts
/// at 0, one representative (the first point) per voxel with its raw (x, y, z, remission) as features, and each
/// voxel's prediction given back to every point of it.
/// </summary>
public sealed class SemanticSegmenter(SegmentationModel model)
{
    // The intermediates of one pass, recycled layer by layer, and its kernel maps, recycled when it ends, are kept
    // for the next pass: a steady stream of scans then allocates (and page-faults in) almost nothing.
    private readonly TensorPool pool = new();

    public SegmentationModel Model { get; } = model;

    /// <summary>The model's <see cref="SegmentationModel.VoxelSize"/>.</summary>
    public float VoxelSize => Model.VoxelSize;

    /// <summary>Segments one scan given as float [N * 4] rows of (x, y, z, remission).</summary>
    public SegmentationResult Segment(ReadOnlySpan<float> points, ForwardProfile? profile = null)
    {
        if (Model.InChannels != 4)
        {
            throw new ShapeMismatchException(
                $"the scan pipeline feeds 4 features (x, y, z, remission); this {Model.Architecture} takes {Model.InChannels}.");
        }

        long start = Stopwatch.GetTimestamp();
        (SparseTensor input, QuantizedCloud cloud) = Voxelize(points, VoxelSize);
        if (Model.Device.Kind != DeviceKind.Cpu)
        {
            input = input.CopyTo(Model.Device);
        }

        profile?.Add(ForwardProfile.Voxelize, start);
        Tensor logits;
        using (pool.Activate())
        {
            logits = Model.Forward(input, profile);
            TensorPool.RecycleKernelMaps();
        }

        start = Stopwatch.GetTimestamp();
        int[] voxelClasses = ArgMax(logits);
        var pointClasses = new int[cloud.Inverse.Length];
        for (int p = 0; p < pointClasses.Length; p++)
        {
            pointClasses[p] = voxelClasses[cloud.Inverse[p]];
        }

        profile?.Add(ForwardProfile.Head, start);
        return new SegmentationResult(cloud, logits, pointClasses);
    }

    /// <summary>The model input spvnas builds from a scan, and the voxelization behind it.</summary>
    public static (SparseTensor Input, QuantizedCloud Cloud) Voxelize(ReadOnlySpan<float> points, float voxelSize)
    {
        if (points.Length == 0 || points.Length % 4 != 0)
        {
            throw new ShapeMismatchException(
                $"a scan is rows of 4 floats (x, y, z, remission); got {points.Length} floats.");
        }

        QuantizedCloud cloud = SparseQuantize.Quantize(points, rowStride: 4, voxelSize, QuantizeMode.Round);
        int m = cloud.Count;
        int[] coords = cloud.Coords.ToArray<int>();
        Span<int> min = [int.MaxValue, int.MaxValue, int.MaxValue];
        for (int v = 0; v < m; v++)
        {
            for (int a = 0; a < 3; a++)
            {
                min[a] = Math.Min(min[a], coords[(v * 4) + 1 + a]);
            }
        }

        var feats = new float[m * 4];
        for (int v = 0; v < m; v++)
        {
            for (int a = 0; a < 3; a++)
            {
                coords[(v * 4) + 1 + a] -= min[a];
            }

            points.Slice(cloud.FirstIndex[v] * 4, 4).CopyTo(feats.AsSpan(v * 4, 4));
        }

        return (new SparseTensor(Tensor.From(feats, m, 4), Tensor.From(coords, m, 4)), cloud);
    }

    /// <summary>Index of the largest logit per row; the first one on ties, as torch.argmax does on CPU.</summary>
    public static int[] ArgMax(Tensor logits)
    {
        int rows = logits.Size(0);
        int classes = logits.Size(1);
        ReadOnlySpan<float> values = logits.Device.Kind == DeviceKind.Cpu ? logits.AsSpan<float>() : logits.ToArray<float>();
        var result = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = values.Slice(r * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++)
            {
                if (row[c] > row[best])
                {
                    best = c;
                }
            }

            result[r] = best;
        }

        return result;
    }
}
