namespace TorchSparse.Gpu.Generator;

/// <summary>
/// The GEMM-shaped templates. Both tile the same way: a work-group owns TILE_M rows x TILE_N columns of the output,
/// stages TILE_K-deep slices of both operands in local memory, and each thread keeps REG_M x REG_N accumulators for
/// rows tm + i*THREADS_M and columns tn + j*THREADS_N (strided, so neighbouring threads touch neighbouring
/// columns). Every output element sums its terms in one fixed order: results do not depend on the launch.
/// </summary>
internal static class GemmTemplates
{
    /// <summary>The register tile: zeroing it, and adding the product of the staged As [TILE_K][TILE_M] and
    /// Bs [TILE_K][TILE_N] slices to it (every accumulator sums over the slice in index order).</summary>
    private const string Common = """
        #define ZERO_ACCUMULATORS() \
            float acc[REG_M][REG_N]; \
            for (int i = 0; i < REG_M; i++) { \
                for (int j = 0; j < REG_N; j++) { \
                    acc[i][j] = 0.0f; \
                } \
            }
        #define MULTIPLY_TILES() \
            for (int kk = 0; kk < TILE_K; kk++) { \
                float av[REG_M]; \
                float bv[REG_N]; \
                for (int i = 0; i < REG_M; i++) { \
                    av[i] = As[kk][tm + i * THREADS_M]; \
                } \
                for (int j = 0; j < REG_N; j++) { \
                    bv[j] = Bs[kk][tn + j * THREADS_N]; \
                } \
                for (int i = 0; i < REG_M; i++) { \
                    for (int j = 0; j < REG_N; j++) { \
                        acc[i][j] += av[i] * bv[j]; \
                    } \
                } \
            }

        """;

