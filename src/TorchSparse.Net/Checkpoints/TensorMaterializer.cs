using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TorchSparse.Checkpoints;

/// <summary>
/// Copies a strided view of a raw storage into a contiguous <see cref="Tensor"/>. Conversions: bfloat16 becomes
/// float32 exactly (its bits are the top half of a float32); float64 becomes float32 by round-to-nearest-even, the
/// same as torch's .float(), so values outside float32 range turn into infinities and precision below 2^-24 is lost.
/// </summary>
internal static class TensorMaterializer
{
    public static int ElementSize(StorageKind kind) => kind switch
    {
        StorageKind.Half or StorageKind.BFloat16 => 2,
        StorageKind.Float or StorageKind.Int => 4,
        _ => 8,
    };

    /// <summary>
    /// Builds a tensor from <paramref name="raw"/>, which holds exactly the row-major little-endian elements of
    /// <paramref name="shape"/> in <paramref name="kind"/>. Conversions are those of <see cref="Materialize"/>.
    /// </summary>
    public static Tensor FromContiguous(StorageKind kind, ReadOnlySpan<byte> raw, int[] shape) => kind switch
    {
        StorageKind.Float => Verbatim<float>(raw, shape, BinaryPrimitives.ReadSingleLittleEndian),
        StorageKind.Half => Verbatim<Half>(raw, shape, BinaryPrimitives.ReadHalfLittleEndian),
        StorageKind.Long => Verbatim<long>(raw, shape, BinaryPrimitives.ReadInt64LittleEndian),
        StorageKind.Int => Verbatim<int>(raw, shape, BinaryPrimitives.ReadInt32LittleEndian),
        StorageKind.BFloat16 => Tensor.From<float>(Convert(raw, 2, ReadBFloat16), shape),
        StorageKind.Double => Tensor.From<float>(
            Convert(raw, 8, r => (float)BinaryPrimitives.ReadDoubleLittleEndian(r)), shape),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown storage kind"),
    };

    /// <summary>Elements of <paramref name="storage"/> that a view may reach: what the pickle claims, at most what
    /// its record holds.</summary>
    public static long Available(StorageRef storage) =>
        Math.Min(storage.Numel, (storage.Bytes?.Length ?? 0) / ElementSize(storage.Kind));

    /// <summary>Builds the tensor for <paramref name="record"/>, charging its elements to <paramref name="budget"/>;
    /// faults name <paramref name="key"/>.</summary>
    public static Tensor Materialize(string key, TensorRecord record, ElementBudget budget)
    {
        byte[] bytes = record.Storage.Bytes
            ?? throw new PickleFormatException($"tensor '{key}': storage '{record.Storage.Key}' has no data record");
        int elementSize = ElementSize(record.Storage.Kind);
        long[] indices = Indices(key, record, Available(record.Storage), budget);
        int[] shape = record.Size.Select(s => s <= int.MaxValue
            ? (int)s
            : throw new PickleFormatException($"tensor '{key}': dimension {s} is too large")).ToArray();
        ReadOnlySpan<byte> raw = bytes;
        return record.Storage.Kind switch
        {
            StorageKind.Float => Tensor.From<float>(
                Gather(raw, elementSize, indices, BinaryPrimitives.ReadSingleLittleEndian), shape),
            StorageKind.Half => Tensor.From<Half>(
                Gather(raw, elementSize, indices, BinaryPrimitives.ReadHalfLittleEndian), shape),
            StorageKind.BFloat16 => Tensor.From<float>(Gather(raw, elementSize, indices, ReadBFloat16), shape),
            StorageKind.Double => Tensor.From<float>(
                Gather(raw, elementSize, indices, r => (float)BinaryPrimitives.ReadDoubleLittleEndian(r)), shape),
            StorageKind.Long => Tensor.From<long>(
                Gather(raw, elementSize, indices, BinaryPrimitives.ReadInt64LittleEndian), shape),
            StorageKind.Int => Tensor.From<int>(
                Gather(raw, elementSize, indices, BinaryPrimitives.ReadInt32LittleEndian), shape),
            _ => throw new PickleFormatException($"tensor '{key}': unsupported storage {record.Storage.Kind}"),
        };
    }

    private delegate T ElementReader<out T>(ReadOnlySpan<byte> bytes);

