namespace TorchSparse.Training;

/// <summary>A loss value and its gradient with respect to the loss input (same shape, float32).</summary>
/// <param name="Value">The loss, accumulated in float64.</param>
/// <param name="Gradient">dValue/dInput.</param>
public sealed record LossResult(double Value, Tensor Gradient);

/// <summary>The deep evidential regression loss, its two terms, and its gradient w.r.t. (γ, ν, α, β) [N, 4].</summary>
/// <param name="Value"><paramref name="Nll"/> + λ · <paramref name="Regularizer"/>.</param>
/// <param name="Nll">Mean Normal-Inverse-Gamma negative log-likelihood.</param>
/// <param name="Regularizer">Mean |y - γ| · (2ν + α), before λ (what an adaptive λ update compares with its
/// target).</param>
/// <param name="Gradient">dValue/dOutputs, float32 [N, 4].</param>
public sealed record EvidentialLossResult(double Value, double Nll, double Regularizer, Tensor Gradient);

/// <summary>
/// Training losses as pure functions: each returns the value and the gradient with respect to its input, computed in
/// float64 from float32 tensors and returned as float32. Results do not depend on <see cref="Device.CpuThreads"/>.
/// </summary>
public static class Losses
{
    /// <summary>
    /// Cross-entropy of <paramref name="logits"/> [N, C] against class indices, with PyTorch's
    /// <c>F.cross_entropy(weight, ignore_index, reduction='mean')</c> semantics: Σ w[y_i] · (-log softmax(x_i)[y_i])
    /// divided by Σ w[y_i], both over the rows whose target is not <paramref name="ignoreIndex"/>.
    /// </summary>
    /// <param name="logits">float32 [N, C] (unnormalised scores).</param>
    /// <param name="targets">int32 or int64 [N]: a class in [0, C) or <paramref name="ignoreIndex"/>.</param>
    /// <param name="ignoreIndex">Target value whose rows add nothing (PyTorch's default -100; spvnas uses 255).</param>
    /// <param name="classWeights">Optional float32 [C] per-class weights.</param>
    /// <returns>When every row is ignored (or the kept weights sum to 0) the loss is 0 with a zero gradient;
    /// PyTorch returns NaN there (0 / 0), which would poison a running average.</returns>
    /// <exception cref="ShapeMismatchException">A tensor has the wrong shape.</exception>
    /// <exception cref="DTypeMismatchException">A tensor has the wrong element type.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A target is neither a class nor the ignore index.</exception>
    public static LossResult CrossEntropy(
        Tensor logits, Tensor targets, int ignoreIndex = -100, Tensor? classWeights = null)
    {
        (int rows, int classes) = TrainingChecks.RequireMatrix(logits, nameof(logits), "[N, C]");
        int[] labels = TrainingChecks.RequireTargets(targets, rows, classes, ignoreIndex, nameof(targets));
        ReadOnlySpan<float> weight = default;
        if (classWeights is not null)
        {
            TrainingChecks.RequireFloat32(classWeights, nameof(classWeights));
            if (classWeights.Rank != 1 || classWeights.Size(0) != classes)
            {
                throw new ShapeMismatchException(
                    $"{nameof(classWeights)} must be float32 [{classes}] (one per class); got "
                    + $"{TrainingChecks.Describe(classWeights)}.");
            }

            weight = classWeights.AsSpan<float>();
        }

        Tensor gradient = Tensor.Empty(DType.Float32, rows, classes);
        double value = LossMath.CrossEntropy<float>(
            logits.AsSpan<float>(), classes, labels, ignoreIndex, weight, gradient.AsSpan<float>());
        return new LossResult(value, gradient);
    }

