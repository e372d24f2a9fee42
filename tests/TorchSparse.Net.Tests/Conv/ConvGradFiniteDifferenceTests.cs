using TorchSparse.Conv;
using TorchSparse.KernelMaps;
using TorchSparse.Tests.Oracles;
using TorchSparse.Tests.Ops;

namespace TorchSparse.Tests.Conv;

/// <summary>
/// Every gradient of every conv kind against central finite differences of the loss
/// <c>L = sum over (o, c) of G[o, c] * (Y[o, c] + b[c])</c>, where Y is the float64 dense reference conv
/// (<see cref="SparseConvReference"/>, independent of the engine) and G a fixed random output gradient. Every input
/// feature, weight and bias entry is perturbed.
/// </summary>
/// <remarks>
/// The finite differences are exact up to float64 rounding: L is linear in each single variable, so a central
/// difference has no truncation error, and it is divided by the step actually taken after rounding the perturbed
/// value to float32 (the reference reads float32 inputs). Their error is about 1e-14. The whole tolerance is
/// therefore for the engine's float32 arithmetic: sums of at most K * Cout (input) or one offset's pairs (weight)
/// terms of magnitude below 1 here, bounded by 1e-5 + 1e-5 * |expected| (measured worst: 1.7e-6, a bias sum of 12).
/// </remarks>
[Trait("Category", "Simd")]
public class ConvGradFiniteDifferenceTests
{
    private const double AbsoluteTolerance = 1e-5;
    private const double RelativeTolerance = 1e-5;

    /// <summary>A power of two: large enough that float64 rounding of L stays far below the signal.</summary>
    private const float Step = 0.25f;

    public static TheoryData<string> Kinds =>
    [
        "submanifold k3", "submanifold k3 d2", "submanifold k2", "pointwise k1", "downsample k2 s2",
        "downsample k3 s2 p1", "inverse k2 s2", "inverse k3 s2 p1", "generative k2 s2", "generative k3 s2 p1",
    ];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Gradients_match_central_differences(string kind)
    {
        Problem p = Problem.Make(kind);
        Tensor outputGrad = Tensor.From(p.OutputGrad, p.OutputGrad.Length / p.Cout, p.Cout);
        ConvGradients grads = SparseConvGrad.Backward(p.Input, p.Weight, p.Geometry, outputGrad, withBias: true);

        float[] feats = p.Input.Feats.ToArray<float>();
        float[] weight = p.Weight.ToArray<float>();
        float[] bias = new float[p.Cout];
        double Loss()
        {
            double[] y = p.Reference(feats, weight);
            Assert.Equal(p.OutputGrad.Length, y.Length);
            double sum = 0;
            for (int i = 0; i < y.Length; i++)
            {
                sum += p.OutputGrad[i] * (y[i] + bias[i % p.Cout]);
            }

            return sum;
        }

        Compare(kind, "input", feats, Loss, grads.InputGrad.ToArray<float>());
        Compare(kind, "weight", weight, Loss, grads.WeightGrad.ToArray<float>());
        Compare(kind, "bias", bias, Loss, grads.BiasGrad!.ToArray<float>());
    }

    private static void Compare(string kind, string what, float[] variables, Func<double> loss, float[] gradient)
    {
        Assert.Equal(variables.Length, gradient.Length);
        for (int j = 0; j < variables.Length; j++)
        {
            float x = variables[j];
            float plus = x + Step;
            float minus = x - Step;
            variables[j] = plus;
            double high = loss();
            variables[j] = minus;
            double low = loss();
            variables[j] = x;
            double expected = (high - low) / ((double)plus - minus);
            double tolerance = AbsoluteTolerance + (RelativeTolerance * Math.Abs(expected));
            Assert.True(Math.Abs(gradient[j] - expected) <= tolerance,
                $"{kind}, {what} gradient [{j}]: engine {gradient[j]}, finite difference {expected}");
        }
    }

    /// <summary>A small conv with its engine input (forward already run) and its float64 reference forward.</summary>
    private sealed class Problem
    {
        public required SparseTensor Input { get; init; }

        public required Tensor Weight { get; init; }

        public required ConvGeometry Geometry { get; init; }

        public required int Cout { get; init; }

        /// <summary>G, [M, Cout] in the engine's (and the reference's) output row order.</summary>
        public required float[] OutputGrad { get; init; }

        /// <summary>(features, weight) to the reference output [M, Cout].</summary>
        public required Func<float[], float[], double[]> Reference { get; init; }

