namespace TorchSparse.Tests.Oracles;

/// <summary>
/// Dense 3-D convolution and transposed convolution with plain loops and double accumulation, taking the weight in
/// TorchSparse's [K, Cin, Cout] layout. Written from the PyTorch definitions, independent of the engine:
/// <list type="bullet">
/// <item>conv3d (cross-correlation): out[o] = Σ_j in[o·s − pad + j·d] · W[flat(j)]</item>
/// <item>conv_transpose3d: out[i·s − pad + j·d] += in[i] · W[flat(j)]</item>
/// </list>
/// where j runs over [0, k) per axis and flat(j) is <see cref="FlatOffsetIndex"/>. Features are row vectors, so
/// W[flat(j)] [Cin, Cout] multiplies from the right; the dense PyTorch weights are W[flat(j)]ᵀ (conv3d) and
/// W[flat(j)] (conv_transpose3d).
/// </summary>
public static class DenseReference
{
    /// <summary>TorchSparse's flat kernel-offset index: x fastest for an all-odd kernel, otherwise z fastest.</summary>
    public static int FlatOffsetIndex(int jx, int jy, int jz, Int3 kernel)
    {
        bool allOdd = kernel.X % 2 == 1 && kernel.Y % 2 == 1 && kernel.Z % 2 == 1;
        return allOdd ? jx + (kernel.X * (jy + (kernel.Y * jz))) : jz + (kernel.Z * (jy + (kernel.Y * jx)));
    }

    /// <summary>Output extent of conv3d per axis: ⌊(R + lo + hi − d(k−1) − 1) / s⌋ + 1, or 0 when that is not positive.</summary>
    public static Int3 ConvOutputSize(Int3 input, Int3 kernel, Int3 stride, Int3 dilation, Int3 padLow, Int3 padHigh)
    {
        static int Axis(int r, int k, int s, int d, int lo, int hi)
        {
            int span = r + lo + hi - (d * (k - 1)) - 1;
            return span < 0 ? 0 : (span / s) + 1;
        }

        return new Int3(
            Axis(input.X, kernel.X, stride.X, dilation.X, padLow.X, padHigh.X),
            Axis(input.Y, kernel.Y, stride.Y, dilation.Y, padLow.Y, padHigh.Y),
            Axis(input.Z, kernel.Z, stride.Z, dilation.Z, padLow.Z, padHigh.Z));
    }

    /// <summary>Natural output extent of conv_transpose3d per axis: (R − 1)·s − 2p + d(k−1) + 1, at least 0.</summary>
    public static Int3 TransposedOutputSize(Int3 input, Int3 kernel, Int3 stride, Int3 dilation, Int3 padding)
    {
        static int Axis(int r, int k, int s, int d, int p) => r == 0 ? 0 : Math.Max(0, ((r - 1) * s) - (2 * p) + (d * (k - 1)) + 1);

        return new Int3(
            Axis(input.X, kernel.X, stride.X, dilation.X, padding.X),
            Axis(input.Y, kernel.Y, stride.Y, dilation.Y, padding.Y),
            Axis(input.Z, kernel.Z, stride.Z, dilation.Z, padding.Z));
    }

