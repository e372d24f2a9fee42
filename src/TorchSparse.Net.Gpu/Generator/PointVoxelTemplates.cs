namespace TorchSparse.Gpu.Generator;

/// <summary>
/// Moving features between points (float coordinates [N, 4] as batch, x, y, z) and voxels (the coordinate table of
/// <see cref="CoordinateTemplates"/>), with the arithmetic of <c>TorchSparse.Functional.PointVoxel</c> so the two
/// agree to rounding: a point belongs to the voxel floor(p / stride) per axis; features are float32.
/// <para>No float atomics: every output element is written by one work item that sums its terms in a fixed order
/// (points in point order for the mean, corners in 4dx + 2dy + dz order for the interpolation), so results are
/// deterministic. Each product is its own statement before it is added, so a compiler that contracts only within an
/// expression (OpenCL's default FP_CONTRACT) cannot fuse it into a multiply-add the CPU does not do.</para>
/// </summary>
internal static class PointVoxelTemplates
{
    /// <summary>floor(p / stride) as a 64-bit cell, clamped to +-65536 (which no key can hold, even one step further)
    /// so a coordinate far outside the table's range is a miss, never an overflow. Points are finite.</summary>
    private const string Cells = CoordinateTemplates.Common + """
        INLINE i64 cell_of(float p, int stride)
        {
            const float c = FLOORF(p / (float)stride);
            return c < -65536.0f ? (i64)-65536 : c > 65536.0f ? (i64)65536 : (i64)c;
        }

        """;

    /// <summary>rows[q] = the voxel row of point q (the table's row of (b, floor(x / sx), floor(y / sy),
    /// floor(z / sz))), or -1 when no voxel holds it.</summary>
    public const string PointQuery = Cells + """
        KERNEL void NAME(GLOBAL const float* RESTRICT points, GLOBAL const u64* RESTRICT keys,
            GLOBAL const int* RESTRICT values, GLOBAL int* RESTRICT rows, int count, u64 mask, int sx, int sy, int sz)
        {
            const i64 q = GLOBAL_ID(0);
            if (q >= count) {
                return;
            }
            GLOBAL const float* p = points + q * 4;
            const i64 b = cell_of(p[0], 1);
            const i64 x = cell_of(p[1], sx);
            const i64 y = cell_of(p[2], sy);
            const i64 z = cell_of(p[3], sz);
            rows[q] = packable(b, x, y, z) ? find_row(keys, values, mask, pack_key(b, x, y, z)) : -1;
        }
        """;

    /// <summary>
    /// Point-to-voxel mean, one work item per (voxel, channel): voxel v's points are order[first[v] .. first[v + 1])
    /// in ascending point order (a stable counting sort of the <see cref="PointQuery"/> rows); their features are
    /// summed in that order and divided by the count when it exceeds 1, exactly as the CPU does. A voxel with no
    /// point gets 0.
    /// </summary>
    public const string Voxelize = """
        KERNEL void NAME(GLOBAL const float* RESTRICT feats, GLOBAL const int* RESTRICT first,
            GLOBAL const int* RESTRICT order, GLOBAL float* RESTRICT output, int voxels, int channels)
        {
            const i64 e = GLOBAL_ID(0);
            if (e >= (i64)voxels * channels) {
                return;
            }
            const i64 v = e / channels;
            const int ch = (int)(e % channels);
            const int begin = first[v];
            const int end = first[v + 1];
            float sum = 0.0f;
            for (int i = begin; i < end; i++) {
                sum += feats[(i64)order[i] * channels + ch];
            }
            const int count = end - begin;
            output[e] = count > 1 ? sum / (float)count : sum;
        }
        """;

    /// <summary>
    /// Trilinear devoxelization (TorchSparse calc_ti_weights + devoxelize), one work item per (point, channel): the
    /// 8 corners around floor(p / s) in order 4dx + 2dy + dz; per axis lower = floor(p) (stride 1) or
    /// floor(p / s) * s, upper = lower + s, weight upper - p for d = 0 and p - lower for d = 1; the product over the
    /// axes is divided by the stride volume when it is not 1. Corners of weight 0 are not looked up, missing voxels
    /// weigh 0, and the weights are renormalised by (sum + 1e-8) before the weighted sum in corner order. Every
    /// channel of a point repeats the 8 lookups (cheap next to the feature reads, and no scratch buffers).
    /// </summary>
    public const string Devoxelize = Cells + """
        INLINE float corner_weight(float p, int stride, int d)
        {
            const float s = (float)stride;
            const float lower = stride == 1 ? FLOORF(p) : FLOORF(p / s) * s;
            const float upper = lower + s;
            return d == 0 ? upper - p : p - lower;
        }
        KERNEL void NAME(GLOBAL const float* RESTRICT points, GLOBAL const u64* RESTRICT keys,
            GLOBAL const int* RESTRICT values, GLOBAL const float* RESTRICT feats, GLOBAL float* RESTRICT output,
            int count, int channels, u64 mask, int sx, int sy, int sz, float volume)
        {
            const i64 e = GLOBAL_ID(0);
            if (e >= (i64)count * channels) {
                return;
            }
            const i64 q = e / channels;
            const int ch = (int)(e % channels);
            GLOBAL const float* p = points + q * 4;
            const i64 b = cell_of(p[0], 1);
            const i64 x = cell_of(p[1], sx);
            const i64 y = cell_of(p[2], sy);
            const i64 z = cell_of(p[3], sz);
            int rows[8];
            float weights[8];
            int found = 0;
            float total = 0.0f;
            for (int k = 0; k < 8; k++) {
                const int dx = k >> 2;
                const int dy = (k >> 1) & 1;
                const int dz = k & 1;
                const float wxy = corner_weight(p[1], sx, dx) * corner_weight(p[2], sy, dy);
                float w = wxy * corner_weight(p[3], sz, dz);
                if (volume != 1.0f) {
                    w = w / volume;
                }
                if (w != 0.0f && packable(b, x + dx, y + dy, z + dz)) {
                    const int row = find_row(keys, values, mask, pack_key(b, x + dx, y + dy, z + dz));
                    if (row >= 0) {
                        rows[found] = row;
                        weights[found] = w;
                        found++;
                        total += w;
                    }
                }
            }
            const float norm = total + 1e-8f;
            float sum = 0.0f;
            for (int k = 0; k < found; k++) {
                const float term = (weights[k] / norm) * feats[(i64)rows[k] * channels + ch];
                sum += term;
            }
            output[e] = sum;
        }
        """;
}
