using TorchSparse.Autograd;

namespace TorchSparse.Nn;

/// <summary>
/// BatchNorm in training mode: y = (x - mean) / sqrt(var + eps) * weight + bias with the batch's mean and biased
/// variance (in float64), running statistics updated with the unbiased variance as PyTorch does, and the standard
/// backward: dx = weight / sigma * (dy - mean(dy) - xhat * mean(dy * xhat)), dweight = sum(dy * xhat), dbias = sum(dy).
/// The row loops are <see cref="BatchNormKernels"/>.
/// </summary>
internal static class BatchNormTraining
{
    public static Tensor Forward(BatchNorm norm, Tensor x)
    {
        using TapeProfile.Scope timing = TapeProfile.Time(TapeProfile.BatchNorm);
        int n = x.Size(0);
        int c = norm.Channels;
        if (n < 2)
        {
            throw new ShapeMismatchException($"BatchNorm in training needs at least 2 rows per channel; got {n}.");
        }

        ReadOnlySpan<float> xs = x.AsSpan<float>();
        double[] mean = BatchNormKernels.ColumnSums(xs, c);
        for (int j = 0; j < c; j++)
        {
            mean[j] /= n;
        }

        double[] variance = BatchNormKernels.SquaredDeviations(xs, c, mean);
        var invStd = new double[c];
        Span<float> runningMean = norm.RunningMean.AsSpan<float>();
        Span<float> runningVar = norm.RunningVar.AsSpan<float>();
        for (int j = 0; j < c; j++)
        {
            double biased = variance[j] / n;
            invStd[j] = (float)(1 / Math.Sqrt(biased + norm.Eps));
            runningMean[j] = (float)(((1 - norm.Momentum) * runningMean[j]) + (norm.Momentum * mean[j]));
            runningVar[j] = (float)(((1 - norm.Momentum) * runningVar[j]) + (norm.Momentum * variance[j] / (n - 1)));
        }

        norm.CountBatch();
        var stats = new BatchNormKernels.Statistics(mean, invStd);
        Tensor y = Tensor.Empty(DType.Float32, x.Device, n, c);
        BatchNormKernels.Normalize(xs, y.AsSpan<float>(), c, stats, norm.Weight.AsSpan<float>(), norm.Bias.AsSpan<float>());
        if (GradientTape.IsRecording)
        {
            Tensor weight = norm.Weight, bias = norm.Bias;
            GradientTape.Record(y, [x, weight, bias], g => Backward(g, x, stats, weight), category: TapeProfile.BatchNorm);
        }

        return y;
    }

    private static Tensor?[] Backward(Tensor outputGrad, Tensor x, BatchNormKernels.Statistics stats, Tensor weight)
    {
        int n = x.Size(0);
        int c = x.Size(1);
        ReadOnlySpan<float> g = outputGrad.AsSpan<float>();
        ReadOnlySpan<float> xs = x.AsSpan<float>();
        (double[] sumG, double[] sumGh) = BatchNormKernels.GradientSums(g, xs, c, stats);
        ReadOnlySpan<float> w = weight.AsSpan<float>();
        var scale = new float[c];
        for (int j = 0; j < c; j++)
        {
            scale[j] = w[j] * (float)stats.InvStd[j];
        }

        Tensor dx = Tensor.Empty(DType.Float32, x.Device, n, c);
        BatchNormKernels.InputGrad(g, xs, dx.AsSpan<float>(), c, stats, scale, sumG, sumGh);
        return [dx, Tensor.From(sumGh.Select(v => (float)v).ToArray(), c), Tensor.From(sumG.Select(v => (float)v).ToArray(), c)];
    }
}