    /// <summary>
    /// conv3d over every cell of an <paramref name="outputSize"/> grid. <paramref name="padLow"/> is the padding
    /// before index 0 on each axis; padding after the end only matters through the output size the caller picks.
    /// </summary>
    public static DenseVolume Conv3d(DenseVolume input, ReadOnlySpan<float> weight, int outChannels, Int3 kernel,
        Int3 stride, Int3 dilation, Int3 padLow, Int3 outputSize)
    {
        int cin = input.Channels;
        CheckWeight(weight, kernel, cin, outChannels);
        var output = new DenseVolume(input.Batches, outputSize, outChannels);
        var accumulator = new double[outChannels];
        for (int b = 0; b < input.Batches; b++)
        {
            for (int ox = 0; ox < outputSize.X; ox++)
            {
                for (int oy = 0; oy < outputSize.Y; oy++)
                {
                    for (int oz = 0; oz < outputSize.Z; oz++)
                    {
                        Array.Clear(accumulator);
                        for (int jx = 0; jx < kernel.X; jx++)
                        {
                            int ix = (ox * stride.X) - padLow.X + (jx * dilation.X);
                            for (int jy = 0; jy < kernel.Y; jy++)
                            {
                                int iy = (oy * stride.Y) - padLow.Y + (jy * dilation.Y);
                                for (int jz = 0; jz < kernel.Z; jz++)
                                {
                                    int iz = (oz * stride.Z) - padLow.Z + (jz * dilation.Z);
                                    int cell = input.CellIndex(b, ix, iy, iz);
                                    // Padding and empty cells are zero: skipping them changes no sum.
                                    if (cell >= 0 && input.IsOccupied(cell))
                                    {
                                        int k = FlatOffsetIndex(jx, jy, jz, kernel);
                                        AddRowTimesMatrix(input.Cell(cell), weight.Slice(k * cin * outChannels), accumulator);
                                    }
                                }
                            }
                        }

                        accumulator.CopyTo(output.Cell(output.CellIndex(b, ox, oy, oz)));
                    }
                }
            }
        }

        return output;
    }

    /// <summary>
    /// conv_transpose3d into an <paramref name="outputSize"/> grid: each input cell scatters into i·s − p + j·d.
    /// An output size above the natural one is PyTorch's output_padding (extra cells on the high side).
    /// </summary>
    public static DenseVolume ConvTranspose3d(DenseVolume input, ReadOnlySpan<float> weight, int outChannels,
        Int3 kernel, Int3 stride, Int3 dilation, Int3 padding, Int3 outputSize)
    {
        int cin = input.Channels;
        CheckWeight(weight, kernel, cin, outChannels);
        var output = new DenseVolume(input.Batches, outputSize, outChannels);
        for (int cell = 0; cell < input.CellCount; cell++)
        {
            if (!input.IsOccupied(cell))
            {
                continue;
            }

            (int b, int ix, int iy, int iz) = input.CellCoords(cell);
            for (int jx = 0; jx < kernel.X; jx++)
            {
                for (int jy = 0; jy < kernel.Y; jy++)
                {
                    for (int jz = 0; jz < kernel.Z; jz++)
                    {
                        int target = output.CellIndex(b,
                            (ix * stride.X) - padding.X + (jx * dilation.X),
                            (iy * stride.Y) - padding.Y + (jy * dilation.Y),
                            (iz * stride.Z) - padding.Z + (jz * dilation.Z));
                        if (target >= 0)
                        {
                            int k = FlatOffsetIndex(jx, jy, jz, kernel);
                            AddRowTimesMatrix(input.Cell(cell), weight.Slice(k * cin * outChannels), output.Cell(target));
                        }
                    }
                }
            }
        }

        return output;
    }

    /// <summary>An all-ones [K, 1, 1] weight: convolving an occupancy indicator with it counts reaching voxels.</summary>
    public static float[] OnesWeight(Int3 kernel)
    {
        var ones = new float[kernel.Volume];
        Array.Fill(ones, 1f);
        return ones;
    }

    /// <summary>destination[co] += Σ_ci row[ci] · matrix[ci, co], with matrix [Cin, Cout] row-major.</summary>
    private static void AddRowTimesMatrix(ReadOnlySpan<double> row, ReadOnlySpan<float> matrix, Span<double> destination)
    {
        int cout = destination.Length;
        for (int ci = 0; ci < row.Length; ci++)
        {
            double a = row[ci];
            ReadOnlySpan<float> weights = matrix.Slice(ci * cout, cout);
            for (int co = 0; co < cout; co++)
            {
                destination[co] += a * weights[co];
            }
        }
    }

    private static void CheckWeight(ReadOnlySpan<float> weight, Int3 kernel, int cin, int cout)
    {
        if (weight.Length != kernel.Volume * cin * cout)
        {
            throw new ArgumentException(
                $"weight has {weight.Length} values; [K={kernel.Volume}, Cin={cin}, Cout={cout}] needs {kernel.Volume * cin * cout}");
        }
    }
}
