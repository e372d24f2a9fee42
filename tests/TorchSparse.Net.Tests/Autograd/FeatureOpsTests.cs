using TorchSparse.Autograd;
using TorchSparse.Functional;
using TorchSparse.Nn;

namespace TorchSparse.Tests.Autograd;

/// <summary>
/// The feature-matrix ops the point branch trains with. Dropout and column slicing are linear in their input, so
/// their gradients are checked exactly: dropout's is the seed times the mask its forward applied, a slice's is the
/// seed put back in its columns.
/// </summary>
public sealed class FeatureOpsTests
{
    [Fact]
    public void Dropout_zeroes_about_p_scales_the_rest_and_backward_applies_the_same_mask()
    {
        Tensor x = Filled(1f, 200, 50);
        Tensor seed = Tensor.From(Enumerable.Range(0, 10_000).Select(i => (float)(i % 7)).ToArray(), 200, 50);
        using var tape = new GradientTape();
        Tensor y = FeatureOps.Dropout(x, 0.3, new Random(3));
        Tensor dx = tape.Backward(y, seed).Of(x)!;

        float[] mask = y.ToArray<float>();   // x is all ones, so y is the mask itself
        Assert.All(mask, m => Assert.True(m == 0f || m == 1f / 0.7f, $"mask value {m}"));
        Assert.InRange(mask.Count(m => m == 0f) / 10_000.0, 0.28, 0.32);
        float[] s = seed.ToArray<float>();
        Assert.Equal(mask.Select((m, i) => m * s[i]).ToArray(), dx.ToArray<float>());
    }

    [Fact]
    public void Dropout_masks_repeat_with_the_seed()
    {
        Tensor x = Filled(2f, 30, 4);
        Assert.Equal(
            FeatureOps.Dropout(x, 0.5, new Random(9)).ToArray<float>(),
            FeatureOps.Dropout(x, 0.5, new Random(9)).ToArray<float>());
        Assert.Equal(x.ToArray<float>(), FeatureOps.Dropout(x, 0, new Random(9)).ToArray<float>());
    }

    [Fact]
    public void Add_is_out_of_place_and_reaches_both_inputs()
    {
        Tensor a = Filled(1f, 3, 2), b = Filled(2f, 3, 2);
        using var tape = new GradientTape();
        Tensor sum = FeatureOps.Add(a, b);
        Gradients grads = tape.Backward(sum);

        Assert.Equal(Enumerable.Repeat(3f, 6), sum.ToArray<float>());
        Assert.Equal(Enumerable.Repeat(1f, 6), a.ToArray<float>());
        Assert.Equal(Enumerable.Repeat(1f, 6), grads.Of(a)!.ToArray<float>());
        Assert.Equal(Enumerable.Repeat(1f, 6), grads.Of(b)!.ToArray<float>());
    }

    [Fact]
    public void A_sliced_linear_passes_its_gradient_to_the_stored_weight()
    {
        var stored = new Linear(4, 2);
        stored.LoadParameters(Tensor.From([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], 2, 4), Tensor.From([0.5f, -0.5f], 2));
        Tensor x = Tensor.From([1f, 2f, 3f, 4f], 2, 2);
        using var tape = new GradientTape();
        Tensor y = stored.SliceInputs(2).Forward(x);
        Gradients grads = tape.Backward(y);

        // y = x W[:, :2]^T + b: rows (1*1 + 2*2, 1*5 + 2*6) + b and (3*1 + 4*2, 3*5 + 4*6) + b.
        Assert.Equal([5.5f, 16.5f, 11.5f, 38.5f], y.ToArray<float>());
        // dW[:, :2] = ones^T x (column sums of x, per output); the unused columns get zero.
        Assert.Equal([4f, 6f, 0f, 0f, 4f, 6f, 0f, 0f], grads.Of(stored.Weight)!.ToArray<float>());
        Assert.Equal([2f, 2f], grads.Of(stored.Bias!)!.ToArray<float>());
    }

    private static Tensor Filled(float value, int rows, int columns)
    {
        Tensor t = Tensor.Empty(DType.Float32, rows, columns);
        t.AsSpan<float>().Fill(value);
        return t;
    }
}
