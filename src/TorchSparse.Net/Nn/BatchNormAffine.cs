using System.Numerics;
using System.Runtime.InteropServices;

namespace TorchSparse.Nn;

/// <summary>
/// What one training BatchNorm's row loops need per channel: the batch mean, 1 / sqrt(biased variance + eps) (rounded
/// to float32 as the reference computes it, held as float64), the weight and bias the forward used, and whether a
/// ReLU is fused. Kept in pinned arrays, so <see cref="Rows"/> can hand the loops raw pointers.
/// </summary>
internal sealed unsafe class BatchNormAffine
{
    private readonly double[] mean;
    private readonly double[] invStd;
    private readonly float[] weight;
    private readonly float[] bias;

    public BatchNormAffine(double[] mean, double[] invStd, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, bool relu)
    {
        this.mean = Pinned<double>(mean);
        this.invStd = Pinned<double>(invStd);
        this.weight = Pinned(weight);
        this.bias = Pinned(bias);
        Relu = relu;
    }

    public int Channels => mean.Length;

    public bool Relu { get; }

    public ReadOnlySpan<double> InvStd => invStd;

    /// <summary>The loops' view of rows <paramref name="x"/> [n, Channels]; valid while this object lives.</summary>
    public AffineRows Rows(float* x) => new(x, Channels, Address(mean), Address(invStd), Address(weight), Address(bias), Relu);

    private static T[] Pinned<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        T[] array = GC.AllocateUninitializedArray<T>(values.Length, pinned: true);
        values.CopyTo(array);
        return array;
    }

    private static T* Address<T>(T[] pinned)
        where T : unmanaged => (T*)Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0);
}

/// <summary>
/// Rows x [n, c] with their channel constants: h = (float)((x - mean) * invStd) in float64, y = h * w + b in float32
/// (then max(y, 0) with a fused ReLU), and the ReLU's gradient mask, per vector of channels and per element.
/// </summary>
internal readonly unsafe struct AffineRows(float* x, int channels, double* mean, double* invStd, float* w, float* b, bool relu)
{
    public int Channels => channels;

    /// <summary>h of the <see cref="Vector{T}"/> of channels j.. of the row starting at element <paramref name="at"/>.</summary>
    public Vector<float> Normalised(long at, int j)
    {
        int d = Vector<double>.Count;
        Vector.Widen(Vector.Load(x + at + j), out Vector<double> x0, out Vector<double> x1);
        return Vector.Narrow(
            (x0 - Vector.Load(mean + j)) * Vector.Load(invStd + j), (x1 - Vector.Load(mean + j + d)) * Vector.Load(invStd + j + d));
    }

    /// <summary>h of element <paramref name="index"/>, of channel <paramref name="j"/>.</summary>
    public float NormalisedElement(long index, int j) => (float)((x[index] - mean[j]) * invStd[j]);

    public Vector<float> Output(Vector<float> h, int j)
    {
        Vector<float> y = (h * Vector.Load(w + j)) + Vector.Load(b + j);
        return relu ? Vector.Max(y, Vector<float>.Zero) : y;
    }

    public float Output(float h, int j)
    {
        float y = (h * w[j]) + b[j];
        return relu ? MathF.Max(y, 0f) : y;
    }

    /// <summary>The output gradient through the fused ReLU: g where the output is positive, g * 0 elsewhere.</summary>
    public Vector<float> Masked(Vector<float> g, Vector<float> h, int j) =>
        relu ? Vector.ConditionalSelect(Vector.GreaterThan(Output(h, j), Vector<float>.Zero), g, g * 0f) : g;

    public float Masked(float g, float h, int j) => relu && !(Output(h, j) > 0f) ? g * 0f : g;
}
