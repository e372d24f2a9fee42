using System.Runtime.Intrinsics;
using TorchSparse.Backends.Cpu;

namespace TorchSparse.Tests.Cpu;

/// <summary>
/// Each loop shape at each register width this process accelerates, called directly. The public ops pick the
/// widest width that fits the length, so on an AVX-512 machine they never run the unrolled 256- or 128-bit loops;
/// these tests do, without relying on the runtime's ISA switches.
/// </summary>
[Trait("Category", "Simd")]
public unsafe class LoopShapeTests
{
    public static TheoryData<int, int> WidthsAndLengths()
    {
        var data = new TheoryData<int, int>();
        int[] widths = [16, 8, 4, 1];
        foreach (int width in widths.Where(w => w <= SimdWidth.Widest))
        {
            for (int length = width; length <= 70; length++)
            {
                data.Add(width, length);
            }

            data.Add(width, 133);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WidthsAndLengths))]
    public void Every_shape_matches_scalar_at_every_width(int width, int length)
    {
        switch (width)
        {
            case 16:
                Check<Simd512, Vector512<float>>(length);
                break;
            case 8:
                Check<Simd256, Vector256<float>>(length);
                break;
            case 4:
                Check<Simd128, Vector128<float>>(length);
                break;
            default:
                Check<SimdScalar, float>(length);
                break;
        }
    }

    private static void Check<TIsa, TVec>(int length)
        where TIsa : struct, ISimdIsa<TVec>
        where TVec : struct
    {
        var rng = new Random(length);
        float[] x = [.. Enumerable.Range(0, length).Select(_ => (rng.NextSingle() * 2) - 1)];
        float[] y = [.. Enumerable.Range(0, length).Select(_ => (rng.NextSingle() * 2) - 1)];
        float[] z = [.. Enumerable.Range(0, length).Select(_ => (rng.NextSingle() * 2) - 1)];
        float[] inPlace = (float[])x.Clone();
        float[] sum = new float[length];
        float[] affine = (float[])x.Clone();
        var leaky = new LeakyReluOperator(0.25f);
        fixed (float* px = x, py = y, pz = z, pInPlace = inPlace, pSum = sum, pAffine = affine)
        {
            nuint n = (nuint)length;
            UnaryLoop.Run<TIsa, TVec, LeakyReluOperator>(pInPlace, pInPlace, n, leaky);
            BinaryLoop.Run<TIsa, TVec, AddOperator>(px, py, pSum, n, default);
            TernaryLoop.Run<TIsa, TVec, MultiplyAddOperator>(pAffine, py, pz, pAffine, n, default);
        }

        for (int i = 0; i < length; i++)
        {
            string context = $"{typeof(TVec).Name} length {length} element {i}";
            Assert.True(inPlace[i] == (x[i] >= 0 ? x[i] : 0.25f * x[i]), $"{context}: leaky relu in place");
            Assert.True(sum[i] == x[i] + y[i], $"{context}: add");
            Assert.True(affine[i] == (x[i] * y[i]) + z[i], $"{context}: multiply-add in place");
        }
    }
}
