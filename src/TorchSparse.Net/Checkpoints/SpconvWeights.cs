using TorchSparse.KernelMaps;

namespace TorchSparse.Checkpoints;

/// <summary>
/// Converts spconv convolution weights to this engine's <c>[K, Cin, Cout]</c> layout (<c>[Cin, Cout]</c> for a
/// 1x1x1 kernel) and kernel-offset order, so spconv-trained layers run here unchanged.
/// <para>
/// Axes. spconv's kernel axes k0, k1, k2 follow its index columns 1, 2, 3; they become this engine's X, Y, Z, which act
/// on coordinate columns 1, 2, 3. Pass spconv's indices as they are: a model whose indices are (b, z, y, x), as
/// spconv's voxel generators emit, keeps (b, z, y, x) here, and a spconv kernel size (3, 1, 1) becomes
/// <c>new Int3(3, 1, 1)</c>. Reordering the coordinates without reordering the kernel would mismatch them.
/// </para>
/// <para>
/// Layers. spconv convolves by cross-correlation with offsets j in [0, k) per axis. <c>SubMConv3d</c> (odd k) is
/// centred, input = output + (j - (k-1)/2)·d: a stride-1 <see cref="Conv.ConvGeometry"/>. <c>SparseConv3d</c> takes
/// input = output·s - p + j·d and keeps every output cell whose receptive field holds an input:
/// <c>new ConvGeometry(k, s, d, p) { Rule = DownsampleRule.Spconv }</c>. <c>SparseInverseConv3d</c> reuses that map
/// swapped: the same geometry with <c>Transposed = true</c>, run on the downsampled tensor. spconv bounds outputs by
/// the spatial_shape it is given; this engine by the per-axis coordinate maximum + 1, so outputs agree when
/// spatial_shape is that extent (cells past it are the only possible difference). Even-kernel SubMConv3d is not
/// covered by these checks.
/// </para>
/// <para>A 1x1x1 kernel comes back as [Cin, Cout], as <see cref="Nn.Conv3d"/> holds it for a stride-1 layer; reshape
/// it to [1, Cin, Cout] for a strided 1x1x1 layer.</para>
/// </summary>
public static class SpconvWeights
{
    private enum Layout
    {
        /// <summary>spconv 2.x (every algorithm): [Cout, k0, k1, k2, Cin].</summary>
        Krsc,

        /// <summary>spconv 1.x: [k0, k1, k2, Cin, Cout].</summary>
        Rsck,
    }

    /// <summary>Converts a spconv 2.x weight <c>[Cout, k0, k1, k2, Cin]</c>. float16 is widened to float32.</summary>
    /// <param name="weight">The spconv parameter, float32 or float16.</param>
    /// <param name="name">The state-dict key, used in error messages.</param>
    /// <exception cref="ShapeMismatchException">The weight is not 5-D or has an empty axis.</exception>
    /// <exception cref="DTypeMismatchException">The weight is not float32 or float16.</exception>
    public static Tensor FromSpconv2(Tensor weight, string name = "weight") => Convert(weight, name, Layout.Krsc);

    /// <summary>Converts a spconv 1.x weight <c>[k0, k1, k2, Cin, Cout]</c>. float16 is widened to float32.</summary>
    /// <inheritdoc cref="FromSpconv2" path="/param"/>
    /// <inheritdoc cref="FromSpconv2" path="/exception"/>
    public static Tensor FromSpconv1(Tensor weight, string name = "weight") => Convert(weight, name, Layout.Rsck);

    private static Tensor Convert(Tensor weight, string name, Layout layout)
    {
        ArgumentNullException.ThrowIfNull(weight);
        string expected = layout == Layout.Krsc
            ? "[Cout, k0, k1, k2, Cin] (spconv 2.x)"
            : "[k0, k1, k2, Cin, Cout] (spconv 1.x)";
        int[] shape = weight.Shape;
        if (shape.Length != 5 || shape.Contains(0))
        {
            throw new ShapeMismatchException(
                $"spconv weight '{name}' must be {expected} with no empty axis; got [{string.Join(", ", shape)}].");
        }

        float[] source = weight.DType switch
        {
            DType.Float32 => weight.ToArray<float>(),
            DType.Float16 => weight.To(DType.Float32).ToArray<float>(),
            _ => throw new DTypeMismatchException(
                $"spconv weight '{name}' must be float32 or float16; got {weight.DType}."),
        };
        (int cout, var kernel, int cin) = layout == Layout.Krsc
            ? (shape[0], new Int3(shape[1], shape[2], shape[3]), shape[4])
            : (shape[4], new Int3(shape[0], shape[1], shape[2]), shape[3]);
        float[] result = new float[source.Length];
        for (int j0 = 0; j0 < kernel.X; j0++)
        {
            for (int j1 = 0; j1 < kernel.Y; j1++)
            {
                for (int j2 = 0; j2 < kernel.Z; j2++)
                {
                    // spconv flattens offsets row-major (j2 fastest); this engine uses TorchSparse's order.
                    int spatial = (((j0 * kernel.Y) + j1) * kernel.Z) + j2;
                    int flat = KernelMapBuilder.FlatOffset(kernel, j0, j1, j2);
                    for (int i = 0; i < cin; i++)
                    {
                        for (int o = 0; o < cout; o++)
                        {
                            int from = layout == Layout.Krsc
                                ? (((o * kernel.Volume) + spatial) * cin) + i
                                : (((spatial * cin) + i) * cout) + o;
                            result[(((flat * cin) + i) * cout) + o] = source[from];
                        }
                    }
                }
            }
        }

        return kernel.Volume == 1
            ? Tensor.From(result, cin, cout)
            : Tensor.From(result, kernel.Volume, cin, cout);
    }
}
