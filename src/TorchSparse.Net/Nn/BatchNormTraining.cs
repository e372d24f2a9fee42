using TorchSparse.Autograd;

namespace TorchSparse.Nn;

/// <summary>
/// BatchNorm in training mode: y = (x - mean) / sqrt(var + eps) * weight + bias with the batch's mean and biased
/// variance (in float64), running statistics updated with the unbiased variance as PyTorch does, and the standard
/// backward: dx = weight / sigma * (dy - mean(dy) - xhat * mean(dy * xhat)), dweight = sum(dy * xhat), dbias = sum(dy).
/// With <see cref="BatchNorm.FuseRelu"/> the output is max(y, 0) and dy is masked as the ReLU's backward would.
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
        var affine = new BatchNormAffine(mean, invStd, norm.Weight.AsSpan<float>(), norm.Bias.AsSpan<float>(), norm.FuseRelu);
        Tensor y = Tensor.Empty(DType.Float32, x.Device, n, c);
        BatchNormKernels.Normalize(xs, y.AsSpan<float>(), affine);
        if (GradientTape.IsRecording)
        {
            Tensor weight = norm.Weight, bias = norm.Bias;
            GradientTape.Record(y, [x, weight, bias], g => Backward(g, x, affine, weight), category: TapeProfile.BatchNorm);
        }

        return y;
    }

    private static Tensor?[] Backward(Tensor outputGrad, Tensor x, BatchNormAffine affine, Tensor weight)
    {
        int c = x.Size(1);
        ReadOnlySpan<float> g = outputGrad.AsSpan<float>();
        ReadOnlySpan<float> xs = x.AsSpan<float>();
        (double[] sumG, double[] sumGh) = BatchNormKernels.GradientSums(g, xs, affine);
        Tensor dx = Tensor.Empty(DType.Float32, x.Device, x.Size(0), c);
        BatchNormKernels.InputGrad(g, xs, dx.AsSpan<float>(), affine, weight.AsSpan<float>(), sumG, sumGh);
        return [dx, Tensor.From(sumGh.Select(v => (float)v).ToArray(), c), Tensor.From(sumG.Select(v => (float)v).ToArray(), c)];
    }
}
