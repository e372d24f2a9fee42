using TorchSparse.Autograd;
using TorchSparse.Functional;
using TorchSparse.Nn;

namespace TorchSparse.Tests.Autograd;

/// <summary>
/// A tape with a <see cref="TensorPool"/> must give the bits of a plain tape, step after step, while reusing the
/// previous step's buffers; after it is disposed the intermediates it gave back throw when read, and what the
/// caller owns (leaves, their gradients, seeds) stays readable.
/// </summary>
public sealed class TensorPoolTests
{
    [Fact]
    public void Pooled_steps_give_the_plain_tape_bits_and_reuse_memory()
    {
        var pool = new TensorPool();
        for (int step = 0; step < 3; step++)
        {
            // The plain step first: each step's BatchNorm updates its running statistics, so both get fresh layers.
            float[][] plain = Step(null, step);
            Assert.Equal(plain, Step(pool, step));
            Assert.True(pool.IdleBytes > 0);
        }
    }

    [Fact]
    public void Intermediates_throw_after_dispose_and_leaves_stay()
    {
        SparseTensor x = Input(40, 3, seed: 5);
        Tensor seed = Tensor.From(Enumerable.Repeat(1f, 40 * 3).ToArray(), 40, 3);
        var norm = new BatchNorm(3) { Training = true };
        SparseTensor hidden, y;
        Gradients grads;
        using (var tape = new GradientTape(new TensorPool()))
        {
            hidden = norm.Forward(x);
            y = SparseOps.Add(SparseOps.Relu(hidden), x);
            grads = tape.Backward(y.Feats, seed);
        }

        Assert.Throws<ObjectDisposedException>(() => y.Feats.AsSpan<float>());
        Assert.Throws<ObjectDisposedException>(() => grads.Of(hidden.Feats)!.ToArray<float>());
        Assert.Equal(40 * 3, grads.Of(x.Feats)!.ToArray<float>().Length);
        Assert.Equal(3, grads.Of(norm.Weight)!.ToArray<float>().Length);
        Assert.Equal(40 * 3, seed.ToArray<float>().Length);
        Assert.Equal(40 * 3, x.Feats.ToArray<float>().Length);
    }

    [Fact]
    public void A_slightly_larger_request_reuses_a_rounded_buffer_and_idle_buffers_are_dropped()
    {
        var pool = new TensorPool();
        Gradients(pool, rows: 5000);
        long held = pool.IdleBytes;
        Assert.True(held > 0);

        // 2% more rows: the same buffers fit (they were rounded up), so the pool does not grow.
        Gradients(pool, rows: 5100);
        Assert.Equal(held, pool.IdleBytes);

        // A tape that rents nothing leaves every buffer idle through it: they go back to the GC.
        using (new GradientTape(pool))
        {
        }

        Assert.Equal(0, pool.IdleBytes);
    }

    [Fact]
    public void A_recycled_tensor_throws_and_its_memory_serves_the_next_allocation()
    {
        var pool = new TensorPool();
        using (pool.Activate())
        {
            Tensor first = Tensor.Empty(DType.Float32, 1000, 8);
            float[] memory = ArrayOf(first);
            TensorPool.Recycle(first);
            Assert.Throws<ObjectDisposedException>(() => first.AsSpan<float>());

            Tensor second = Tensor.Zeros(DType.Float32, 990, 8);
            Assert.Same(memory, ArrayOf(second));
            Assert.All(second.ToArray<float>(), v => Assert.Equal(0f, v));
        }
    }