    // bfloat16 is the top half of a float32, so widening is a shift and exact.
    private static float ReadBFloat16(ReadOnlySpan<byte> bytes) =>
        BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes) << 16);

    // Files are little-endian, like every platform .NET runs on today; the element-wise path keeps a big-endian
    // machine correct rather than fast.
    private static Tensor Verbatim<T>(ReadOnlySpan<byte> raw, int[] shape, ElementReader<T> read)
        where T : unmanaged => BitConverter.IsLittleEndian
            ? Tensor.From(MemoryMarshal.Cast<byte, T>(raw), shape)
            : Tensor.From<T>(Convert(raw, Unsafe.SizeOf<T>(), read), shape);

    private static T[] Convert<T>(ReadOnlySpan<byte> raw, int elementSize, ElementReader<T> read)
    {
        var result = new T[raw.Length / elementSize];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = read(raw.Slice(i * elementSize, elementSize));
        }

        return result;
    }

    private static T[] Gather<T>(ReadOnlySpan<byte> raw, int elementSize, long[] indices, ElementReader<T> read)
    {
        var result = new T[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            result[i] = read(raw.Slice((int)(indices[i] * elementSize), elementSize));
        }

        return result;
    }

    /// <summary>Storage index of each output element, row-major; the view is checked against the storage.</summary>
    private static long[] Indices(string key, TensorRecord record, long available, ElementBudget budget)
    {
        long[] size = record.Size;
        long[] stride = record.Stride;
        if (size.Length != stride.Length)
        {
            throw new PickleFormatException(
                $"tensor '{key}': size has {size.Length} dims but stride has {stride.Length}");
        }

        (long count, long last) = Extent(key, record);

        // A view can only hold more elements than its storage by repeating them (stride 0, as from expand). Such
        // views are capped so a few pickled numbers cannot demand gigabytes.
        if (count > Array.MaxLength || (count > available && count > ElementBudget.Repeated))
        {
            throw new PickleFormatException(
                $"tensor '{key}': {count} elements from a storage of {available} is too many");
        }

        if (count > 0 && (record.Offset < 0 || last >= available))
        {
            throw new PickleFormatException($"tensor '{key}': {View(record)} reaches element {last} but storage " +
                $"'{record.Storage.Key}' holds {available}");
        }

        budget.Take(key, count);

        var indices = new long[count];
        var counter = new long[size.Length];
        long at = record.Offset;
        for (long i = 0; i < count; i++)
        {
            indices[i] = at;
            // Odometer increment over the dims, last dim fastest, keeping the storage index in step.
            for (int d = size.Length - 1; d >= 0; d--)
            {
                if (++counter[d] < size[d])
                {
                    at += stride[d];
                    break;
                }

                at -= (size[d] - 1) * stride[d];
                counter[d] = 0;
            }
        }

        return indices;
    }

    /// <summary>Element count and last storage index of a view whose sizes and strides are not negative.</summary>
    private static (long Count, long Last) Extent(string key, TensorRecord record)
    {
        long count = 1;
        long last = record.Offset;
        for (int d = 0; d < record.Size.Length; d++)
        {
            long size = record.Size[d];
            long stride = record.Stride[d];
            if (size < 0 || stride < 0)
            {
                throw new PickleFormatException($"tensor '{key}': negative size or stride in dimension {d}");
            }

            // Pickled sizes and strides are arbitrary int64s: products past long.MaxValue are refused by name, not
            // left to wrap or to surface as a bare OverflowException.
            if ((size != 0 && count > long.MaxValue / size)
                || (size > 1 && stride > (long.MaxValue - Math.Max(last, 0)) / (size - 1)))
            {
                throw new PickleFormatException($"tensor '{key}': {View(record)} overflows a 64-bit element index");
            }

            count *= size;
            last += size > 0 ? (size - 1) * stride : 0;
        }

        return (count, last);
    }

    private static string View(TensorRecord record) =>
        $"view (offset {record.Offset}, size [{string.Join(", ", record.Size)}], stride " +
        $"[{string.Join(", ", record.Stride)}])";
}

/// <summary>
/// Elements one load may materialize: each storage once plus <see cref="Repeated"/> more. Views copy, where torch
/// shares, so without a load-wide cap many views of one storage, or many expanded views, would turn a file of a few
/// KB into gigabytes of tensors.
/// </summary>
internal sealed class ElementBudget(long storageElements)
{
    public const long Repeated = 1L << 24;

    private readonly long total = storageElements + Repeated;
    private long used;

    public void Take(string key, long count)
    {
        if (count > total - used)
        {
            throw new PickleFormatException(
                $"tensor '{key}': its {count} elements bring the views of this checkpoint past {total} elements " +
                $"(its storages hold {total - Repeated}; at most {Repeated} more may repeat them)");
        }

        used += count;
    }
}
