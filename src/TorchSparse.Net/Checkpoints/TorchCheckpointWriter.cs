using System.Globalization;

namespace TorchSparse.Checkpoints;

/// <summary>
/// What torch.save (the zip format of torch >= 1.6) writes for a dict of tensors: a zip whose one folder holds
/// <c>data.pkl</c> (the object tree, pickle protocol 2), <c>byteorder</c>, one <c>data/&lt;key&gt;</c> record per
/// tensor (its elements, little-endian) and <c>version</c>. A tensor is pickled as torch pickles it,
/// <c>torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())</c> with the storage a
/// persistent id <c>('storage', torch.FloatStorage, key, 'cpu', numel)</c>; each tensor has its own storage, used
/// whole and row-major.
/// </summary>
internal static class TorchCheckpointWriter
{
    // torch names the folder after the file; any name loads, and a fixed one keeps the bytes independent of the path.
    private const string Folder = "archive/";

    /// <summary>The pickle for <paramref name="tensors"/>, wrapped and with metadata as <paramref name="options"/>
    /// say. Building it checks every input.</summary>
    /// <exception cref="ArgumentException">A tensor is null or has no storage class, a metadata value is not a
    /// plain value, or the options do not fit together; the message names the key.</exception>
    public static byte[] Pickle(KeyValuePair<string, Tensor>[] tensors, TorchSaveOptions options)
    {
        string? wrapper = options.Wrapper;
        KeyValuePair<string, object>[] metadata = options.Metadata?.ToArray() ?? [];
        if (wrapper is not (null or "model" or "state_dict"))
        {
            throw new ArgumentException(
                $"wrapper '{wrapper}' is neither \"model\" nor \"state_dict\", the keys Load unwraps", nameof(options));
        }

        if (metadata.Length > 0 && wrapper is null)
        {
            throw new ArgumentException("metadata needs a wrapper: a bare state dict holds only tensors",
                nameof(options));
        }

        if (metadata.Any(pair => pair.Key == wrapper))
        {
            throw new ArgumentException($"metadata key '{wrapper}' is the wrapper's key", nameof(options));
        }

        var pickle = new PickleWriter();
        if (wrapper is not null)
        {
            // A plain dict, as a training script's {"model": ..., "epoch": ...}.
            pickle.EmptyDict();
            pickle.Mark();
            pickle.String(wrapper);
        }

        StateDict(pickle, tensors);
        if (wrapper is not null)
        {
            foreach ((string key, object value) in metadata)
            {
                pickle.String(key);
                Plain(pickle, key, value);
            }

            pickle.SetItems();
        }

        return pickle.Finish();
    }

    /// <summary>Writes the archive: <paramref name="pickle"/> (from <see cref="Pickle"/>), then the tensors' data.
    /// </summary>
    public static void Write(Stream stream, byte[] pickle, KeyValuePair<string, Tensor>[] tensors)
    {
        var zip = new StoredZipWriter(stream);
        // data.pkl first: torch 1.13 takes the folder name from the archive's first record.
        zip.Add(Folder + "data.pkl", pickle);
        // torch >= 2.1 reads this record, when present, to swap bytes on big-endian machines; older torch ignores it.
        zip.Add(Folder + "byteorder", "little"u8);
        for (int i = 0; i < tensors.Length; i++)
        {
            zip.Add(Folder + "data/" + StorageKey(i), TensorBytes.LittleEndian(tensors[i].Value));
        }

        // The archive format version torch 1.6 to 2.x writes; torch.load refuses an archive without one.
        zip.Add(Folder + "version", "3\n"u8);
        zip.Finish();
    }

    private static string StorageKey(int index) => index.ToString(CultureInfo.InvariantCulture);

    /// <summary>collections.OrderedDict() filled by one SETITEMS: state dicts keep their order.</summary>
    private static void StateDict(PickleWriter pickle, KeyValuePair<string, Tensor>[] tensors)
    {
        EmptyOrderedDict(pickle);
        if (tensors.Length == 0)
        {
            return;
        }

        pickle.Mark();
        for (int i = 0; i < tensors.Length; i++)
        {
            (string name, Tensor tensor) = tensors[i];
            if (tensor is null)
            {
                throw new ArgumentException($"tensor '{name}' is null");
            }

            pickle.String(name);
            StorageKind kind = TensorBytes.KindOf(tensor.DType, name);
            long[] shape = Array.ConvertAll(tensor.Shape, size => (long)size);
            RebuiltTensor(pickle, new(StorageKey(i), kind, tensor.Length, 0, shape, ContiguousStride(tensor.Shape)));
        }

        pickle.SetItems();
    }

    /// <summary>The rebuild call for a view of a storage; tests also use it to pickle views no tensor has.</summary>
    internal static void RebuiltTensor(PickleWriter pickle, PickledView view)
    {
        pickle.Global("torch._utils", "_rebuild_tensor_v2");
        pickle.Mark();
        pickle.Mark();
        pickle.String("storage");
        (string module, string storageClass) = TorchPickleHost.StorageGlobal(view.Kind);
        pickle.Global(module, storageClass);
        pickle.String(view.StorageKey);
        pickle.String("cpu");
        pickle.Int(view.Numel);
        pickle.Tuple();
        pickle.PersistentId();
        pickle.Int(view.Offset);
        pickle.IntTuple(view.Size);
        pickle.IntTuple(view.Stride);
        pickle.Bool(false); // requires_grad
        EmptyOrderedDict(pickle); // backward hooks
        pickle.Tuple();
        pickle.Reduce();
    }

    /// <summary>Row-major strides as torch computes them: a size-0 dimension counts as 1, so [4, 0] has [1, 1].
    /// </summary>
    private static long[] ContiguousStride(int[] shape)
    {
        var stride = new long[shape.Length];
        long step = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            stride[d] = step;
            step *= Math.Max(shape[d], 1);
        }

        return stride;
    }

    private static void EmptyOrderedDict(PickleWriter pickle)
    {
        pickle.Global("collections", "OrderedDict");
        pickle.IntTuple([]);
        pickle.Reduce();
    }

    private static void Plain(PickleWriter pickle, string key, object value)
    {
        switch (value)
        {
            case string text: pickle.String(text); break;
            case bool flag: pickle.Bool(flag); break;
            case int or long: pickle.Int(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case float or double: pickle.Float(Convert.ToDouble(value, CultureInfo.InvariantCulture)); break;
            default:
                throw new ArgumentException($"metadata '{key}' is a {value?.GetType().Name ?? "null"}; only string, " +
                    "bool, int, long, float and double are written");
        }
    }
}

/// <summary>What one pickled tensor says: its storage (key, kind, element count) and the view into it.</summary>
internal sealed record PickledView(
    string StorageKey, StorageKind Kind, long Numel, long Offset, IReadOnlyList<long> Size, IReadOnlyList<long> Stride);
