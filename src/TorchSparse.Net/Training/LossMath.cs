using System.Numerics;
using TorchSparse.Backends.Cpu;

namespace TorchSparse.Training;

/// <summary>
/// The loss formulas over flat spans, generic in the element type so the float32 tensors of <see cref="Losses"/>
/// and the float64 arrays of the finite-difference tests run the same code. Every sum is taken in float64 in a
/// fixed order; targets are already validated.
/// </summary>
internal static class LossMath
{
    /// <summary>PyTorch's weighted-mean cross-entropy; returns 0 with a zero gradient when no weight is left.</summary>
    public static double CrossEntropy<T>(
        ReadOnlySpan<T> logits,
        int classes,
        ReadOnlySpan<int> targets,
        int ignoreIndex,
        ReadOnlySpan<T> weight,
        Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        gradient.Clear();

        // The mean divides by the summed weight of the kept rows, so that sum comes first and every row's gradient
        // is scaled by w[y] / W in one pass.
        double totalWeight = 0;
        foreach (int t in targets)
        {
            if (t != ignoreIndex)
            {
                totalWeight += weight.IsEmpty ? 1.0 : double.CreateTruncating(weight[t]);
            }
        }

        if (totalWeight == 0)
        {
            return 0;
        }

        double loss = 0;
        for (int i = 0; i < targets.Length; i++)
        {
            int t = targets[i];
            if (t == ignoreIndex)
            {
                continue;
            }

            ReadOnlySpan<T> row = logits.Slice(i * classes, classes);
            double logZ = LogSumExp(row);
            double w = weight.IsEmpty ? 1.0 : double.CreateTruncating(weight[t]);
            loss += w * (logZ - double.CreateTruncating(row[t]));

            double scale = w / totalWeight;
            Span<T> g = gradient.Slice(i * classes, classes);
            for (int j = 0; j < classes; j++)
            {
                double p = Math.Exp(double.CreateTruncating(row[j]) - logZ);
                g[j] = T.CreateTruncating(scale * (j == t ? p - 1.0 : p));
            }
        }

        return loss / totalWeight;
    }

    /// <summary>
    /// Lovász-softmax over the softmax of <paramref name="logits"/>, averaged over the classes present among the
    /// kept targets; the gradient is taken through the softmax back to the logits.
    /// </summary>
    public static double LovaszSoftmax<T>(
        ReadOnlySpan<T> logits, int classes, ReadOnlySpan<int> targets, int ignoreIndex, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        gradient.Clear();
        int kept = 0;
        foreach (int t in targets)
        {
            kept += t == ignoreIndex ? 0 : 1;
        }

        if (kept == 0)
        {
            return 0;
        }

        // Compact the kept rows into float64 arrays: the per-class work below runs in parallel and needs arrays.
        var rowOf = new int[kept];
        var labels = new int[kept];
        var probabilities = new double[kept * classes];
        var present = new bool[classes];
        for (int i = 0, k = 0; i < targets.Length; i++)
        {
            if (targets[i] == ignoreIndex)
            {
                continue;
            }

            rowOf[k] = i;
            labels[k] = targets[i];
            present[targets[i]] = true;
            Softmax(logits.Slice(i * classes, classes), probabilities.AsSpan(k * classes, classes));
            k++;
        }

        // Each class reads column c and writes only column c of dLoss/dp and its own loss slot, so classes run in
        // parallel without sharing a sum: the result does not depend on the thread count.
        var probabilityGradient = new double[kept * classes];
        var classLoss = new double[classes];
        Parallel.For(0, classes, CpuParallel.Options, c =>
        {
            if (present[c])
            {
                classLoss[c] = LovaszClass(probabilities, labels, classes, c, probabilityGradient);
            }
        });

        int presentCount = 0;
        double loss = 0;
        for (int c = 0; c < classes; c++)
        {
            if (present[c])
            {
                presentCount++;
                loss += classLoss[c];
            }
        }

        // Softmax backward: dL/dz_j = p_j (g_j - Σ_k p_k g_k), with the 1/|present| of the mean folded in.
        double inverseCount = 1.0 / presentCount;
        for (int k = 0; k < kept; k++)
        {
            ReadOnlySpan<double> p = probabilities.AsSpan(k * classes, classes);
            ReadOnlySpan<double> g = probabilityGradient.AsSpan(k * classes, classes);
            double dot = 0;
            for (int j = 0; j < classes; j++)
            {
                dot += p[j] * g[j];
            }

            Span<T> output = gradient.Slice(rowOf[k] * classes, classes);
            for (int j = 0; j < classes; j++)
            {
                output[j] = T.CreateTruncating(p[j] * (g[j] - dot) * inverseCount);
            }
        }

        return loss * inverseCount;
    }

