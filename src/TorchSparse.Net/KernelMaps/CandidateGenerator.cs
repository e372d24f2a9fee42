using System.Runtime.CompilerServices;
using TorchSparse.Coordinates;

namespace TorchSparse.KernelMaps;

/// <summary>
/// Emits the candidates of a strided map for a range of input rows, in row order then offset order: each is the key
/// of an output cell the row reaches and a <see cref="PayloadLayout"/> payload naming the row and the offset. Under
/// the Minkowski rule the candidate at the row's own floor(c/s) cell is flagged as making that cell an output; when
/// no offset reaches that cell, a bare marker (slot 0) stands in for it.
/// </summary>
internal sealed unsafe class CandidateGenerator
{
    private readonly int* coords;
    private readonly StridedAxis[] axes;
    private readonly int[] flatOffsets;
    private readonly Int3 kernel;
    private readonly CoordinateKeyer outKeyer;
    private readonly PayloadLayout layout;
    private readonly bool minkowski;

    // Every axis's single pairs, when each has a table (see StridedAxis.SinglePairs); otherwise null.
    private readonly SinglePairTable[]? singlePairTables;

    public CandidateGenerator(
        int* coords, StridedAxis[] axes, Int3 kernel, CoordinateKeyer outKeyer, PayloadLayout layout)
    {
        this.coords = coords;
        this.axes = axes;
        this.kernel = kernel;
        this.outKeyer = outKeyer;
        this.layout = layout;
        minkowski = axes[0].MarksFloor;
        SinglePairTable?[] tables = Array.ConvertAll(axes, a => a.SinglePairs());
        singlePairTables = Array.TrueForAll(tables, t => t is not null) ? Array.ConvertAll(tables, t => t!) : null;
        flatOffsets = new int[kernel.Volume];
        for (int jx = 0; jx < kernel.X; jx++)
        {
            for (int jy = 0; jy < kernel.Y; jy++)
            {
                for (int jz = 0; jz < kernel.Z; jz++)
                {
                    int byAxes = (((jx * kernel.Y) + jy) * kernel.Z) + jz;
                    flatOffsets[byAxes] = KernelMapBuilder.FlatOffset(kernel, jx, jy, jz);
                }
            }
        }
    }

    /// <summary>Number of candidates of rows [start, end).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long Count(int start, int end)
    {
        long count = 0;
        for (int row = start; row < end; row++)
        {
            int* c = coords + (row * 4L);
            long pairs = (long)axes[0].PairCount(c[1], out bool floorX) * axes[1].PairCount(c[2], out bool floorY)
                * axes[2].PairCount(c[3], out bool floorZ);
            count += pairs + (minkowski && !(floorX && floorY && floorZ) ? 1 : 0);
        }

        return count;
    }

    /// <summary>Writes the candidates of rows [start, end) into <paramref name="store"/> from index
    /// <paramref name="at"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Fill<TStore>(int start, int end, TStore store, long at)
        where TStore : struct, ICandidateStore
    {
        if (singlePairTables is not null)
        {
            FillSinglePairs(start, end, store, at);
            return;
        }

        var pairs = new RowPairs(kernel);
        Coordinate min = outKeyer.Min;
        long extentX = outKeyer.ExtentX, extentY = outKeyer.ExtentY, extentZ = outKeyer.ExtentZ;
        for (int row = start; row < end; row++)
        {
            int* c = coords + (row * 4L);
            pairs.Find(axes, c);

            // The key is built one axis at a time: ((b * ex + x) * ey + y) * ez + z, all relative to the minimum.
            long batchKey = (long)(c[0] - min.Batch) * extentX;
            for (int a = 0; a < pairs.CountX; a++)
            {
                long xKey = (batchKey + pairs.OutX[a] - min.X) * extentY;
                for (int b = 0; b < pairs.CountY; b++)
                {
                    long yKey = (xKey + pairs.OutY[b] - min.Y) * extentZ;
                    int flatBase = ((pairs.OffsetX[a] * kernel.Y) + pairs.OffsetY[b]) * kernel.Z;
                    for (int e = 0; e < pairs.CountZ; e++)
                    {
                        bool marks = minkowski && a == pairs.FloorX && b == pairs.FloorY && e == pairs.FloorZ;
                        int slot = flatOffsets[flatBase + pairs.OffsetZ[e]] + 1;
                        store.Set(at++, yKey + pairs.OutZ[e] - min.Z, layout.Encode(row, slot, marks));
                    }
                }
            }

            if (minkowski && !pairs.FloorIsPair)
            {
                long key = outKeyer.Encode(
                    c[0], (int)axes[0].FloorCell(c[1]), (int)axes[1].FloorCell(c[2]), (int)axes[2].FloorCell(c[3]));
                store.Set(at++, key, layout.Encode(row, 0, marksOutput: true));
            }
        }
    }

