using TorchSparse.Training;

namespace TorchSparse.Tests.Training;

/// <summary>
/// Analytic gradients of the float64 loss path against central finite differences, (L(x + h) - L(x - h)) / 2h with
/// h = 1e-6 · max(1, |x|). The truncation error is O(h²) and the rounding error about 1e-16 · |L| / h, so both stay
/// below 1e-9 here; the check allows 1e-7 absolute plus 1e-6 relative. Lovász-softmax is piecewise smooth (its
/// pieces change where two errors of a class swap order); with the continuous random inputs below no two errors lie
/// within h of each other, so every difference stays on one piece.
/// </summary>
public sealed class LossGradientCheckTests
{
    private const double Absolute = 1e-7;
    private const double Relative = 1e-6;

    [Theory]
    [InlineData(1, 12, 5, false, false)]
    [InlineData(2, 20, 3, true, false)]
    [InlineData(3, 16, 7, false, true)]
    [InlineData(4, 25, 19, true, true)]
    public void Cross_entropy_gradient_matches_finite_differences(
        int seed, int rows, int classes, bool ignoreSome, bool weighted)
    {
        var random = new Random(seed);
        double[] logits = Normal(random, rows * classes, 2.0);
        int[] targets = Targets(random, rows, classes, ignoreSome ? 255 : null, absent: -1);
        double[] weight = weighted ? Enumerable.Range(0, classes).Select(_ => 0.1 + (2 * random.NextDouble())).ToArray() : [];

        Check(logits, x => LossMath.CrossEntropy<double>(x, classes, targets, 255, weight, new double[x.Length]),
            x =>
            {
                var g = new double[x.Length];
                LossMath.CrossEntropy<double>(x, classes, targets, 255, weight, g);
                return g;
            });
    }

    [Theory]
    [InlineData(11, 15, 4, false, -1)]
    [InlineData(12, 24, 6, true, -1)]
    [InlineData(13, 30, 5, true, 2)]
    [InlineData(14, 8, 3, false, 0)]
    public void Lovasz_softmax_gradient_matches_finite_differences(
        int seed, int rows, int classes, bool ignoreSome, int absentClass)
    {
        var random = new Random(seed);
        double[] logits = Normal(random, rows * classes, 2.0);
        int[] targets = Targets(random, rows, classes, ignoreSome ? 255 : null, absentClass);

        Check(logits, x => LossMath.LovaszSoftmax<double>(x, classes, targets, 255, new double[x.Length]),
            x =>
            {
                var g = new double[x.Length];
                LossMath.LovaszSoftmax<double>(x, classes, targets, 255, g);
                return g;
            });
    }

    [Theory]
    [InlineData(21, 10, 0.0)]
    [InlineData(22, 16, 0.01)]
    [InlineData(23, 12, 1.0)]
    public void Evidential_gradient_matches_finite_differences(int seed, int rows, double lambda)
    {
        var random = new Random(seed);
        var outputs = new double[rows * 4];
        var targets = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            outputs[4 * i] = Normal(random);
            outputs[(4 * i) + 1] = 0.1 + (3 * random.NextDouble());
            outputs[(4 * i) + 2] = 1.1 + (4 * random.NextDouble());
            outputs[(4 * i) + 3] = 0.1 + (3 * random.NextDouble());
            targets[i] = 1.5 * Normal(random);
        }

        Check(outputs, x => LossMath.Evidential<double>(x, targets, lambda, new double[x.Length]).Total,
            x =>
            {
                var g = new double[x.Length];
                LossMath.Evidential<double>(x, targets, lambda, g);
                return g;
            });
    }

    private static void Check(double[] x, Func<double[], double> loss, Func<double[], double[]> gradient)
    {
        double[] analytic = gradient(x);
        for (int i = 0; i < x.Length; i++)
        {
            double h = 1e-6 * Math.Max(1, Math.Abs(x[i]));
            double[] plus = (double[])x.Clone();
            double[] minus = (double[])x.Clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric = (loss(plus) - loss(minus)) / (2 * h);
            TrainingFixture.Close(numeric, analytic[i], Relative, Absolute, $"d/dx[{i}]");
        }
    }

    private static int[] Targets(Random random, int rows, int classes, int? ignore, int absent)
    {
        var targets = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            int c;
            do
            {
                c = random.Next(classes);
            }
            while (c == absent);
            targets[i] = ignore is int ig && random.NextDouble() < 0.25 ? ig : c;
        }

        targets[0] = absent == 0 ? 1 : 0;  // at least one kept row
        return targets;
    }

    private static double[] Normal(Random random, int count, double scale) =>
        Enumerable.Range(0, count).Select(_ => scale * Normal(random)).ToArray();

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
