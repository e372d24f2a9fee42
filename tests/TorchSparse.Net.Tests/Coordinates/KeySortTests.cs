using TorchSparse.Coordinates;

namespace TorchSparse.Tests.Coordinates;

public class KeySortTests
{
    [Theory]
    [InlineData(0, 10L)]
    [InlineData(1, 10L)]
    [InlineData(1000, 7L)]
    [InlineData(100_000, 1L << 20)]
    [InlineData(200_000, 1L << 45)]
    [InlineData(70_000, long.MaxValue)]
    public void Sorts_like_a_stable_ordered_sort_for_any_thread_count(int n, long keyCount)
    {
        var random = new Random(n);
        long[] original = Enumerable.Range(0, n).Select(_ => random.NextInt64(keyCount)).ToArray();
        var expected = original.Select((key, index) => (key, index)).OrderBy(p => p.key).ToArray();

        foreach (int threads in new[] { 1, 2, 5 })
        {
            using (ParallelWork.LimitThreads(threads))
            {
                long[] keys = (long[])original.Clone();
                int[] payload = Enumerable.Range(0, n).ToArray();
                KeySort.SortByKey(keys, payload, keyCount);
                Assert.Equal(expected.Select(p => p.key), keys);
                Assert.Equal(expected.Select(p => p.index), payload);
            }
        }
    }
}
