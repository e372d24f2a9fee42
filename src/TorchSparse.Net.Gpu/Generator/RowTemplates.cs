namespace TorchSparse.Gpu.Generator;

/// <summary>
/// Row- and element-wise templates: one work item per element (or per column), bounds-checked against the length,
/// so the global size may be rounded up to the work-group size.
/// </summary>
internal static class RowTemplates
{
    /// <summary>out[p, c] = in[index[indexBase + p], c], or 0 for a negative index.</summary>
    public const string Gather = """
        KERNEL void NAME(GLOBAL const ELEM* RESTRICT input, GLOBAL const int* RESTRICT index, GLOBAL ELEM* RESTRICT output,
            i64 indexBase, i64 outputBase, int rows, int channels)
        {
            const i64 e = GLOBAL_ID(0);
            if (e >= (i64)rows * channels) {
                return;
            }
            const i64 p = e / channels;
            const int ch = (int)(e % channels);
            const int source = index[indexBase + p];
            STORE(output, outputBase + e, source >= 0 ? LOAD(input, (i64)source * channels + ch) : 0.0f);
        }
        """;

    /// <summary>out[index[indexBase + p], c] += in[inputBase + p * channels + c]. The indices of one launch must be
    /// distinct (one kernel offset's pairs are), so there are no races and no atomics.</summary>
    public const string ScatterAdd = """
        KERNEL void NAME(GLOBAL const float* RESTRICT input, GLOBAL const int* RESTRICT index, GLOBAL float* RESTRICT output,
            i64 indexBase, i64 inputBase, int rows, int channels)
        {
            const i64 e = GLOBAL_ID(0);
            if (e >= (i64)rows * channels) {
                return;
            }
            const i64 p = e / channels;
            const int ch = (int)(e % channels);
            const int target = index[indexBase + p];
            if (target >= 0) {
                output[(i64)target * channels + ch] += input[inputBase + e];
            }
        }
        """;

    /// <summary>out = sum over splits of partial[split] in split order, then the epilogue.</summary>
    public const string SplitSum = """
        KERNEL void NAME(GLOBAL const float* RESTRICT partial, GLOBAL const float* RESTRICT scale,
            GLOBAL const float* RESTRICT shift, GLOBAL float* RESTRICT output, int rows, int channels, int splits)
        {
            const i64 e = GLOBAL_ID(0);
            const i64 length = (i64)rows * channels;
            if (e >= length) {
                return;
            }
            float value = 0.0f;
            for (int s = 0; s < splits; s++) {
                value += partial[(i64)s * length + e];
            }
        #if AFFINE
            value = value * scale[e % channels] + shift[e % channels];
        #endif
        #if RELU
            value = RELU_F(value);
        #endif
            output[e] = value;
        }
        """;

    /// <summary>OP 0 relu, 1 leaky relu, 2 activation gradient (a = output gradient, b = input), 3 add, 4 add + relu.
    /// ReLU keeps NaN (x &gt; 0 is false only for x &lt;= 0), as the CPU's max(x, 0) does for this operand order.</summary>
    public const string Elementwise = """
        KERNEL void NAME(GLOBAL const float* RESTRICT a, GLOBAL const float* RESTRICT b, GLOBAL float* output,
            i64 length, float slope)
        {
            const i64 e = GLOBAL_ID(0);
            if (e >= length) {
                return;
            }
            const float x = a[e];
        #if OP == 0
            output[e] = x < 0.0f ? 0.0f : x;
        #elif OP == 1
            output[e] = x >= 0.0f ? x : slope * x;
        #elif OP == 2
            output[e] = b[e] > 0.0f ? x : slope * x;
        #elif OP == 3
            output[e] = x + b[e];
        #else
            const float sum = x + b[e];
            output[e] = sum < 0.0f ? 0.0f : sum;
        #endif
        }
        """;

    /// <summary>Rows [N, C] in place: x * scale[c] + shift[c], then ReLU when RELU: inference BatchNorm (folded to
    /// scale and shift), a bias (scale 1) or both, fused with the activation in one pass.</summary>
    public const string BatchNormActivation = """
        KERNEL void NAME(GLOBAL float* rows, GLOBAL const float* RESTRICT scale, GLOBAL const float* RESTRICT shift,
            i64 length, int channels)
        {
            const i64 e = GLOBAL_ID(0);
            if (e >= length) {
                return;
            }
            const int ch = (int)(e % channels);
            float value = rows[e] * scale[ch] + shift[ch];
        #if RELU
            value = value < 0.0f ? 0.0f : value;
        #endif
            rows[e] = value;
        }
        """;

    /// <summary>sums[c] = the sum of rows[r, c] over r in row order: one work item per column.</summary>
    public const string ColumnSums = """
        KERNEL void NAME(GLOBAL const float* RESTRICT rows, GLOBAL float* RESTRICT sums, int count, int channels)
        {
            const i64 ch = GLOBAL_ID(0);
            if (ch >= channels) {
                return;
            }
            float total = 0.0f;
            for (int r = 0; r < count; r++) {
                total += rows[(i64)r * channels + ch];
            }
            sums[ch] = total;
        }
        """;

    /// <summary>out[b, c, r] = in[b', r, c] with b' = b, or batches - 1 - b when reversed (a mirrored kernel).</summary>
    public const string Transpose = """
        KERNEL void NAME(GLOBAL const ELEM* RESTRICT input, GLOBAL ELEM* RESTRICT output, int batches, int rowCount,
            int columns, int reversed)
        {
            const i64 e = GLOBAL_ID(0);
            const i64 plane = (i64)rowCount * columns;
            if (e >= plane * batches) {
                return;
            }
            const int bOut = (int)(e / plane);
            const i64 inPlane = e % plane;
            const int c = (int)(inPlane / rowCount);
            const int r = (int)(inPlane % rowCount);
            const int bIn = reversed ? batches - 1 - bOut : bOut;
            STORE(output, e, LOAD(input, (i64)bIn * plane + (i64)r * columns + c));
        }
        """;
}
