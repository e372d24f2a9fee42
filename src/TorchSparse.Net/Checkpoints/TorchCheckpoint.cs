using TorchSparse.IO;

namespace TorchSparse.Checkpoints;

/// <summary>
/// Reads PyTorch checkpoints (torch.save files) without Python and without running anything they contain, and writes
/// state dicts as torch.save files.
/// </summary>
public static class TorchCheckpoint
{
    /// <summary>
    /// Reads a checkpoint and returns its state dict. The format is told by the file's first bytes, not its name:
    /// <list type="bullet">
    /// <item>a torch.save file, zip (torch >= 1.6) or legacy: the state dict is the top-level dict, or the dict under
    /// "state_dict" or "model" when the file saved a training dict around it; entries that are not tensors (an epoch
    /// counter, skipped objects) are left out;</item>
    /// <item>a safetensors file (see <see cref="Safetensors"/>): every tensor in it, in header order. Its metadata
    /// comes from <see cref="Safetensors.ReadMetadata"/>; <paramref name="options"/> do not apply.</item>
    /// </list>
    /// Views are copied, where torch shares their storage: one load materializes at most its storages' elements plus
    /// 2^24 more (expanded or overlapping views), so a small file cannot demand gigabytes.
    /// A leading "module." (DataParallel) is removed from keys. bfloat16 and float64 tensors arrive as float32;
    /// float16 stays <see cref="DType.Float16"/>; int32 and int64 stay as they are.
    /// </summary>
    /// <exception cref="CheckpointException">The file is missing, truncated, corrupt (a zip record's CRC-32 included),
    /// or holds objects that are not allowed; the message names the file and the fault.</exception>
    public static IReadOnlyDictionary<string, Tensor> Load(string path, CheckpointOptions? options = null)
    {
        options ??= new CheckpointOptions();
        try
        {
            Container container = Sniff(path);
            if (container == Container.Safetensors)
            {
                return Safetensors.Load(path);
            }

            var host = new TorchPickleHost(options.AllowUnknownObjects);
            object? root = container == Container.Zip
                ? ZipCheckpointReader.Read(path, host)
                : LegacyCheckpointReader.Read(path, host);
            return StateDict(root);
        }
        catch (CheckpointException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Every fault, whatever layer found it, reaches the caller as one exception type that names the file.
            throw new CheckpointException($"checkpoint '{path}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Writes <paramref name="stateDict"/> as a torch.save file (the zip format of torch >= 1.6) that
    /// <c>torch.load(path)</c> reads, with <c>weights_only=True</c> too (but see
    /// <see cref="TorchSaveOptions.Metadata"/> for floats), as an OrderedDict of the same keys in the given order
    /// holding the same float32, float16, int32 and int64 tensors, each of the tensor's shape (shape [] gives a 0-d
    /// tensor, like BatchNorm's num_batches_tracked). <paramref name="options"/> can wrap it in a dict with metadata.
    /// The write is atomic: a temporary file in the same folder, then a rename over <paramref name="path"/>. The same
    /// input always gives the same bytes, and <see cref="Load"/> reads them back exactly (a leading "module." is
    /// removed from keys, as on every load).
    /// </summary>
    /// <exception cref="ArgumentException">A tensor is null, a metadata value is not plain, or the options do not
    /// fit together; the message names the key. Nothing is written.</exception>
    /// <exception cref="NotSupportedException">The file would reach 4 GiB, which needs zip64 (not written).</exception>
    public static void Save(
        string path, IReadOnlyDictionary<string, Tensor> stateDict, TorchSaveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(stateDict);
        KeyValuePair<string, Tensor>[] tensors = stateDict.ToArray();
        // Built, and so checked, before the file is created: a refused input leaves nothing behind.
        byte[] pickle = TorchCheckpointWriter.Pickle(tensors, options ?? new TorchSaveOptions());
        AtomicFile.Write(path, stream => TorchCheckpointWriter.Write(stream, pickle, tensors));
    }

    private enum Container
    {
        Zip,
        Legacy,
        Safetensors,
    }

    private static Container Sniff(string path)
    {
        using FileStream stream = File.OpenRead(path);
        Span<byte> start = stackalloc byte[9];
        int read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        start = start[..read];
        return start.StartsWith("PK\u0003\u0004"u8) ? Container.Zip
            : Safetensors.Sniff(start) ? Container.Safetensors
            : Container.Legacy;
    }

    private static Dictionary<string, Tensor> StateDict(object? root)
    {
        if (root is not PickleDict dict)
        {
            throw new PickleFormatException($"checkpoint holds a {PickleText.TypeName(root)}, not a dict of tensors");
        }

        foreach (string wrapper in new[] { "state_dict", "model" })
        {
            if (dict.TryGet(wrapper, out object? inner) && inner is PickleDict innerDict)
            {
                dict = innerDict;
                break;
            }
        }

        var budget = new ElementBudget(dict.Entries.Select(e => e.Value).OfType<TensorRecord>()
            .Select(r => r.Storage).Distinct().Sum(TensorMaterializer.Available));
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((object key, object? value) in dict.Entries)
        {
            if (value is not TensorRecord record)
            {
                continue;
            }

            string name = key as string
                ?? throw new PickleFormatException(
                    $"state dict key of type {PickleText.TypeName(key)} is not a string");
            name = StateDictKeys.WithoutModulePrefix(name);
            if (!result.TryAdd(name, TensorMaterializer.Materialize(name, record, budget)))
            {
                throw new PickleFormatException(StateDictKeys.DuplicateMessage(name));
            }
        }

        return result;
    }
}
