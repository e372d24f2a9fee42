namespace TorchSparse.Checkpoints;

/// <summary>Element types of torch storages this reader accepts, named after their torch.*Storage classes.</summary>
internal enum StorageKind
{
    Float,
    Half,
    BFloat16,
    Long,
    Int,
    Double,
}

/// <summary>The callables on the allow-list. They only build data; none of them runs anything.</summary>
internal enum AllowedCall
{
    OrderedDict,
    RebuildTensorV2,
    RebuildParameter,
    RebuildParameterWithState,
}

/// <summary>A storage named by a persistent id; its bytes come from a zip record or the legacy file's tail.</summary>
internal sealed class StorageRef(string key, StorageKind kind, long numel)
{
    public string Key { get; } = key;

    public StorageKind Kind { get; } = kind;

    /// <summary>Element count the pickle claims; checked against the bytes actually found.</summary>
    public long Numel { get; } = numel;

    public byte[]? Bytes { get; set; }
}

/// <summary>What torch._utils._rebuild_tensor_v2 describes: a strided view into a storage.</summary>
internal sealed record TensorRecord(StorageRef Storage, long Offset, long[] Size, long[] Stride);

/// <summary>
/// Resolves globals from the allow-list and turns torch's rebuild calls and persistent ids into plain records.
/// </summary>
internal sealed class TorchPickleHost(bool allowUnknownObjects) : IPickleHost
{
    private static readonly Dictionary<string, object> Allowed = new()
    {
        ["collections.OrderedDict"] = AllowedCall.OrderedDict,
        ["torch._utils._rebuild_tensor_v2"] = AllowedCall.RebuildTensorV2,
        ["torch._utils._rebuild_parameter"] = AllowedCall.RebuildParameter,
        // torch >= 2.0 writes this for a Parameter carrying Python attributes; the attributes (state) are dropped.
        ["torch._utils._rebuild_parameter_with_state"] = AllowedCall.RebuildParameterWithState,
        ["torch.FloatStorage"] = StorageKind.Float,
        ["torch.HalfStorage"] = StorageKind.Half,
        ["torch.BFloat16Storage"] = StorageKind.BFloat16,
        ["torch.LongStorage"] = StorageKind.Long,
        ["torch.IntStorage"] = StorageKind.Int,
        ["torch.DoubleStorage"] = StorageKind.Double,
    };

    private readonly Dictionary<string, StorageRef> storages = [];

    /// <summary>Storages in the order the pickle first named them.</summary>
    public IReadOnlyDictionary<string, StorageRef> Storages => storages;

    /// <summary>The torch.*Storage global that holds <paramref name="kind"/>, as (module, name).</summary>
    public static (string Module, string Name) StorageGlobal(StorageKind kind)
    {
        string qualified = Allowed.First(pair => pair.Value is StorageKind known && known == kind).Key;
        int dot = qualified.LastIndexOf('.');
        return (qualified[..dot], qualified[(dot + 1)..]);
    }

    public object ResolveGlobal(string module, string name)
    {
        string qualified = module + "." + name;
        if (Allowed.TryGetValue(qualified, out object? known))
        {
            return known;
        }

        return allowUnknownObjects
            ? new UnknownObject(qualified)
            : throw new PickleFormatException(
                $"global '{qualified}' is not on the allow-list; refusing it " +
                "(set AllowUnknownObjects to skip such objects)");
    }

    public object? Call(object callable, object?[] args) => callable switch
    {
        AllowedCall.OrderedDict when args.Length == 0 => new PickleDict(),
        AllowedCall.RebuildTensorV2 => RebuildTensor(args),
        AllowedCall.RebuildParameter when args.Length >= 1 && args[0] is TensorRecord t => t,
        AllowedCall.RebuildParameterWithState when args.Length == 4 && args[0] is TensorRecord t => t,
        UnknownObject unknown => unknown,
        _ => throw new PickleFormatException(
            $"cannot call {PickleText.TypeName(callable)} with {args.Length} arguments"),
    };

    public void Build(object? target, object? state)
    {
        // OrderedDict state carries the module's _metadata (versions); unknown objects stay inert. Both ignore it.
        if (target is not (PickleDict or UnknownObject))
        {
            throw new PickleFormatException($"BUILD on a {PickleText.TypeName(target)} is not supported");
        }
    }

    public object? PersistentLoad(object? pid)
    {
        // ("storage", storage class, key, location, numel[, view metadata]) in both formats.
        if (pid is not PickleTuple { Items: ["storage", StorageKind kind, string key, string, long numel, ..] } tuple)
        {
            throw new PickleFormatException($"persistent id is not a storage tuple: {PickleText.TypeName(pid)}");
        }

        if (tuple.Items.Length > 5 && tuple.Items[5] is not null)
        {
            throw new PickleFormatException($"storage '{key}' is a legacy storage view, which is not supported");
        }

        if (numel < 0)
        {
            throw new PickleFormatException($"storage '{key}' has negative size {numel}");
        }

        if (!storages.TryGetValue(key, out StorageRef? storage))
        {
            storage = new StorageRef(key, kind, numel);
            storages[key] = storage;
        }
        else if (storage.Kind != kind)
        {
            throw new PickleFormatException($"storage '{key}' is used as both {storage.Kind} and {kind}");
        }

        return storage;
    }

    private static TensorRecord RebuildTensor(object?[] args)
    {
        if (args is not [StorageRef storage, long offset, PickleTuple size, PickleTuple stride, ..] || args.Length < 6)
        {
            throw new PickleFormatException(
                "_rebuild_tensor_v2 arguments are not (storage, offset, size, stride, ...)");
        }

        return new TensorRecord(storage, offset, Longs(size, "size"), Longs(stride, "stride"));
    }

    private static long[] Longs(PickleTuple tuple, string what) => tuple.Items.Length == 0
        ? []
        : tuple.Items.Select(v => v as long? ?? throw new PickleFormatException($"tensor {what} holds a non-integer"))
            .ToArray();
}