    [Fact]
    public void Only_what_the_active_scope_allocated_is_recycled()
    {
        var pool = new TensorPool();
        Tensor before = Tensor.From(new float[] { 1, 2, 3 }, 3);
        TensorPool.Recycle(before);
        Tensor ints;
        Tensor inner;
        using (pool.Activate())
        {
            TensorPool.Recycle(before);
            ints = Tensor.Zeros(DType.Int32, 64);
            TensorPool.Recycle(ints);
            var other = new TensorPool();
            using (other.Activate())
            {
                inner = Tensor.Empty(DType.Float32, 64);
            }

            TensorPool.Recycle(inner);
        }

        Assert.Equal([1f, 2f, 3f], before.ToArray<float>());
        Assert.Equal(64, ints.ToArray<int>().Length);
        Assert.Equal(64, inner.ToArray<float>().Length);
        Assert.Equal(0, pool.IdleBytes);
    }

    [Fact]
    public void A_pass_keeps_what_the_previous_one_recycled_and_drops_what_it_did_not_use()
    {
        var pool = new TensorPool();
        using (pool.Activate())
        {
            TensorPool.Recycle(Tensor.Empty(DType.Float32, 5000));
        }

        Assert.Equal(TensorPool.Rounded(5000) * sizeof(float), pool.IdleBytes);
        using (pool.Activate())
        {
            Tensor reused = Tensor.Empty(DType.Float32, 5000);
            Assert.Equal(0, pool.IdleBytes);
            TensorPool.Recycle(reused);
        }

        Assert.Equal(TensorPool.Rounded(5000) * sizeof(float), pool.IdleBytes);
        using (pool.Activate())
        {
        }

        Assert.Equal(0, pool.IdleBytes);
    }

    [Fact]
    public void Scopes_must_close_innermost_first()
    {
        var pool = new TensorPool();
        IDisposable outer = pool.Activate();
        IDisposable inner = pool.Activate();
        Assert.Throws<InvalidOperationException>(outer.Dispose);
        inner.Dispose();
        outer.Dispose();
        Assert.Null(GetActiveRental());
    }

    [Theory]
    [InlineData(100, 100)]
    [InlineData(4096, 4096)]
    [InlineData(4097, 4608)]
    [InlineData(90460 * 32, 90460 * 32 / 262144 * 262144 + 262144)]
    public void Fresh_buffers_round_up_to_an_eighth_of_an_octave(long length, int expected) =>
        Assert.Equal(expected, TensorPool.Rounded(length));

    private static float[][] Step(TensorPool? pool, int step)
    {
        SparseTensor x = Input(300, 4, seed: 10 + step);
        var conv = new Conv3d(4, 6, 3, seed: 20);
        var norm = new BatchNorm(6) { Training = true };
        using var tape = new GradientTape(pool);
        SparseTensor y = SparseOps.Relu(norm.Forward(conv.Forward(x)));
        Gradients grads = tape.Backward(y.Feats);
        return [grads.Of(x.Feats)!.ToArray<float>(), grads.Of(conv.Weight)!.ToArray<float>(),
            grads.Of(norm.Weight)!.ToArray<float>(), grads.Of(norm.Bias)!.ToArray<float>()];
    }

    private static float[] ArrayOf(Tensor t) => ((TorchSparse.Backends.Cpu.CpuStorage<float>)t.Storage).Array;

    // Nothing is active once every scope is closed: a fresh float tensor comes from the GC, not a pool.
    private static TorchSparse.Backends.TensorStorage? GetActiveRental() =>
        TensorPool.RentActive(DType.Float32, Device.Cpu, 16, zeroed: false);

    private static void Gradients(TensorPool pool, int rows)
    {
        SparseTensor x = Input(rows, 8, seed: 3);
        using var tape = new GradientTape(pool);
        tape.Backward(SparseOps.Relu(SparseOps.Relu(x)).Feats);
    }

    private static SparseTensor Input(int rows, int channels, int seed)
    {
        var random = new Random(seed);
        float[] values = Enumerable.Range(0, rows * channels).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        int[] coords = Enumerable.Range(0, rows).SelectMany(r => new[] { 0, r % 17, r / 17 % 17, r / 289 }).ToArray();
        return new SparseTensor(Tensor.From(values, rows, channels), Tensor.From(coords, rows, 4));
    }
}
