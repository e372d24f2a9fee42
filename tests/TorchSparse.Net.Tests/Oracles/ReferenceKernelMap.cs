using TorchSparse.KernelMaps;

namespace TorchSparse.Tests.Oracles;

/// <summary>
/// Kernel maps computed straight from their definitions with dictionaries and sets, as naively as possible, to check
/// the engine against. Shares no code with the engine. Kernel, stride, dilation and padding are (x, y, z) arrays;
/// coordinates are flat [N*4] (b, x, y, z); a coordinate held by several rows means its first row.
/// </summary>
internal static class ReferenceKernelMap
{
    /// <summary>Kernel offset indices (jx, jy, jz) listed in TorchSparse's flat order: x fastest when every axis is
    /// odd (loop z, then y, then x innermost), z fastest otherwise (loop x, then y, then z innermost).</summary>
    public static List<(int X, int Y, int Z)> OffsetOrder(int[] kernel)
    {
        var order = new List<(int X, int Y, int Z)>();
        if (kernel[0] % 2 == 1 && kernel[1] % 2 == 1 && kernel[2] % 2 == 1)
        {
            for (int z = 0; z < kernel[2]; z++)
            {
                for (int y = 0; y < kernel[1]; y++)
                {
                    for (int x = 0; x < kernel[0]; x++)
                    {
                        order.Add((x, y, z));
                    }
                }
            }
        }
        else
        {
            for (int x = 0; x < kernel[0]; x++)
            {
                for (int y = 0; y < kernel[1]; y++)
                {
                    for (int z = 0; z < kernel[2]; z++)
                    {
                        order.Add((x, y, z));
                    }
                }
            }
        }

        return order;
    }

    /// <summary>Relative displacement of offset index j on an axis of size k: centred for odd k, 0..k-1 for
    /// even.</summary>
    public static int Displacement(int k, int j, int dilation) =>
        k % 2 == 1 ? (j - ((k - 1) / 2)) * dilation : j * dilation;

    public static int[] Submanifold(int[] coords, int[] kernel, int[] dilation)
    {
        Dictionary<(int, int, int, int), int> rows = FirstRows(coords);
        var order = OffsetOrder(kernel);
        int n = coords.Length / 4;
        var map = new int[n * order.Count];
        for (int o = 0; o < n; o++)
        {
            for (int k = 0; k < order.Count; k++)
            {
                // In int64: a displaced coordinate past int32 is no voxel (it must not wrap to the other end).
                long x = coords[(o * 4) + 1] + (long)Displacement(kernel[0], order[k].X, dilation[0]);
                long y = coords[(o * 4) + 2] + (long)Displacement(kernel[1], order[k].Y, dilation[1]);
                long z = coords[(o * 4) + 3] + (long)Displacement(kernel[2], order[k].Z, dilation[2]);
                bool inside = x == (int)x && y == (int)y && z == (int)z;
                map[(o * order.Count) + k] =
                    inside && rows.TryGetValue((coords[o * 4], (int)x, (int)y, (int)z), out int i) ? i : -1;
            }
        }

        return map;
    }

    /// <summary>The rule TorchSparse's downsample would apply, then that rule.</summary>
    public static (int[] Map, int[] OutCoords) Downsample(
        int[] coords, int[] kernel, int[] stride, int[] dilation, int[] padding, DownsampleRule rule)
    {
        bool torchSparseFloor = rule == DownsampleRule.TorchSparse
            && Enumerable.Range(0, 3).All(a => stride[a] == 1 || stride[a] == kernel[a]);
        if (rule == DownsampleRule.Minkowski)
        {
            return Floor(coords, kernel, stride, (axis, j) => Displacement(kernel[axis], j, dilation[axis]));
        }

        // TorchSparse's floor path: floor outputs, but the map of a dense conv (c = o*s - p + j*d).
        return torchSparseFloor
            ? Floor(coords, kernel, stride, (axis, j) => (j * dilation[axis]) - padding[axis])
            : Spconv(coords, kernel, stride, dilation, padding);
    }

