namespace TorchSparse.Gpu.Generator;

/// <summary>
/// Strided (downsampling) and generative kernel maps on the device, with the CPU builder's exact result: output
/// coordinates sorted by (b, x, y, z), each (output, offset) entry the smallest input row that reaches it. Every rule
/// is, per axis, o = (c*mul + add - term[j]) / div where that divides and lies in [lo, hi] (the arithmetic of
/// <c>StridedAxis</c>, passed in as <c>axes</c>: mul, add, div, lo, hi for x, y and z, then the x, y and z terms).
/// The output keys are sorted by a bitonic network, made unique with a scan, and numbered by their rank.
/// </summary>
internal static class StridedMapTemplates
{
    // Flat offset to per-axis indices (TorchSparse's order) and the per-axis rule.
    private const string Axes = CoordinateTemplates.Common + """
        INLINE i64 floor_div(i64 a, i64 b)
        {
            const i64 q = a / b;
            return (q * b != a && a < 0) ? q - 1 : q;
        }
        INLINE void offset_indices(int k, int kx, int ky, int kz, int* jx, int* jy, int* jz)
        {
            if ((kx & ky & kz & 1) == 1) {
                *jx = k % kx;
                *jy = (k / kx) % ky;
                *jz = k / (kx * ky);
            } else {
                *jz = k % kz;
                *jy = (k / kz) % ky;
                *jx = k / (kz * ky);
            }
        }
        INLINE int axis_output(GLOBAL const i64* axes, int axis, i64 term, i64 c, i64* o)
        {
            GLOBAL const i64* a = axes + axis * 5;
            const i64 u = c * a[0] + a[1] - term;
            const i64 q = floor_div(u, a[2]);
            *o = q;
            return q * a[2] == u && q >= a[3] && q <= a[4];
        }
        INLINE int candidate(GLOBAL const i64* axes, GLOBAL const int* c, int k, int kx, int ky, int kz, i64* o)
        {
            int jx;
            int jy;
            int jz;
            offset_indices(k, kx, ky, kz, &jx, &jy, &jz);
            GLOBAL const i64* terms = axes + 15;
            return axis_output(axes, 0, terms[jx], c[1], o)
                & axis_output(axes, 1, terms[kx + jy], c[2], o + 1)
                & axis_output(axes, 2, terms[kx + ky + jz], c[3], o + 2);
        }

        """;

    /// <summary>bounds = (min batch, min x, y, z, max x, y, z) over the rows, by atomics.</summary>
    public const string CoordinateBounds = """
        KERNEL void NAME(GLOBAL const int* RESTRICT coords, GLOBAL int* bounds, int rows)
        {
            const i64 row = GLOBAL_ID(0);
            if (row >= rows) {
                return;
            }
            GLOBAL const int* c = coords + row * 4;
            GLOBAL_ATOMIC_MIN(bounds, c[0]);
            for (int a = 1; a < 4; a++) {
                GLOBAL_ATOMIC_MIN(bounds + a, c[a]);
                GLOBAL_ATOMIC_MAX(bounds + 3 + a, c[a]);
            }
        }
        """;

    /// <summary>
    /// The output key each item proposes, EMPTY when none, for <c>count</c> items (a power of two for the sort):
    /// with <c>floorCells</c> one per row, its floor cell (the outputs of the floor rules); otherwise one per
    /// (row, offset), the cell that pair reaches. status[0] gets the first row whose output cannot be a key.
    /// </summary>
    public const string StridedKeys = Axes + """
        KERNEL void NAME(GLOBAL const int* RESTRICT coords, GLOBAL const i64* RESTRICT axes, GLOBAL u64* RESTRICT keys,
            GLOBAL int* status, int rows, int kx, int ky, int kz, int floorCells, i64 count)
        {
            const i64 e = GLOBAL_ID(0);
            if (e >= count) {
                return;
            }
            const int volume = floorCells ? 1 : kx * ky * kz;
            u64 key = EMPTY_KEY;
            if (e < (i64)rows * volume) {
                const i64 row = e / volume;
                GLOBAL const int* c = coords + row * 4;
                i64 o[3];
                int valid = 1;
                if (floorCells) {
                    for (int a = 0; a < 3; a++) {
                        o[a] = floor_div(c[a + 1], axes[a * 5 + 2]);
                    }
                } else {
                    valid = candidate(axes, c, (int)(e % volume), kx, ky, kz, o);
                }
                if (valid && !packable(c[0], o[0], o[1], o[2])) {
                    GLOBAL_ATOMIC_MIN(status, (int)row);
                } else if (valid) {
                    key = pack_key(c[0], o[0], o[1], o[2]);
                }
            }
            keys[e] = key;
        }
        """;