    /// <summary>
    /// Output-stationary sparse conv. Grid: (tiles of TILE_M output rows) x (tiles of TILE_N output channels) x
    /// (splits). Per offset, the tile's rows look up their input row in the out-in map once; a tile none of whose
    /// rows has that neighbour skips the offset (unsorted: a local OR; sorted: the precomputed tile mask of the
    /// split). Sorted with several splits writes per-split partial outputs [SPLITS, rows, cout] that SplitSum adds.
    /// </summary>
    public const string ImplicitGemm = Common + """
        KERNEL void NAME(
            GLOBAL const ELEM* RESTRICT input, GLOBAL const ELEM* RESTRICT weight, GLOBAL const int* RESTRICT outInMap,
            GLOBAL const int* RESTRICT order, GLOBAL const u32* RESTRICT tileMasks,
            GLOBAL const float* RESTRICT scale, GLOBAL const float* RESTRICT shift, GLOBAL float* RESTRICT output,
            int rows, int volume, int cin, int cout)
        {
            SHARED float As[TILE_K][TILE_M + 1];
            SHARED float Bs[TILE_K][TILE_N];
            SHARED int rowsIn[TILE_M];
        #if !SORTED
            SHARED int anyRow;
        #endif
            const int t = LOCAL_ID(0);
            const int tm = t / THREADS_N;
            const int tn = t % THREADS_N;
            const int tile = GROUP_ID(0);
            const int row0 = tile * TILE_M;
            const int n0 = GROUP_ID(1) * TILE_N;
        #if SORTED
            const int split = GROUP_ID(2);
            const int tiles = (rows + TILE_M - 1) / TILE_M;
            const int perSplit = (volume + SPLITS - 1) / SPLITS;
            const int kBegin = split * perSplit;
            const int kEnd = min(kBegin + perSplit, volume);
            const u32 tileMask = tileMasks[(i64)split * tiles + tile];
        #else
            const int kBegin = 0;
            const int kEnd = volume;
        #endif
            ZERO_ACCUMULATORS();

            for (int k = kBegin; k < kEnd; k++) {
        #if SORTED
                if (((tileMask >> (k - kBegin)) & 1u) == 0u) {
                    continue;
                }
                for (int r = t; r < TILE_M; r += THREADS) {
                    int p = row0 + r;
                    rowsIn[r] = p < rows ? outInMap[(i64)order[(i64)split * rows + p] * volume + k] : -1;
                }
                BARRIER();
        #else
                if (t == 0) {
                    anyRow = 0;
                }
                BARRIER();
                for (int r = t; r < TILE_M; r += THREADS) {
                    int p = row0 + r;
                    int source = p < rows ? outInMap[(i64)p * volume + k] : -1;
                    rowsIn[r] = source;
                    if (source >= 0) {
                        SHARED_ATOMIC_OR(&anyRow, 1);
                    }
                }
                BARRIER();
                const int present = anyRow;
                // Every thread has read the flag before thread 0 clears it for the next offset.
                BARRIER();
                if (present == 0) {
                    continue;
                }
        #endif
                for (int c0 = 0; c0 < cin; c0 += TILE_K) {
                    for (int e = t; e < TILE_M * (TILE_K / VEC); e += THREADS) {
                        const int r = e / (TILE_K / VEC);
                        const int c = (e % (TILE_K / VEC)) * VEC;
                        const int source = rowsIn[r];
                        // Bitwise & and |: the operands have no side effects, and && with a 0/1 macro draws clang warnings.
                        const int inside = (source >= 0) & (!CHECK_K | (c0 + c < cin));
                        GLOBAL const ELEM* from = input + (i64)source * cin + c0 + c;
        #if VEC == 4
                        if (inside) {
                            float4 v = VLOAD4_F32(from);
                            As[c][r] = v.x; As[c + 1][r] = v.y; As[c + 2][r] = v.z; As[c + 3][r] = v.w;
                        } else {
                            As[c][r] = 0.0f; As[c + 1][r] = 0.0f; As[c + 2][r] = 0.0f; As[c + 3][r] = 0.0f;
                        }
        #elif VEC == 2
                        if (inside) {
                            float2 v = VLOAD2_F32(from);
                            As[c][r] = v.x; As[c + 1][r] = v.y;
                        } else {
                            As[c][r] = 0.0f; As[c + 1][r] = 0.0f;
                        }
        #else
                        As[c][r] = inside ? LOAD(from, 0) : 0.0f;
        #endif
                    }
                    for (int e = t; e < TILE_K * (TILE_N / VEC); e += THREADS) {
                        const int c = e / (TILE_N / VEC);
                        const int n = (e % (TILE_N / VEC)) * VEC;
                        const int inside = (!CHECK_K | (c0 + c < cin)) & (!CHECK_N | (n0 + n < cout));
                        GLOBAL const ELEM* from = weight + ((i64)k * cin + c0 + c) * cout + n0 + n;
        #if VEC == 4
                        if (inside) {
                            float4 v = VLOAD4_F32(from);
                            Bs[c][n] = v.x; Bs[c][n + 1] = v.y; Bs[c][n + 2] = v.z; Bs[c][n + 3] = v.w;
                        } else {
                            Bs[c][n] = 0.0f; Bs[c][n + 1] = 0.0f; Bs[c][n + 2] = 0.0f; Bs[c][n + 3] = 0.0f;
                        }
        #elif VEC == 2
                        if (inside) {
                            float2 v = VLOAD2_F32(from);
                            Bs[c][n] = v.x; Bs[c][n + 1] = v.y;
                        } else {
                            Bs[c][n] = 0.0f; Bs[c][n + 1] = 0.0f;
                        }
        #else
                        Bs[c][n] = inside ? LOAD(from, 0) : 0.0f;
        #endif
                    }
                    BARRIER();
                    MULTIPLY_TILES();
                    BARRIER();
                }
            }

            for (int i = 0; i < REG_M; i++) {
                const int p = row0 + tm + i * THREADS_M;
                if (p >= rows) {
                    continue;
                }
        #if SORTED
                const i64 o = order[(i64)split * rows + p];
        #else
                const i64 o = p;
        #endif
                for (int j = 0; j < REG_N; j++) {
                    const int n = n0 + tn + j * THREADS_N;
                    if (n >= cout) {
                        continue;
                    }
                    float value = acc[i][j];
        #if SORTED && SPLITS > 1
                    output[((i64)split * rows + o) * cout + n] = value;
        #else
        #if AFFINE
                    value = value * scale[n] + shift[n];
        #endif
        #if RELU
                    value = RELU_F(value);
        #endif
                    output[o * cout + n] = value;
        #endif
                }
            }
        }
        """;

