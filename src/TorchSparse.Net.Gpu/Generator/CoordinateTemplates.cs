namespace TorchSparse.Gpu.Generator;

/// <summary>
/// Coordinate hash table and kernel-map construction. Keys are the exact coordinates packed into 64 bits (batch
/// 0..32767 in the top 16 bits, x, y, z offset by 32768 in 16 bits each), never a hash of them, so two voxels cannot
/// alias; rows whose coordinates do not fit are reported, not dropped. The table is open addressing with linear
/// probing from a murmur3 finaliser of the key; the empty slot is all ones, which no packed key can be (batch
/// &lt;= 32767). A coordinate held by several rows keeps its first row (atomic min), as the CPU builders do.
/// </summary>
internal static class CoordinateTemplates
{
    /// <summary>The key helpers every template that reads or writes the table shares: <c>packable</c>,
    /// <c>pack_key</c>, <c>slot_of</c> (the probe start) and <c>find_row</c> (the first row holding a key, or -1).
    /// </summary>
    public const string Common = """
        #define EMPTY_KEY 0xFFFFFFFFFFFFFFFFUL
        INLINE int packable(i64 b, i64 x, i64 y, i64 z)
        {
            return b >= 0 && b < 32768 && x >= -32768 && x < 32768 && y >= -32768 && y < 32768 && z >= -32768 && z < 32768;
        }
        INLINE u64 pack_key(i64 b, i64 x, i64 y, i64 z)
        {
            return ((u64)b << 48) | ((u64)(x + 32768) << 32) | ((u64)(y + 32768) << 16) | (u64)(z + 32768);
        }
        INLINE u64 slot_of(u64 key)
        {
            key ^= key >> 33;
            key *= 0xFF51AFD7ED558CCDUL;
            key ^= key >> 33;
            key *= 0xC4CEB9FE1A85EC53UL;
            key ^= key >> 33;
            return key;
        }
        INLINE int find_row(GLOBAL const u64* keys, GLOBAL const int* values, u64 mask, u64 key)
        {
            u64 slot = slot_of(key) & mask;
            for (;;) {
                const u64 held = keys[slot];
                if (held == key) {
                    return values[slot];
                }
                if (held == EMPTY_KEY) {
                    return -1;
                }
                slot = (slot + 1) & mask;
            }
        }

        """;

    /// <summary>Inserts every row; status[0] gets the first row that cannot be packed (or stays INT_MAX), status[1]
    /// is set to 1 when two rows hold the same coordinate.</summary>
    public const string HashBuild = Common + """
        KERNEL void NAME(GLOBAL const int* RESTRICT coords, GLOBAL u64* keys, GLOBAL int* values, GLOBAL int* status,
            int rows, u64 mask)
        {
            const i64 row = GLOBAL_ID(0);
            if (row >= rows) {
                return;
            }
            GLOBAL const int* c = coords + row * 4;
            if (!packable(c[0], c[1], c[2], c[3])) {
                GLOBAL_ATOMIC_MIN(status, (int)row);
                return;
            }
            const u64 key = pack_key(c[0], c[1], c[2], c[3]);
            u64 slot = slot_of(key) & mask;
            for (;;) {
                const u64 held = GLOBAL_CAS_U64(keys + slot, EMPTY_KEY, key);
                if (held == EMPTY_KEY || held == key) {
                    if (held == key) {
                        status[1] = 1;
                    }
                    GLOBAL_ATOMIC_MIN(values + slot, (int)row);
                    return;
                }
                slot = (slot + 1) & mask;
            }
        }
        """;

    /// <summary>rows[q] = the row holding query q's coordinate, or -1 (also for unpackable queries).</summary>
    public const string HashQuery = Common + """
        KERNEL void NAME(GLOBAL const int* RESTRICT queries, GLOBAL const u64* RESTRICT keys,
            GLOBAL const int* RESTRICT values, GLOBAL int* RESTRICT rows, int count, u64 mask)
        {
            const i64 q = GLOBAL_ID(0);
            if (q >= count) {
                return;
            }
            GLOBAL const int* c = queries + q * 4;
            rows[q] = packable(c[0], c[1], c[2], c[3]) ? find_row(keys, values, mask, pack_key(c[0], c[1], c[2], c[3])) : -1;
        }
        """;

    /// <summary>
    /// Stride-1 map: one work item per (row, offset). Offsets follow TorchSparse's order: with every kernel axis odd,
    /// k = jx + kx (jy + ky jz) and offsets are centred; otherwise k = jz + kz (jy + ky jx), and each axis is centred
    /// only when its own size is odd. Displacements are multiplied by the dilation.
    /// </summary>
    public const string SubmanifoldMap = Common + """
        INLINE i64 displacement(int size, int j, int dilation)
        {
            return (i64)((size & 1) ? j - (size - 1) / 2 : j) * dilation;
        }
        KERNEL void NAME(GLOBAL const int* RESTRICT coords, GLOBAL const u64* RESTRICT keys,
            GLOBAL const int* RESTRICT values, GLOBAL int* RESTRICT map, int rows, u64 mask,
            int kx, int ky, int kz, int dx, int dy, int dz)
        {
            const i64 e = GLOBAL_ID(0);
            const int volume = kx * ky * kz;
            if (e >= (i64)rows * volume) {
                return;
            }
            const i64 row = e / volume;
            const int k = (int)(e % volume);
            int jx;
            int jy;
            int jz;
            if ((kx & ky & kz & 1) == 1) {
                jx = k % kx;
                jy = (k / kx) % ky;
                jz = k / (kx * ky);
            } else {
                jz = k % kz;
                jy = (k / kz) % ky;
                jx = k / (kz * ky);
            }
            GLOBAL const int* c = coords + row * 4;
            const i64 x = (i64)c[1] + displacement(kx, jx, dx);
            const i64 y = (i64)c[2] + displacement(ky, jy, dy);
            const i64 z = (i64)c[3] + displacement(kz, jz, dz);
            map[e] = packable(c[0], x, y, z) ? find_row(keys, values, mask, pack_key(c[0], x, y, z)) : -1;
        }
        """;
}
