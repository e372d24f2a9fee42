using TorchSparse.Coordinates;
using TorchSparse.KernelMaps;

namespace TorchSparse.Tests.KernelMaps;

public class KernelMapCacheTableTests
{
    [Fact]
    public void Table_is_built_once_per_stride_and_dropped_by_clear()
    {
        var cache = new KernelMapCache();
        int[] coords = [0, 1, 2, 3];
        int builds = 0;
        CoordinateHashTable Build()
        {
            builds++;
            return CoordinateHashTable.Build(coords);
        }

        CoordinateHashTable first = cache.GetOrAddTable(1, Build);
        Assert.Same(first, cache.GetOrAddTable(1, Build));
        Assert.NotSame(first, cache.GetOrAddTable(2, Build));
        Assert.Equal(2, builds);

        cache.Clear();
        Assert.NotSame(first, cache.GetOrAddTable(1, Build));
        Assert.Equal(3, builds);
    }
}
