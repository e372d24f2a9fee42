namespace TorchSparse.Tests.Oracles;

/// <summary>A sparse conv layer as the reference sees it: geometry plus the [K, Cin, Cout] weight.</summary>
public sealed record ReferenceConv(
    Int3 KernelSize, Int3 Stride, Int3 Dilation, Int3 Padding, int InChannels, int OutChannels, float[] Weight)
{
    public static ReferenceConv From(ConvFixture fixture) => new(fixture.KernelSize, fixture.Stride, fixture.Dilation,
        fixture.Padding, fixture.InChannels, fixture.OutChannels, fixture.Weight);
}

/// <summary>Output rows (b, x, y, z) as [M, 4] and their features [M, C] in double.</summary>
public sealed record SparseVoxels(int[] Coords, double[] Feats)
{
    public int Count => Coords.Length / 4;
}

/// <summary>
/// The four sparse conv kinds defined through <see cref="DenseReference"/>: scatter the voxels into a dense grid,
/// run the dense op, read the result at the output coordinates. Output coordinates of downsample and generative
/// convs are the cells an all-ones conv of the occupancy reaches, in (b, x, y, z) order.
/// </summary>
public static class SparseConvReference
{
    /// <summary>Per-axis max + 1 of the coordinates: TorchSparse's spatial range when none is given.</summary>
    public static Int3 Extent(ReadOnlySpan<int> coords)
    {
        int x = -1, y = -1, z = -1;
        for (int row = 0; row < coords.Length / 4; row++)
        {
            x = Math.Max(x, coords[(row * 4) + 1]);
            y = Math.Max(y, coords[(row * 4) + 2]);
            z = Math.Max(z, coords[(row * 4) + 3]);
        }

        return new Int3(x + 1, y + 1, z + 1);
    }

    /// <summary>Submanifold padding on the low side: centred d(k−1)/2 for odd k; 0 for even k (offsets +j·d).</summary>
    public static Int3 SubmanifoldPadLow(Int3 kernel, Int3 dilation)
    {
        static int Axis(int k, int d) => k % 2 == 1 ? d * (k - 1) / 2 : 0;

        return new Int3(Axis(kernel.X, dilation.X), Axis(kernel.Y, dilation.Y), Axis(kernel.Z, dilation.Z));
    }

    /// <summary>Same rows out as in: out[q] = Σ_j in[q + (j − c)·d] · W[flat(j)], c = (k−1)/2 for odd k, else 0.</summary>
    public static double[] Submanifold(ReferenceConv conv, int[] coords, float[] feats, int batches, Int3 grid)
    {
        DenseVolume input = DenseVolume.FromSparse(coords, feats, conv.InChannels, batches, grid);
        Int3 lo = SubmanifoldPadLow(conv.KernelSize, conv.Dilation);
        DenseVolume output = DenseReference.Conv3d(input, conv.Weight, conv.OutChannels, conv.KernelSize, Int3.One,
            conv.Dilation, lo, grid);
        return output.Sample(coords);
    }

    /// <summary>Spconv-rule downsample: every conv3d output cell whose receptive field holds an input.</summary>
    public static SparseVoxels Downsample(ReferenceConv conv, int[] coords, float[] feats, int batches, Int3 grid)
    {
        DenseVolume input = DenseVolume.FromSparse(coords, feats, conv.InChannels, batches, grid);
        Int3 outputSize = DownsampleOutputSize(conv, grid);
        DenseVolume output = DenseReference.Conv3d(input, conv.Weight, conv.OutChannels, conv.KernelSize,
            conv.Stride, conv.Dilation, conv.Padding, outputSize);
        int[] outCoords = DownsampleCoords(conv, input);
        return new SparseVoxels(outCoords, output.Sample(outCoords));
    }

    /// <summary>Output extent of a downsample of a grid (symmetric padding, as PyTorch's conv3d).</summary>
    public static Int3 DownsampleOutputSize(ReferenceConv conv, Int3 grid) =>
        DenseReference.ConvOutputSize(grid, conv.KernelSize, conv.Stride, conv.Dilation, conv.Padding, conv.Padding);