        public static Problem Make(string kind)
        {
            const int Cin = 3;
            const int Cout = 2;
            var random = new Random(kind.Aggregate(17, (h, c) => (h * 31) + c));
            string[] words = kind.Split(' ');
            int k = words[1][1] - '0';
            Int3 stride = words.Length > 2 && words[2] == "s2" ? new Int3(2, 2, 2) : Int3.One;
            Int3 dilation = words.Length > 2 && words[2] == "d2" ? new Int3(2, 2, 2) : Int3.One;
            Int3 padding = words.Length > 3 && words[3] == "p1" ? Int3.One : new Int3(0, 0, 0);
            int volume = k * k * k;
            float[] weight = Values(random, volume * Cin * Cout, 0.5f);
            ReferenceConv Conv(float[] w) => new(new Int3(k, k, k), stride, dilation, padding, Cin, Cout, w);

            SparseTensor input;
            ConvGeometry geometry;
            Func<float[], float[], double[]> reference;
            int[]? expectedCoords = null;
            switch (words[0])
            {
                case "submanifold" or "pointwise":
                    {
                        input = RandomClouds.Make(random.Next(), 24, Cin, grid: 5, batches: 2);
                        int[] coords = input.Coords.ToArray<int>();
                        geometry = new ConvGeometry(new Int3(k, k, k), dilation: dilation);
                        reference = (f, w) => SparseConvReference.Submanifold(Conv(w), coords, f, 2,
                            SparseConvReference.Extent(coords));
                        break;
                    }

                case "downsample":
                    {
                        input = RandomClouds.Make(random.Next(), 24, Cin, grid: 6, batches: 2);
                        int[] coords = input.Coords.ToArray<int>();
                        Int3 grid = SparseConvReference.Extent(coords);
                        geometry = new ConvGeometry(new Int3(k, k, k), stride, padding: padding) { Rule = DownsampleRule.Spconv };
                        expectedCoords = SparseConvReference.Downsample(Conv(weight), coords, input.Feats.ToArray<float>(), 2, grid).Coords;
                        reference = (f, w) => SparseConvReference.Downsample(Conv(w), coords, f, 2, grid).Feats;
                        break;
                    }

                case "inverse":
                    {
                        // The coarse input and its map come from the matching downsample of the fine voxels.
                        SparseTensor fine = RandomClouds.Make(random.Next(), 30, 1, grid: 6, batches: 2);
                        var down = new ConvGeometry(new Int3(k, k, k), stride, padding: padding) { Rule = DownsampleRule.Spconv };
                        SparseTensor coarse = SparseConv.Forward(fine, Tensor.Zeros(DType.Float32, volume, 1, 1), null, down);
                        input = new SparseTensor(Tensor.From(Values(random, coarse.Count * Cin, 1f), coarse.Count, Cin),
                            coarse.Coords, coarse.Stride, coarse.Cache);
                        geometry = down with { Transposed = true };
                        int[] coarseCoords = coarse.Coords.ToArray<int>();
                        int[] fineCoords = fine.Coords.ToArray<int>();
                        reference = (f, w) => SparseConvReference.Inverse(Conv(w), coarseCoords, f, fineCoords, 2,
                            SparseConvReference.Extent(fineCoords));
                        break;
                    }

                default:
                    {
                        SparseTensor cloud = RandomClouds.Make(random.Next(), 10, Cin, grid: 4, batches: 2);
                        input = new SparseTensor(cloud.Feats, cloud.Coords, stride);
                        int[] coords = input.Coords.ToArray<int>();
                        Int3 grid = SparseConvReference.Extent(coords);
                        geometry = new ConvGeometry(new Int3(k, k, k), stride, padding: padding)
                        {
                            Transposed = true, Generative = true,
                        };
                        expectedCoords = SparseConvReference.Generative(Conv(weight), coords, input.Feats.ToArray<float>(), 2, grid).Coords;
                        reference = (f, w) => SparseConvReference.Generative(Conv(w), coords, f, 2, grid).Feats;
                        break;
                    }
            }

            Tensor weightTensor = geometry.IsPointwise
                ? Tensor.From(weight, Cin, Cout)
                : Tensor.From(weight, volume, Cin, Cout);
            SparseTensor output = SparseConv.Forward(input, weightTensor, null, geometry);
            if (expectedCoords is not null)
            {
                Assert.Equal(expectedCoords, output.Coords.ToArray<int>());
            }

            Assert.True(output.Count > 0, $"{kind}: the test cloud gives no outputs");
            return new Problem
            {
                Input = input, Weight = weightTensor, Geometry = geometry, Cout = Cout,
                OutputGrad = Values(random, output.Count * Cout, 1f), Reference = reference,
            };
        }

        private static float[] Values(Random random, int n, float scale)
        {
            float[] v = RandomClouds.Values(random, n);
            for (int i = 0; i < n; i++)
            {
                v[i] *= scale;
            }

            return v;
        }
    }
}
