using System.Numerics;

namespace TorchSparse.Coordinates;

/// <summary>Binary search over ascending values that may repeat.</summary>
internal static class SortedSearch
{
    /// <summary>The first index whose value is at least <paramref name="target"/> (the length when none is).</summary>
    public static int LowerBound<T>(ReadOnlySpan<T> ascending, T target)
        where T : INumber<T>
    {
        int low = 0, high = ascending.Length;
        while (low < high)
        {
            int middle = (int)((uint)(low + high) >> 1);
            if (ascending[middle] < target)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