    /// <summary>The coarse coordinates a spconv-rule downsample of these voxels produces.</summary>
    public static int[] DownsampleCoords(ReferenceConv conv, int[] coords, int batches, Int3 grid) =>
        DownsampleCoords(conv, DenseVolume.FromSparse(coords, [], 0, batches, grid));

    /// <summary>
    /// Inverse (transposed) conv reusing a downsample: conv_transpose3d of the coarse voxels onto the fine grid,
    /// read at the fine coordinates of the matching downsample.
    /// </summary>
    public static double[] Inverse(ReferenceConv conv, int[] coarseCoords, float[] coarseFeats, int[] fineCoords,
        int batches, Int3 fineGrid)
    {
        Int3 coarseGrid = DownsampleOutputSize(conv, fineGrid);
        DenseVolume coarse = DenseVolume.FromSparse(coarseCoords, coarseFeats, conv.InChannels, batches, coarseGrid);
        DenseVolume output = DenseReference.ConvTranspose3d(coarse, conv.Weight, conv.OutChannels, conv.KernelSize,
            conv.Stride, conv.Dilation, conv.Padding, fineGrid);
        return output.Sample(fineCoords);
    }

    /// <summary>Generative transposed conv: every conv_transpose3d output cell that some input reaches.</summary>
    public static SparseVoxels Generative(ReferenceConv conv, int[] coords, float[] feats, int batches, Int3 grid)
    {
        DenseVolume input = DenseVolume.FromSparse(coords, feats, conv.InChannels, batches, grid);
        Int3 outputSize = GenerativeOutputSize(conv, grid);
        DenseVolume output = DenseReference.ConvTranspose3d(input, conv.Weight, conv.OutChannels, conv.KernelSize,
            conv.Stride, conv.Dilation, conv.Padding, outputSize);
        DenseVolume reach = DenseReference.ConvTranspose3d(input.OccupancyIndicator(),
            DenseReference.OnesWeight(conv.KernelSize), 1, conv.KernelSize, conv.Stride, conv.Dilation, conv.Padding,
            outputSize);
        int[] outCoords = reach.PositiveCellCoords();
        return new SparseVoxels(outCoords, output.Sample(outCoords));
    }

    /// <summary>
    /// A sparse tensor has no upper extent, so padding crops only the low side: the transposed conv's natural size
    /// plus p cells (conv_transpose3d with output_padding = p).
    /// </summary>
    public static Int3 GenerativeOutputSize(ReferenceConv conv, Int3 grid)
    {
        Int3 natural = DenseReference.TransposedOutputSize(grid, conv.KernelSize, conv.Stride, conv.Dilation, conv.Padding);
        return new Int3(natural.X + conv.Padding.X, natural.Y + conv.Padding.Y, natural.Z + conv.Padding.Z);
    }

    /// <summary>Runs the fixture's kind on its inputs: the output coords and features the fixture should hold.</summary>
    public static SparseVoxels Run(ConvFixture fixture)
    {
        var conv = ReferenceConv.From(fixture);
        int[] coords = fixture.InputCoords;
        return fixture.Kind switch
        {
            ConvKind.Submanifold => new SparseVoxels(coords,
                Submanifold(conv, coords, fixture.InputFeats, fixture.Batches, fixture.InputGrid)),
            ConvKind.Downsample => Downsample(conv, coords, fixture.InputFeats, fixture.Batches, fixture.InputGrid),
            ConvKind.Inverse => new SparseVoxels(fixture.TargetCoords!, Inverse(conv, coords, fixture.InputFeats,
                fixture.TargetCoords!, fixture.Batches, fixture.OutputGrid)),
            ConvKind.Generative => Generative(conv, coords, fixture.InputFeats, fixture.Batches, fixture.InputGrid),
            _ => throw new ArgumentOutOfRangeException(nameof(fixture), fixture.Kind, "unknown conv kind"),
        };
    }

    private static int[] DownsampleCoords(ReferenceConv conv, DenseVolume input)
    {
        DenseVolume reach = DenseReference.Conv3d(input.OccupancyIndicator(), DenseReference.OnesWeight(conv.KernelSize),
            1, conv.KernelSize, conv.Stride, conv.Dilation, conv.Padding, DownsampleOutputSize(conv, input.Size));
        return reach.PositiveCellCoords();
    }
}