    /// <summary>
    /// C = op(A) * op(B) over a batch of problems. Each batch entry (six i64: A, B and C element offsets, the offset
    /// into the index lists, M and K) is one GEMM; grid (M tiles) x (N tiles) x (batch entries). Indexed operands
    /// read their memory rows through an index list (negative: a zero row for A and B, no store for C), which makes
    /// the same template a fetch-on-demand conv (A and C indexed, accumulating), a gathered batched GEMM and a
    /// weight gradient (A transposed, A and B indexed over the pairs).
    /// </summary>
    public const string IndexedGemm = Common + """
        KERNEL void NAME(
            GLOBAL const ELEM* RESTRICT a, GLOBAL const ELEM* RESTRICT b, GLOBAL float* RESTRICT c,
            GLOBAL const int* RESTRICT indexA, GLOBAL const int* RESTRICT indexB, GLOBAL const int* RESTRICT indexC,
            GLOBAL const i64* RESTRICT batches, GLOBAL const float* RESTRICT scale, GLOBAL const float* RESTRICT shift,
            int n, int lda, int ldb, int ldc)
        {
            SHARED float As[TILE_K][TILE_M + 1];
            SHARED float Bs[TILE_K][TILE_N];
            GLOBAL const i64* batch = batches + 6 * (i64)GROUP_ID(2);
            const i64 aBase = batch[0];
            const i64 bBase = batch[1];
            const i64 cBase = batch[2];
            const i64 indexBase = batch[3];
            const int m = (int)batch[4];
            const int kLength = (int)batch[5];
            const int row0 = GROUP_ID(0) * TILE_M;
            if (row0 >= m) {
                return;
            }
            const int n0 = GROUP_ID(1) * TILE_N;
            const int t = LOCAL_ID(0);
            const int tm = t / THREADS_N;
            const int tn = t % THREADS_N;
            ZERO_ACCUMULATORS();

            for (int k0 = 0; k0 < kLength; k0 += TILE_K) {
        #if TRANS_A
                for (int e = t; e < TILE_K * TILE_M; e += THREADS) {
                    const int kk = e / TILE_M;
                    const int r = e % TILE_M;
                    float v = 0.0f;
                    if (k0 + kk < kLength && row0 + r < m) {
                        const i64 memoryRow = INDEXED_A ? (i64)indexA[indexBase + k0 + kk] : (i64)(k0 + kk);
                        if (memoryRow >= 0) {
                            v = LOAD(a, aBase + memoryRow * lda + row0 + r);
                        }
                    }
                    As[kk][r] = v;
                }
        #else
                for (int e = t; e < TILE_K * TILE_M; e += THREADS) {
                    const int r = e / TILE_K;
                    const int kk = e % TILE_K;
                    float v = 0.0f;
                    if (k0 + kk < kLength && row0 + r < m) {
                        const i64 memoryRow = INDEXED_A ? (i64)indexA[indexBase + row0 + r] : (i64)(row0 + r);
                        if (memoryRow >= 0) {
                            v = LOAD(a, aBase + memoryRow * lda + k0 + kk);
                        }
                    }
                    As[kk][r] = v;
                }
        #endif
        #if TRANS_B
                for (int e = t; e < TILE_K * TILE_N; e += THREADS) {
                    const int j = e / TILE_K;
                    const int kk = e % TILE_K;
                    float v = 0.0f;
                    if (k0 + kk < kLength && n0 + j < n) {
                        v = LOAD(b, bBase + (i64)(n0 + j) * ldb + k0 + kk);
                    }
                    Bs[kk][j] = v;
                }
        #else
                for (int e = t; e < TILE_K * TILE_N; e += THREADS) {
                    const int kk = e / TILE_N;
                    const int j = e % TILE_N;
                    float v = 0.0f;
                    if (k0 + kk < kLength && n0 + j < n) {
                        const i64 memoryRow = INDEXED_B ? (i64)indexB[indexBase + k0 + kk] : (i64)(k0 + kk);
                        if (memoryRow >= 0) {
                            v = LOAD(b, bBase + memoryRow * ldb + n0 + j);
                        }
                    }
                    Bs[kk][j] = v;
                }
        #endif
                BARRIER();
                MULTIPLY_TILES();
                BARRIER();
            }

            for (int i = 0; i < REG_M; i++) {
                const int r = row0 + tm + i * THREADS_M;
                if (r >= m) {
                    continue;
                }
                const i64 memoryRow = INDEXED_C ? (i64)indexC[indexBase + r] : (i64)r;
                if (memoryRow < 0) {
                    continue;
                }
                for (int j = 0; j < REG_N; j++) {
                    const int col = n0 + tn + j * THREADS_N;
                    if (col >= n) {
                        continue;
                    }
                    float value = acc[i][j];
        #if AFFINE
                    value = value * scale[col] + shift[col];
        #endif
        #if RELU
                    value = RELU_F(value);
        #endif
                    const i64 at = cBase + memoryRow * ldc + col;
        #if ACCUMULATE
                    c[at] += value;
        #else
                    c[at] = value;
        #endif
                }
            }
        }
        """;
}