    /// <summary>
    /// Lovász-softmax (Berman, Rannen Triki, Blaschko, CVPR 2018) on softmax(<paramref name="logits"/>): for each
    /// class present among the kept targets, the Lovász extension of the Jaccard loss evaluated at the errors
    /// |1[y = c] - p_c|, averaged over those classes ("present", as LiDAR segmentation code uses it). The gradient is
    /// the Lovász extension's (the Jaccard increments along the descending sort of the errors; equal errors are
    /// ordered by row), taken through the softmax to the logits.
    /// </summary>
    /// <param name="logits">float32 [N, C]; the softmax is applied here, as spvnas's MixLovaszCrossEntropy does.
    /// </param>
    /// <param name="targets">int32 or int64 [N]: a class in [0, C) or <paramref name="ignoreIndex"/>.</param>
    /// <param name="ignoreIndex">Rows with this target are dropped before the loss, like the reference code's
    /// <c>flatten_probas(..., ignore)</c>. (spvnas's MixLovaszCrossEntropy does not drop its 255 rows from the
    /// Lovász term, so there they count as background for every class.)</param>
    /// <returns>0 with a zero gradient when every row is ignored.</returns>
    /// <exception cref="ShapeMismatchException">A tensor has the wrong shape.</exception>
    /// <exception cref="DTypeMismatchException">A tensor has the wrong element type.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A target is neither a class nor the ignore index.</exception>
    public static LossResult LovaszSoftmax(Tensor logits, Tensor targets, int ignoreIndex = -100)
    {
        (int rows, int classes) = TrainingChecks.RequireMatrix(logits, nameof(logits), "[N, C]");
        int[] labels = TrainingChecks.RequireTargets(targets, rows, classes, ignoreIndex, nameof(targets));
        Tensor gradient = Tensor.Empty(DType.Float32, rows, classes);
        double value = LossMath.LovaszSoftmax<float>(
            logits.AsSpan<float>(), classes, labels, ignoreIndex, gradient.AsSpan<float>());
        return new LossResult(value, gradient);
    }

    /// <summary>
    /// Deep evidential regression (Amini, Schwarting, Soleimany, Rus, NeurIPS 2020), as the authors' library
    /// computes it: the mean over rows of the Normal-Inverse-Gamma negative log-likelihood
    /// ½ ln(π/ν) - α ln Ω + (α + ½) ln(ν (y - γ)² + Ω) + ln Γ(α) - ln Γ(α + ½), Ω = 2β(1 + ν), plus
    /// <paramref name="lambda"/> times the mean of |y - γ| · (2ν + α). The gradient flows through both terms,
    /// including the regulariser's |y - γ|.
    /// </summary>
    /// <param name="outputs">float32 [N, 4] = (γ, ν, α, β) per row, after the head's activations
    /// (ν, β &gt; 0 and α &gt; 0; the usual head gives α &gt; 1).</param>
    /// <param name="targets">float32 [N].</param>
    /// <param name="lambda">Regulariser weight λ &gt;= 0 (the library's default is 1, its examples use 0.01).</param>
    /// <exception cref="ShapeMismatchException">A tensor has the wrong shape.</exception>
    /// <exception cref="DTypeMismatchException">A tensor has the wrong element type.</exception>
    /// <exception cref="ArgumentOutOfRangeException">λ is negative or not finite, or a row has ν, α or β &lt;= 0.
    /// </exception>
    public static EvidentialLossResult EvidentialRegression(Tensor outputs, Tensor targets, double lambda)
    {
        TrainingChecks.RequireFloat32(outputs, nameof(outputs));
        TrainingChecks.RequireFloat32(targets, nameof(targets));
        if (outputs.Rank != 2 || outputs.Size(1) != 4)
        {
            throw new ShapeMismatchException(
                $"{nameof(outputs)} must be float32 [N, 4] = (gamma, nu, alpha, beta); got "
                + $"{TrainingChecks.Describe(outputs)}.");
        }

        int rows = outputs.Size(0);
        if (targets.Rank != 1 || targets.Size(0) != rows)
        {
            throw new ShapeMismatchException(
                $"{nameof(targets)} must be float32 [{rows}] (one per row of outputs); got "
                + $"{TrainingChecks.Describe(targets)}.");
        }

        if (!(lambda >= 0) || double.IsPositiveInfinity(lambda))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be finite and >= 0.");
        }

        Tensor gradient = Tensor.Empty(DType.Float32, rows, 4);
        (double total, double nll, double reg) = LossMath.Evidential<float>(
            outputs.AsSpan<float>(), targets.AsSpan<float>(), lambda, gradient.AsSpan<float>());
        return new EvidentialLossResult(total, nll, reg, gradient);
    }
}