    /// <summary>
    /// Deep evidential regression (Amini et al. 2020): mean over rows of the Normal-Inverse-Gamma NLL plus
    /// <paramref name="lambda"/> · |y - γ| · (2ν + α), with its gradient w.r.t. (γ, ν, α, β) per row.
    /// </summary>
    public static (double Total, double Nll, double Regularizer) Evidential<T>(
        ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, double lambda, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = targets.Length;
        if (rows == 0)
        {
            return (0, 0, 0);
        }

        double nllSum = 0;
        double regSum = 0;
        double inverseRows = 1.0 / rows;
        for (int i = 0; i < rows; i++)
        {
            double gamma = double.CreateTruncating(outputs[4 * i]);
            double nu = double.CreateTruncating(outputs[(4 * i) + 1]);
            double alpha = double.CreateTruncating(outputs[(4 * i) + 2]);
            double beta = double.CreateTruncating(outputs[(4 * i) + 3]);
            if (!(nu > 0 && alpha > 0 && beta > 0))
            {
                // ln ν, ln Γ(α) and ln β are undefined outside these; the head's softplus keeps them positive.
                throw new ArgumentOutOfRangeException(
                    nameof(outputs),
                    $"outputs row {i}: the evidential loss needs nu > 0, alpha > 0 and beta > 0; got nu = {nu}, "
                    + $"alpha = {alpha}, beta = {beta}.");
            }

            double r = double.CreateTruncating(targets[i]) - gamma;
            double omega = 2 * beta * (1 + nu);
            double s = (nu * r * r) + omega;
            double logOmega = Math.Log(omega);
            double logS = Math.Log(s);
            nllSum += (0.5 * Math.Log(Math.PI / nu)) - (alpha * logOmega) + ((alpha + 0.5) * logS)
                + SpecialFunctions.LogGamma(alpha) - SpecialFunctions.LogGamma(alpha + 0.5);
            double evidence = (2 * nu) + alpha;
            double absR = Math.Abs(r);
            regSum += absR * evidence;

            // d|r|/dγ = -sign(r), zero at r = 0 as in PyTorch's abs backward.
            double dGamma = (-(2 * alpha + 1) * nu * r / s) - (lambda * Math.Sign(r) * evidence);
            double dNu = (-0.5 / nu) - (alpha / (1 + nu)) + ((alpha + 0.5) * ((r * r) + (2 * beta)) / s)
                + (lambda * 2 * absR);
            double dAlpha = logS - logOmega + SpecialFunctions.Digamma(alpha) - SpecialFunctions.Digamma(alpha + 0.5)
                + (lambda * absR);
            double dBeta = (-alpha / beta) + ((2 * alpha + 1) * (1 + nu) / s);
            gradient[4 * i] = T.CreateTruncating(dGamma * inverseRows);
            gradient[(4 * i) + 1] = T.CreateTruncating(dNu * inverseRows);
            gradient[(4 * i) + 2] = T.CreateTruncating(dAlpha * inverseRows);
            gradient[(4 * i) + 3] = T.CreateTruncating(dBeta * inverseRows);
        }

        double nll = nllSum * inverseRows;
        double reg = regSum * inverseRows;
        return (nll + (lambda * reg), nll, reg);
    }

    /// <summary>
    /// One class's Lovász hinge on the sorted errors (Berman et al. 2018, Alg. 1): returns Σ e_(k) · g_k and writes
    /// dLoss/dp for column <paramref name="c"/>.
    /// </summary>
    private static double LovaszClass(double[] probabilities, int[] labels, int classes, int c, double[] gradient)
    {
        int n = labels.Length;
        var keys = new double[n];
        var order = new int[n];
        int foreground = 0;
        for (int i = 0; i < n; i++)
        {
            double p = probabilities[(i * classes) + c];
            bool fg = labels[i] == c;
            foreground += fg ? 1 : 0;
            keys[i] = -(fg ? 1.0 - p : p);
            order[i] = i;
        }

        SortDescendingByRow(keys, order);

        // With the errors sorted descending, the Jaccard loss of the top-k set is 1 - I_k / U_k where
        // I_k = |fg| - (fg among the top k) and U_k = |fg| + (bg among the top k); the Lovász extension weighs the
        // k-th error by the increment J_k - J_(k-1). The class is present, so U_k >= 1.
        double loss = 0;
        double previous = 0;
        int fgSeen = 0;
        int bgSeen = 0;
        for (int k = 0; k < n; k++)
        {
            int i = order[k];
            bool fg = labels[i] == c;
            if (fg)
            {
                fgSeen++;
            }
            else
            {
                bgSeen++;
            }

            double jaccard = 1.0 - ((double)(foreground - fgSeen) / (foreground + bgSeen));
            double weight = jaccard - previous;
            previous = jaccard;
            double error = -keys[k];
            loss += error * weight;

            // e = 1 - p on foreground, p on background; |.| has zero slope at 0 as in PyTorch.
            gradient[(i * classes) + c] = error == 0 ? 0 : fg ? -weight : weight;
        }

        return loss;
    }

    private static double LogSumExp<T>(ReadOnlySpan<T> row)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = double.NegativeInfinity;
        foreach (T v in row)
        {
            max = Math.Max(max, double.CreateTruncating(v));
        }

        double sum = 0;
        foreach (T v in row)
        {
            sum += Math.Exp(double.CreateTruncating(v) - max);
        }

        return max + Math.Log(sum);
    }

    private static void Softmax<T>(ReadOnlySpan<T> row, Span<double> probabilities)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double logZ = LogSumExp(row);
        for (int j = 0; j < row.Length; j++)
        {
            probabilities[j] = Math.Exp(double.CreateTruncating(row[j]) - logZ);
        }
    }

    /// <summary>
    /// Sorts negated errors ascending (errors descending) with their rows, then orders each run of equal errors by
    /// row, so ties resolve the same way every run (as PyTorch's stable descending sort does). Sorting primitive keys
    /// and fixing the ties afterwards is faster than a sort with a two-key comparer.
    /// </summary>
    private static void SortDescendingByRow(double[] negatedErrors, int[] rows)
    {
        Array.Sort(negatedErrors, rows);
        for (int start = 0; start < negatedErrors.Length;)
        {
            int end = start + 1;
            while (end < negatedErrors.Length && negatedErrors[end] == negatedErrors[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(rows, start, end - start);
            }

            start = end;
        }
    }
}
