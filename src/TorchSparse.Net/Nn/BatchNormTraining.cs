using TorchSparse.Autograd;

namespace TorchSparse.Nn;

/// <summary>
/// BatchNorm in training mode: y = (x - mean) / sqrt(var + eps) * weight + bias with the batch's mean and biased
/// variance (in float64), running statistics updated with the unbiased variance as PyTorch does, and the standard
/// backward: dx = weight / sigma * (dy - mean(dy) - xhat * mean(dy * xhat)), dweight = sum(dy * xhat), dbias = sum(dy).
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
        var mean = new double[c];
        var variance = new double[c];
        for (int r = 0; r < n; r++)
        {
            for (int j = 0; j < c; j++)
            {
                mean[j] += xs[(r * c) + j];
            }
        }

        for (int j = 0; j < c; j++)
        {
            mean[j] /= n;
        }

        for (int r = 0; r < n; r++)
        {
            for (int j = 0; j < c; j++)
            {
                double d = xs[(r * c) + j] - mean[j];
                variance[j] += d * d;
            }
        }

        var invStd = new float[c];
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
        Tensor xhat = Tensor.Empty(DType.Float32, x.Device, n, c);
        Tensor y = Tensor.Empty(DType.Float32, x.Device, n, c);
        Span<float> h = xhat.AsSpan<float>();
        Span<float> ys = y.AsSpan<float>();
        ReadOnlySpan<float> w = norm.Weight.AsSpan<float>(), b = norm.Bias.AsSpan<float>();
        for (int r = 0; r < n; r++)
        {
            for (int j = 0; j < c; j++)
            {
                int i = (r * c) + j;
                h[i] = (float)((xs[i] - mean[j]) * invStd[j]);
                ys[i] = (h[i] * w[j]) + b[j];
            }
        }

        if (GradientTape.IsRecording)
        {
            Tensor weight = norm.Weight, bias = norm.Bias;
            GradientTape.Record(y, [x, weight, bias], g => Backward(g, xhat, invStd, weight), saved: [xhat], category: TapeProfile.BatchNorm);
        }

        return y;
    }

    private static Tensor?[] Backward(Tensor outputGrad, Tensor xhat, float[] invStd, Tensor weight)
    {
        int n = xhat.Size(0);
        int c = xhat.Size(1);
        ReadOnlySpan<float> g = outputGrad.AsSpan<float>();
        ReadOnlySpan<float> h = xhat.AsSpan<float>();
        var sumG = new double[c];
        var sumGh = new double[c];
        for (int r = 0; r < n; r++)
        {
            for (int j = 0; j < c; j++)
            {
                int i = (r * c) + j;
                sumG[j] += g[i];
                sumGh[j] += g[i] * (double)h[i];
            }
        }

        Tensor dx = Tensor.Empty(DType.Float32, xhat.Device, n, c);
        Span<float> d = dx.AsSpan<float>();
        ReadOnlySpan<float> w = weight.AsSpan<float>();
        for (int r = 0; r < n; r++)
        {
            for (int j = 0; j < c; j++)
            {
                int i = (r * c) + j;
                d[i] = (float)(w[j] * invStd[j] * (g[i] - (sumG[j] / n) - (h[i] * sumGh[j] / n)));
            }
        }

        return [dx, Tensor.From(sumGh.Select(v => (float)v).ToArray(), c), Tensor.From(sumG.Select(v => (float)v).ToArray(), c)];
    }
}