    /// <summary>Every output cell of a dense conv3d over [0, max] (padding p) whose window holds an input.</summary>
    public static (int[] Map, int[] OutCoords) Spconv(
        int[] coords, int[] kernel, int[] stride, int[] dilation, int[] padding)
    {
        Dictionary<(int, int, int, int), int> rows = FirstRows(coords);
        var order = OffsetOrder(kernel);
        var outMax = new int[3];
        for (int a = 0; a < 3; a++)
        {
            int max = 0;
            for (int r = 0; r < coords.Length / 4; r++)
            {
                max = Math.Max(max, coords[(r * 4) + 1 + a]);
            }

            int span = max + (2 * padding[a]) - (dilation[a] * (kernel[a] - 1));
            outMax[a] = span < 0 ? -1 : span / stride[a];
        }

        var outputs = new List<(int, int, int, int)>();
        var map = new List<int>();
        foreach (int b in new SortedSet<int>(Enumerable.Range(0, coords.Length / 4).Select(r => coords[r * 4])))
        {
            for (int x = 0; x <= outMax[0]; x++)
            {
                for (int y = 0; y <= outMax[1]; y++)
                {
                    for (int z = 0; z <= outMax[2]; z++)
                    {
                        var entries = order.Select(j => rows.TryGetValue(
                            (b,
                             (x * stride[0]) - padding[0] + (j.X * dilation[0]),
                             (y * stride[1]) - padding[1] + (j.Y * dilation[1]),
                             (z * stride[2]) - padding[2] + (j.Z * dilation[2])), out int i) ? i : -1).ToList();
                        if (entries.Any(i => i >= 0))
                        {
                            outputs.Add((b, x, y, z));
                            map.AddRange(entries);
                        }
                    }
                }
            }
        }

        return (map.ToArray(), Flatten(outputs));
    }

    /// <summary>Outputs unique(floor(c / s)); the input of offset j on an axis is o*s + shift(axis, j).</summary>
    public static (int[] Map, int[] OutCoords) Floor(
        int[] coords, int[] kernel, int[] stride, Func<int, int, int> shift)
    {
        Dictionary<(int, int, int, int), int> rows = FirstRows(coords);
        var order = OffsetOrder(kernel);
        var outputs = new SortedSet<(int, int, int, int)>();
        for (int r = 0; r < coords.Length / 4; r++)
        {
            outputs.Add((coords[r * 4],
                (int)Math.Floor(coords[(r * 4) + 1] / (double)stride[0]),
                (int)Math.Floor(coords[(r * 4) + 2] / (double)stride[1]),
                (int)Math.Floor(coords[(r * 4) + 3] / (double)stride[2])));
        }

        var map = new List<int>();
        foreach (var (b, x, y, z) in outputs)
        {
            foreach (var j in order)
            {
                var c = (b,
                    (x * stride[0]) + shift(0, j.X),
                    (y * stride[1]) + shift(1, j.Y),
                    (z * stride[2]) + shift(2, j.Z));
                map.Add(rows.TryGetValue(c, out int i) ? i : -1);
            }
        }

        return (map.ToArray(), Flatten(outputs));
    }

    /// <summary>Dense conv_transpose3d: outputs c*s - p + j*d that are non-negative; the map inverts that
    /// relation.</summary>
    public static (int[] Map, int[] OutCoords) Generative(
        int[] coords, int[] kernel, int[] stride, int[] dilation, int[] padding)
    {
        Dictionary<(int, int, int, int), int> rows = FirstRows(coords);
        var order = OffsetOrder(kernel);
        var outputs = new SortedSet<(int, int, int, int)>();
        for (int r = 0; r < coords.Length / 4; r++)
        {
            foreach (var j in order)
            {
                int x = (coords[(r * 4) + 1] * stride[0]) - padding[0] + (j.X * dilation[0]);
                int y = (coords[(r * 4) + 2] * stride[1]) - padding[1] + (j.Y * dilation[1]);
                int z = (coords[(r * 4) + 3] * stride[2]) - padding[2] + (j.Z * dilation[2]);
                if (x >= 0 && y >= 0 && z >= 0)
                {
                    outputs.Add((coords[r * 4], x, y, z));
                }
            }
        }

        var map = new List<int>();
        foreach (var (b, x, y, z) in outputs)
        {
            foreach (var j in order)
            {
                int nx = x + padding[0] - (j.X * dilation[0]);
                int ny = y + padding[1] - (j.Y * dilation[1]);
                int nz = z + padding[2] - (j.Z * dilation[2]);
                bool divisible = nx % stride[0] == 0 && ny % stride[1] == 0 && nz % stride[2] == 0;
                var c = (b, nx / stride[0], ny / stride[1], nz / stride[2]);
                map.Add(divisible && rows.TryGetValue(c, out int i) ? i : -1);
            }
        }

        return (map.ToArray(), Flatten(outputs));
    }

    private static Dictionary<(int, int, int, int), int> FirstRows(int[] coords)
    {
        var rows = new Dictionary<(int, int, int, int), int>();
        for (int r = 0; r < coords.Length / 4; r++)
        {
            rows.TryAdd((coords[r * 4], coords[(r * 4) + 1], coords[(r * 4) + 2], coords[(r * 4) + 3]), r);
        }

        return rows;
    }

    private static int[] Flatten(IEnumerable<(int B, int X, int Y, int Z)> rows) =>
        rows.SelectMany(r => new[] { r.B, r.X, r.Y, r.Z }).ToArray();
}