    /// <summary>One compare-exchange step (distance j within blocks of k) of a bitonic sort, ascending.</summary>
    public const string BitonicSortStep = """
        KERNEL void NAME(GLOBAL u64* keys, i64 j, i64 k, i64 count)
        {
            const i64 i = GLOBAL_ID(0);
            const i64 l = i ^ j;
            if (i >= count || l <= i) {
                return;
            }
            const u64 a = keys[i];
            const u64 b = keys[l];
            if ((a > b) == ((i & k) == 0)) {
                keys[i] = b;
                keys[l] = a;
            }
        }
        """;

    /// <summary>ranks[i] = 1 where sorted key i is the first of its value (and not EMPTY), else 0.</summary>
    public const string UniqueFlags = CoordinateTemplates.Common + """
        KERNEL void NAME(GLOBAL const u64* RESTRICT keys, GLOBAL int* RESTRICT ranks, i64 count)
        {
            const i64 i = GLOBAL_ID(0);
            if (i < count) {
                ranks[i] = keys[i] != EMPTY_KEY && (i == 0 || keys[i] != keys[i - 1]);
            }
        }
        """;

    /// <summary>Inclusive scan within each work-group of SCAN_GROUP items (the launch's group size), in place; the
    /// group's total goes to sums[group].</summary>
    public const string ScanBlocks = """
        #define SCAN_GROUP 256
        KERNEL void NAME(GLOBAL int* values, GLOBAL int* sums, i64 count)
        {
            SHARED int part[SCAN_GROUP];
            const int t = LOCAL_ID(0);
            const i64 i = GLOBAL_ID(0);
            part[t] = i < count ? values[i] : 0;
            BARRIER();
            for (int offset = 1; offset < SCAN_GROUP; offset <<= 1) {
                const int before = t >= offset ? part[t - offset] : 0;
                BARRIER();
                part[t] += before;
                BARRIER();
            }
            if (i < count) {
                values[i] = part[t];
            }
            if (t == SCAN_GROUP - 1) {
                sums[GROUP_ID(0)] = part[t];
            }
        }
        """;

    /// <summary>Adds the scanned totals of the groups before each item's own (the second half of the scan).</summary>
    public const string AddBlockSums = """
        #define SCAN_GROUP 256
        KERNEL void NAME(GLOBAL int* values, GLOBAL const int* RESTRICT sums, i64 count)
        {
            const i64 i = GLOBAL_ID(0);
            const i64 group = i / SCAN_GROUP;
            if (i < count && group > 0) {
                values[i] += sums[group - 1];
            }
        }
        """;

    /// <summary>Output coordinate rank - 1 = the unpacked key where the inclusive rank steps up.</summary>
    public const string CompactKeys = """
        KERNEL void NAME(GLOBAL const u64* RESTRICT keys, GLOBAL const int* RESTRICT ranks, GLOBAL int* RESTRICT coords,
            i64 count)
        {
            const i64 i = GLOBAL_ID(0);
            if (i >= count || ranks[i] == (i == 0 ? 0 : ranks[i - 1])) {
                return;
            }
            const u64 key = keys[i];
            GLOBAL int* c = coords + (i64)(ranks[i] - 1) * 4;
            c[0] = (int)(key >> 48);
            c[1] = (int)((key >> 32) & 0xFFFF) - 32768;
            c[2] = (int)((key >> 16) & 0xFFFF) - 32768;
            c[3] = (int)(key & 0xFFFF) - 32768;
        }
        """;

    /// <summary>map[o * volume + k] = min over the rows whose offset k reaches output o (the table of output
    /// coordinates gives o); cells that are not outputs are skipped. The map starts at INT_MAX (see MapFinish).</summary>
    public const string StridedMap = Axes + """
        KERNEL void NAME(GLOBAL const int* RESTRICT coords, GLOBAL const i64* RESTRICT axes,
            GLOBAL const u64* RESTRICT keys, GLOBAL const int* RESTRICT values, GLOBAL int* map, int rows, u64 mask,
            int kx, int ky, int kz)
        {
            const i64 e = GLOBAL_ID(0);
            const int volume = kx * ky * kz;
            if (e >= (i64)rows * volume) {
                return;
            }
            const i64 row = e / volume;
            const int k = (int)(e % volume);
            GLOBAL const int* c = coords + row * 4;
            i64 o[3];
            if (candidate(axes, c, k, kx, ky, kz, o) && packable(c[0], o[0], o[1], o[2])) {
                const int output = find_row(keys, values, mask, pack_key(c[0], o[0], o[1], o[2]));
                if (output >= 0) {
                    GLOBAL_ATOMIC_MIN(map + (i64)output * volume + k, (int)row);
                }
            }
        }
        """;

    /// <summary>Entries no row reached (still INT_MAX) become -1.</summary>
    public const string MapFinish = """
        KERNEL void NAME(GLOBAL int* map, i64 count)
        {
            const i64 i = GLOBAL_ID(0);
            if (i < count && map[i] == 0x7FFFFFFF) {
                map[i] = -1;
            }
        }
        """;
}
