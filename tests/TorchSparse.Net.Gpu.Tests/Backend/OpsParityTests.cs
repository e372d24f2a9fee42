using static TorchSparse.Gpu.Tests.Backend.ParityData;

namespace TorchSparse.Gpu.Tests.Backend;

/// <summary>The dense and element-wise ops of the backend surface on OpenCL against the CPU backend.</summary>
public sealed class OpsParityTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 3, 5)]
    [InlineData(65, 17, 33)]
    [InlineData(300, 64, 64)]
    [InlineData(129, 128, 31)]
    [InlineData(5, 0, 4)]
    public void MatMul_variants_match_cpu(int m, int k, int n)
    {
        float[] a = Random((long)m * k, m);
        float[] b = Random((long)k * n, n);
        float[] at = Random((long)m * k, 3);   // [m, k], used as [M, K] transposed: out [k, n] = at^T * c
        float[] c = Random((long)m * n, 4);    // [m, n]
        float[] bt = Random((long)n * k, 5);   // [n, k]: out [m, n] = a * bt^T
        AssertClose(Run(Device.Cpu), Run(Cl), $"matmul {m}x{k}x{n}");

        float[] Run(Device device)
        {
            Tensor product = Tensor.Empty(DType.Float32, device, m, n);
            device.Backend.MatMul(Tensor.From<float>(a, [m, k], device), Tensor.From<float>(b, [k, n], device), product);
            Tensor productA = Tensor.Empty(DType.Float32, device, k, n);
            device.Backend.MatMulTransposedA(
                Tensor.From<float>(at, [m, k], device), Tensor.From<float>(c, [m, n], device), productA);
            Tensor productB = Tensor.Empty(DType.Float32, device, m, n);
            device.Backend.MatMulTransposedB(
                Tensor.From<float>(a, [m, k], device), Tensor.From<float>(bt, [n, k], device), productB);
            return [.. product.ToArray<float>(), .. productA.ToArray<float>(), .. productB.ToArray<float>()];
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1000, 3)]
    [InlineData(257, 64)]
    public void Row_ops_match_cpu(int rows, int channels)
    {
        float[] x = Random((long)rows * channels, rows);
        float[] y = Random((long)rows * channels, channels);
        float[] scale = Random(channels, 7);
        float[] shift = Random(channels, 8);
        AssertClose(Run(Device.Cpu), Run(Cl), $"row ops {rows}x{channels}");

        float[] Run(Device device)
        {
            Tensor a = Tensor.From<float>(x, [rows, channels], device);
            Tensor b = Tensor.From<float>(y, [rows, channels], device);
            var results = new List<float>();
            void Keep(Tensor t) => results.AddRange(t.ToArray<float>());
            Tensor output = Tensor.Empty(DType.Float32, device, rows, channels);
            device.Backend.Activate(a, output, slope: null);
            Keep(output);
            device.Backend.Activate(a, output, slope: 0.1f);
            Keep(output);
            device.Backend.ActivationGrad(a, b, 0.2f, output);
            Keep(output);
            device.Backend.Add(a, b, output);
            Keep(output);
            device.Backend.Add(a, b, output, relu: true);
            Keep(output);
            Tensor sums = Tensor.Empty(DType.Float32, device, channels);
            device.Backend.ColumnSums(a, sums);
            Keep(sums);
            device.Backend.ChannelAffine(a, scale, shift, relu: false);
            Keep(a);
            device.Backend.ChannelAffine(b, scale, shift, relu: true);
            Keep(b);
            device.Backend.Activate(b, b, slope: null);   // in place
            Keep(b);
            return [.. results];
        }
    }

    [Fact]
    public void Copies_between_devices_round_trip_every_dtype()
    {
        int[] ints = [int.MinValue, -1, 0, 1, int.MaxValue];
        long[] longs = [long.MinValue, -1, 0, 1, long.MaxValue];
        Half[] halves = [(Half)(-2.5f), Half.Epsilon, Half.MaxValue, (Half)0.1f];
        Assert.Equal(ints, Tensor.From(ints, 5).CopyTo(Cl).CopyTo(Device.Cpu).ToArray<int>());
        Assert.Equal(longs, Tensor.From(longs, 5).CopyTo(Cl).ToArray<long>());
        Assert.Equal(halves, Tensor.From(halves, 2, 2).CopyTo(Cl).ToArray<Half>());
        Assert.Equal(DeviceKind.OpenCl, Tensor.From(ints, 5).CopyTo(Cl).Device.Kind);
    }

    [Fact]
    public void Mixing_devices_is_an_error()
    {
        var input = new SparseTensor(Tensor.From(Random(8, 1), 2, 4), Tensor.From(new int[8], 2, 4));
        Tensor weight = Tensor.From<float>(Random(27 * 16, 2), [27, 4, 4], Cl);
        Assert.Throws<DeviceMismatchException>(() =>
            Conv.SparseConv.Forward(input, weight, null, new Conv.ConvGeometry(new Int3(3, 3, 3))));
    }
}