    // Every row reaches exactly one output (kernel = stride): one candidate per row, each axis's pair read off its
    // residue table, with no buffers and, for power-of-two strides, no division. A uniform pair count means every pair
    // is inside the output range, and under a marking rule it requires every pair to be the input's floor cell, so
    // every candidate marks its cell and no bare marker is needed.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillSinglePairs<TStore>(int start, int end, TStore store, long at)
        where TStore : struct, ICandidateStore
    {
        SinglePairTable tx = singlePairTables![0], ty = singlePairTables[1], tz = singlePairTables[2];
        Coordinate min = outKeyer.Min;
        long extentX = outKeyer.ExtentX, extentY = outKeyer.ExtentY, extentZ = outKeyer.ExtentZ;
        int strideJx = kernel.Y * kernel.Z;
        fixed (long* deltaX = tx.Delta, deltaY = ty.Delta, deltaZ = tz.Delta)
        fixed (int* offsetX = tx.Offset, offsetY = ty.Offset, offsetZ = tz.Offset, flat = flatOffsets)
        {
            for (int row = start; row < end; row++)
            {
                int* c = coords + (row * 4L);
                (long qx, long rx) = tx.Split(c[1]);
                (long qy, long ry) = ty.Split(c[2]);
                (long qz, long rz) = tz.Split(c[3]);
                long x = qx + deltaX[rx] - min.X, y = qy + deltaY[ry] - min.Y, z = qz + deltaZ[rz] - min.Z;
                long key = (((((c[0] - (long)min.Batch) * extentX) + x) * extentY) + y) * extentZ + z;
                int slot = flat[(offsetX[rx] * strideJx) + (offsetY[ry] * kernel.Z) + offsetZ[rz]] + 1;
                store.Set(at++, key, layout.Encode(row, slot, minkowski));
            }
        }
    }

    /// <summary>One row's per-axis pairs, in buffers reused across the rows of a chunk.</summary>
    private sealed class RowPairs(Int3 kernel)
    {
        public int[] OutX { get; } = new int[kernel.X];

        public int[] OutY { get; } = new int[kernel.Y];

        public int[] OutZ { get; } = new int[kernel.Z];

        public int[] OffsetX { get; } = new int[kernel.X];

        public int[] OffsetY { get; } = new int[kernel.Y];

        public int[] OffsetZ { get; } = new int[kernel.Z];

        public int CountX { get; private set; }

        public int CountY { get; private set; }

        public int CountZ { get; private set; }

        public int FloorX { get; private set; }

        public int FloorY { get; private set; }

        public int FloorZ { get; private set; }

        public bool FloorIsPair => FloorX >= 0 && FloorY >= 0 && FloorZ >= 0;

        public void Find(StridedAxis[] axes, int* c)
        {
            CountX = axes[0].Pairs(c[1], OutX, OffsetX, out int floorX);
            CountY = axes[1].Pairs(c[2], OutY, OffsetY, out int floorY);
            CountZ = axes[2].Pairs(c[3], OutZ, OffsetZ, out int floorZ);
            (FloorX, FloorY, FloorZ) = (floorX, floorY, floorZ);
        }
    }
}
