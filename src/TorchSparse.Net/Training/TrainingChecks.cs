namespace TorchSparse.Training;

/// <summary>Argument checks shared by the losses and optimisers; each message starts with the parameter name.</summary>
internal static class TrainingChecks
{
    public static string Describe(Tensor t) => $"{t.DType} [{string.Join(", ", t.Shape)}]";

    public static void RequireFloat32(Tensor tensor, string name)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (tensor.DType != DType.Float32)
        {
            throw new DTypeMismatchException($"{name} must be float32; got {Describe(tensor)}.");
        }
    }

    /// <summary>A float32 matrix [N, C] with C &gt;= 1; returns (N, C).</summary>
    public static (int Rows, int Columns) RequireMatrix(Tensor tensor, string name, string layout)
    {
        RequireFloat32(tensor, name);
        if (tensor.Rank != 2 || tensor.Size(1) < 1)
        {
            throw new ShapeMismatchException($"{name} must be float32 {layout}; got {Describe(tensor)}.");
        }

        return (tensor.Size(0), tensor.Size(1));
    }

    /// <summary>Class indices [rows] as int32 or int64, copied to int (an int64 beyond int32 cannot be a class or
    /// an ignore index, so it is reported like any other out-of-range target).</summary>
    public static int[] RequireTargets(Tensor targets, int rows, int classes, int ignoreIndex, string name)
    {
        ArgumentNullException.ThrowIfNull(targets, name);
        if (targets.DType is not (DType.Int32 or DType.Int64))
        {
            throw new DTypeMismatchException($"{name} must be int32 or int64; got {Describe(targets)}.");
        }

        if (targets.Rank != 1 || targets.Size(0) != rows)
        {
            throw new ShapeMismatchException($"{name} must be [{rows}] (one class per row); got {Describe(targets)}.");
        }

        var result = new int[rows];
        if (targets.DType == DType.Int32)
        {
            targets.AsSpan<int>().CopyTo(result);
        }
        else
        {
            ReadOnlySpan<long> wide = targets.AsSpan<long>();
            for (int i = 0; i < rows; i++)
            {
                result[i] = wide[i] is >= int.MinValue and <= int.MaxValue
                    ? (int)wide[i]
                    : throw OutOfRange(name, i, wide[i], classes, ignoreIndex);
            }
        }

        for (int i = 0; i < rows; i++)
        {
            if (result[i] != ignoreIndex && (uint)result[i] >= (uint)classes)
            {
                throw OutOfRange(name, i, result[i], classes, ignoreIndex);
            }
        }

        return result;
    }

    private static ArgumentOutOfRangeException OutOfRange(string name, int row, long value, int classes, int ignore) =>
        new(name, $"{name}[{row}] = {value} is neither a class in [0, {classes}) nor the ignore index {ignore}.");
}
