using TorchSparse.Coordinates;

namespace TorchSparse.KernelMaps;

/// <summary>
/// Builds kernel maps on the CPU. Offsets use TorchSparse's flat order (<see cref="FlatOffset"/>); every build is
/// deterministic: the same map and row order for any thread count.
/// </summary>
internal static class KernelMapBuilder
{
    /// <summary>
    /// TorchSparse's flat index of kernel offset (jx, jy, jz). When every axis is odd, x is fastest
    /// (<c>jx + kx*(jy + ky*jz)</c>); otherwise z is fastest (<c>jz + kz*(jy + ky*jx)</c>). TorchSparse decides on the
    /// product of the kernel sizes being odd, which is the same as every axis being odd, so mixed tuples such as
    /// (2, 3, 1) take the even rule.
    /// </summary>
    internal static int FlatOffset(Int3 kernel, int jx, int jy, int jz)
    {
        if ((uint)jx >= (uint)kernel.X || (uint)jy >= (uint)kernel.Y || (uint)jz >= (uint)kernel.Z)
        {
            throw new ArgumentOutOfRangeException(
                nameof(jx), $"offset ({jx}, {jy}, {jz}) is outside kernel {kernel}.");
        }

        return IsOdd(kernel) ? jx + (kernel.X * (jy + (kernel.Y * jz))) : jz + (kernel.Z * (jy + (kernel.Y * jx)));
    }

    /// <summary>Whether every axis of the kernel is odd: centred offsets, x-fastest order, mirror symmetry.</summary>
    internal static bool IsOdd(Int3 kernel) => (kernel.X & kernel.Y & kernel.Z & 1) == 1;

    /// <summary>Whether displacement (x, y, z) is lexicographically below zero in key order (x, then y, then z): one
    /// offset of each mirror pair of an odd kernel, the ones a mirror join visits.</summary>
    internal static bool IsBelowZero(long x, long y, long z) => x < 0 || (x == 0 && (y < 0 || (y == 0 && z < 0)));

    /// <summary>Displacement of offset index <paramref name="j"/> on an axis of size <paramref name="size"/>: centred
    /// for odd sizes, 0..size-1 for even sizes, times the dilation.</summary>
    internal static long Displacement(int size, int j, int dilation) =>
        (size % 2 == 1 ? j - ((size - 1) / 2) : j) * (long)dilation;

    /// <summary>
    /// Stride-1 map: outputs are the input rows in order; <c>OutInMap[o*K + k]</c> is the row at coord(o) + offset k
    /// in the same batch, or -1. Built by a merge join over sorted coordinate keys; no hash table is needed.
    /// </summary>
    internal static KernelMap Submanifold(ReadOnlySpan<int> coords, Int3 kernel, Int3 dilation)
    {
        kernel.RequirePositive(nameof(kernel));
        dilation.RequirePositive(nameof(dilation));
        if (coords.Length % 4 != 0)
        {
            throw new ShapeMismatchException($"coordinates must be flat [N*4] (b, x, y, z); got {coords.Length} ints.");
        }

        return SubmanifoldMapBuilder.Build(coords, kernel, dilation, CoordinateKeyer.FromRows(coords));
    }

    /// <summary>
    /// Strided map with new, coarser output coordinates, sorted by (b, x, y, z).
    /// <see cref="DownsampleRule.TorchSparse"/>, when every axis has stride 1 or stride equal to the kernel size, takes
    /// the outputs unique(floor(c / s)) and the dense-conv map c = o*s - p + j*d (TorchSparse's downsample kernel
    /// queries with dense-conv offsets, not centred ones), and the Spconv rule otherwise. The Spconv rule
    /// keeps outputs 0 &lt;= o &lt;= (cmax + 2p - d(k-1)) / s per axis: the output range of a dense conv3d over
    /// [0, cmax] (what TorchSparse's downsample kernel uses, with dilation added).
    /// </summary>
    internal static (KernelMap Map, int[] OutCoords) Downsample(
        ReadOnlySpan<int> coords, Int3 kernel, Int3 stride, Int3 dilation, Int3 padding, DownsampleRule rule)
    {
        ValidateStrided(kernel, stride, dilation, padding);
        return StridedMapBuilder.Build(coords, RuleOf(rule, kernel, stride), kernel, stride, dilation, padding);
    }

    /// <summary>The per-axis rule a strided map of <paramref name="geometry"/> follows (after validating it).</summary>
    internal static StridedRule RuleOf(Conv.ConvGeometry geometry)
    {
        ValidateStrided(geometry.KernelSize, geometry.Stride, geometry.Dilation, geometry.Padding);
        return geometry.Generative ? StridedRule.Generative : RuleOf(geometry.Rule, geometry.KernelSize, geometry.Stride);
    }

    private static StridedRule RuleOf(DownsampleRule rule, Int3 kernel, Int3 stride) => rule switch
    {
        DownsampleRule.Spconv => StridedRule.Spconv,
        DownsampleRule.Minkowski => StridedRule.Minkowski,
        DownsampleRule.TorchSparse => StrideIsOneOrKernel(kernel, stride) ? StridedRule.FloorDense : StridedRule.Spconv,
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown downsample rule"),
    };

    /// <summary>Generative transposed map (dense conv_transpose3d): outputs are every c*s - p + j*d that is
    /// non-negative on all axes, sorted by (b, x, y, z).</summary>
    internal static (KernelMap Map, int[] OutCoords) Generative(
        ReadOnlySpan<int> coords, Int3 kernel, Int3 stride, Int3 dilation, Int3 padding)
    {
        ValidateStrided(kernel, stride, dilation, padding);
        return StridedMapBuilder.Build(coords, StridedRule.Generative, kernel, stride, dilation, padding);
    }

    /// <summary>The strided map <paramref name="geometry"/> asks for: generative transposed, or a downsample under
    /// its rule.</summary>
    internal static (KernelMap Map, int[] OutCoords) Strided(ReadOnlySpan<int> coords, Conv.ConvGeometry geometry) =>
        geometry.Generative
            ? Generative(coords, geometry.KernelSize, geometry.Stride, geometry.Dilation, geometry.Padding)
            : Downsample(coords, geometry.KernelSize, geometry.Stride, geometry.Dilation, geometry.Padding, geometry.Rule);

    internal static int MapLength(int outputs, int volume)
    {
        long length = (long)outputs * volume;
        if (length > Array.MaxLength)
        {
            throw new SparseEngineException(
                $"a kernel map of {outputs} outputs x {volume} offsets has {length} entries, "
                + "more than one array holds.");
        }

        return (int)length;
    }

    private static bool StrideIsOneOrKernel(Int3 kernel, Int3 stride)
    {
        for (int axis = 0; axis < 3; axis++)
        {
            if (stride[axis] != 1 && stride[axis] != kernel[axis])
            {
                return false;
            }
        }

        return true;
    }

    private static void ValidateStrided(Int3 kernel, Int3 stride, Int3 dilation, Int3 padding)
    {
        kernel.RequirePositive(nameof(kernel));
        stride.RequirePositive(nameof(stride));
        dilation.RequirePositive(nameof(dilation));
        if (padding.X < 0 || padding.Y < 0 || padding.Z < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "padding must be >= 0 on every axis.");
        }
    }
}
