namespace TorchSparse.Training;

/// <summary>Gradient clipping by the global L2 norm, as <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Computes the L2 norm of all <paramref name="gradients"/> taken together (as one concatenated vector, summed in
    /// float64 in list order) and, when it exceeds <paramref name="maxNorm"/>, scales every gradient in place by
    /// maxNorm / (norm + 1e-6), PyTorch's coefficient. A zero norm leaves the gradients as they are.
    /// </summary>
    /// <param name="gradients">float32 gradients; null entries (parameters without a gradient) are skipped.</param>
    /// <param name="maxNorm">Largest allowed total norm (finite, &gt;= 0).</param>
    /// <returns>The total norm before clipping. When it is NaN or infinite the gradients are left unchanged, so the
    /// caller can skip the step (PyTorch would scale them by 0 or NaN).</returns>
    /// <exception cref="DTypeMismatchException">A gradient is not float32.</exception>
    public static double ClipByGlobalNorm(IEnumerable<Tensor?> gradients, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        if (!(maxNorm >= 0) || !double.IsFinite(maxNorm))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "maxNorm must be finite and >= 0.");
        }

        Tensor[] list = gradients.OfType<Tensor>().ToArray();
        double sumOfSquares = 0;
        for (int t = 0; t < list.Length; t++)
        {
            TrainingChecks.RequireFloat32(list[t], $"{nameof(gradients)}[{t}]");
            foreach (float v in list[t].AsSpan<float>())
            {
                sumOfSquares += (double)v * v;
            }
        }

        double norm = Math.Sqrt(sumOfSquares);
        double coefficient = maxNorm / (norm + 1e-6);
        if (double.IsFinite(norm) && coefficient < 1)
        {
            // PyTorch also multiplies by the coefficient clamped to 1 when no clipping is needed; that is a no-op.
            float scale = (float)coefficient;
            foreach (Tensor g in list)
            {
                Span<float> values = g.AsSpan<float>();
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] *= scale;
                }
            }
        }

        return norm;
    }
}
