using TorchSparse.Conv;
using TorchSparse.Nn;
using TorchSparse.Tests.Oracles;
using TorchSparse.Tests.Ops;

namespace TorchSparse.Tests.Conv;

/// <summary>
/// Every dataflow gives the same bits for any thread count, and agrees with a naive scalar conv (neighbours from
/// the reference kernel map, double accumulation) on clouds up to 200k voxels.
/// </summary>
[Collection(ThreadCountGroup.Name)]
public class ConvDeterminismTests
{
    public static TheoryData<Dataflow, bool> Dataflows => new()
    {
        { Dataflow.ImplicitGemm, false },
        { Dataflow.ImplicitGemm, true },
        { Dataflow.FetchOnDemand, false },
        { Dataflow.GatherScatter, false },
    };

    [Theory]
    [Trait("Category", "Simd")]
    [MemberData(nameof(Dataflows))]
    public void Same_bits_with_one_thread_and_with_all(Dataflow dataflow, bool sorted)
    {
        SparseTensor x = RandomClouds.Make(3, 20_000, 33, grid: 40, batches: 2);
        var layer = new Conv3d(33, 31, 3, seed: 7) { Config = new ConvConfig { Dataflow = dataflow, SortByMask = sorted } };
        float[] all = layer.Forward(x).Feats.ToArray<float>();
        try
        {
            Device.CpuThreads = 1;
            float[] one = layer.Forward(x).Feats.ToArray<float>();
            Assert.Equal(all, one);
        }
        finally
        {
            Device.CpuThreads = 0;
        }
    }

    [Theory]
    [InlineData(200_000, 3, 17)]
    [InlineData(50_000, 16, 16)]
    [InlineData(1, 8, 8)]
    public void Large_clouds_match_a_naive_conv(int count, int cin, int cout)
    {
        SparseTensor x = RandomClouds.Make(5, count, cin, grid: 80, batches: 2);
        var layer = new Conv3d(cin, cout, 3, seed: 9);
        float[] got = layer.Forward(x).Feats.ToArray<float>();

        int[] map = ReferenceKernelMap.Submanifold(x.Coords.ToArray<int>(), [3, 3, 3], [1, 1, 1]);
        float[] f = x.Feats.ToArray<float>();
        float[] w = layer.Weight.ToArray<float>();
        for (int o = 0; o < count; o++)
        {
            for (int c = 0; c < cout; c++)
            {
                double sum = 0;
                double magnitude = 0;
                for (int k = 0; k < 27; k++)
                {
                    int i = map[(o * 27) + k];
                    for (int q = 0; i >= 0 && q < cin; q++)
                    {
                        double term = (double)f[(i * cin) + q] * w[(((k * cin) + q) * cout) + c];
                        sum += term;
                        magnitude += Math.Abs(term);
                    }
                }

                // float32 accumulation error grows with the sum of |terms|, not with the result.
                Assert.True(Math.Abs(got[(o * cout) + c] - sum) <= 1e-6 + (4e-7 * magnitude),
                    $"row {o}, channel {c}: got {got[(o * cout) + c]}, want {sum}");
            }
        }
    }
}

/// <summary>Tests that change <see cref="Device.CpuThreads"/> must not run beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadCountGroup
{
    public const string Name = "process-wide CPU thread count";
}
