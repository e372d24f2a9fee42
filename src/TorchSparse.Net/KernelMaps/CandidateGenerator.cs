using TorchSparse.Coordinates;

namespace TorchSparse.KernelMaps;

/// <summary>
/// Emits the candidates of a strided map for a range of input rows, in row order then offset order: the output
/// cell's key and a payload <c>row * (K + 1) + flat + 1</c>. Payload slot 0 is a bare marker (the cell is an output but
/// this row feeds it through no offset). A payload stored complemented (negative) marks its cell as an output, which
/// only the Minkowski rule needs: there an output exists only where some input floors to it.
/// </summary>
internal sealed unsafe class CandidateGenerator
{
    private readonly int* coords;
    private readonly StridedAxis[] axes;
    private readonly int[] flatOffsets;
    private readonly Int3 kernel;
    private readonly CoordinateKeyer outKeyer;

    public CandidateGenerator(int* coords, StridedAxis[] axes, Int3 kernel, CoordinateKeyer outKeyer)
    {
        this.coords = coords;
        this.axes = axes;
        this.kernel = kernel;
        this.outKeyer = outKeyer;
        flatOffsets = new int[kernel.Volume];
        for (int jx = 0; jx < kernel.X; jx++)
        {
            for (int jy = 0; jy < kernel.Y; jy++)
            {
                for (int jz = 0; jz < kernel.Z; jz++)
                {
                    flatOffsets[(((jx * kernel.Y) + jy) * kernel.Z) + jz] = KernelMapBuilder.FlatOffset(kernel, jx, jy, jz);
                }
            }
        }
    }

    /// <summary>Counts the candidates of rows [start, end), and writes them from index <paramref name="at"/> when
    /// <paramref name="keys"/> is given. Returns the count.</summary>
    public long Generate(int start, int end, long[]? keys, long[]? payloads, int at)
    {
        int[] outX = new int[kernel.X], outY = new int[kernel.Y], outZ = new int[kernel.Z];
        int[] offX = new int[kernel.X], offY = new int[kernel.Y], offZ = new int[kernel.Z];
        bool minkowski = axes[0].Rule == StridedRule.Minkowski;
        long codesPerRow = kernel.Volume + 1L;
        long count = 0;
        for (int row = start; row < end; row++)
        {
            int* c = coords + (row * 4L);
            int nx = axes[0].Pairs(c[1], outX, offX, out int floorX);
            int ny = axes[1].Pairs(c[2], outY, offY, out int floorY);
            int nz = axes[2].Pairs(c[3], outZ, offZ, out int floorZ);
            bool floorIsPair = floorX >= 0 && floorY >= 0 && floorZ >= 0;
            long rowCode = row * codesPerRow;
            if (keys is null)
            {
                count += ((long)nx * ny * nz) + (minkowski && !floorIsPair ? 1 : 0);
                continue;
            }

            for (int a = 0; a < nx; a++)
            {
                for (int b = 0; b < ny; b++)
                {
                    for (int e = 0; e < nz; e++)
                    {
                        int flat = flatOffsets[(((offX[a] * kernel.Y) + offY[b]) * kernel.Z) + offZ[e]];
                        long code = rowCode + flat + 1;
                        keys[at + count] = outKeyer.Encode(c[0], outX[a], outY[b], outZ[e]);
                        payloads![at + count] = minkowski && a == floorX && b == floorY && e == floorZ ? ~code : code;
                        count++;
                    }
                }
            }

            if (minkowski && !floorIsPair)
            {
                keys[at + count] = outKeyer.Encode(
                    c[0], (int)axes[0].FloorCell(c[1]), (int)axes[1].FloorCell(c[2]), (int)axes[2].FloorCell(c[3]));
                payloads![at + count] = ~rowCode;
                count++;
            }
        }

        return count;
    }
}
