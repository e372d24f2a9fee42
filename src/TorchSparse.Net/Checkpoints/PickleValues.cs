namespace TorchSparse.Checkpoints;

/// <summary>
/// Fault in the pickle stream or in what it describes. Raised without the file path; <see cref="TorchCheckpoint"/>
/// adds the path when it turns this into a <see cref="CheckpointException"/>.
/// </summary>
internal sealed class PickleFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A pickled tuple; kept apart from lists because torch passes call arguments as tuples.</summary>
internal sealed record PickleTuple(object?[] Items);

/// <summary>A pickled dict (or OrderedDict): insertion order is kept, like Python's.</summary>
internal sealed class PickleDict
{
    private readonly List<KeyValuePair<object, object?>> entries = [];
    private readonly Dictionary<object, int> index = [];

    public IReadOnlyList<KeyValuePair<object, object?>> Entries => entries;

    public void Set(object? key, object? value)
    {
        // Only hashable scalar keys occur in state dicts; anything else is not a checkpoint we understand.
        if (key is not (string or long or bool or double))
        {
            throw new PickleFormatException($"dict key of type {PickleText.TypeName(key)} is not supported");
        }

        if (index.TryGetValue(key, out int at))
        {
            entries[at] = new(key, value);
        }
        else
        {
            index[key] = entries.Count;
            entries.Add(new(key, value));
        }
    }

    public bool TryGet(string key, out object? value)
    {
        if (index.TryGetValue(key, out int at))
        {
            value = entries[at].Value;
            return true;
        }

        value = null;
        return false;
    }
}

/// <summary>Stand-in for an object of a global that is not on the allow-list (only with AllowUnknownObjects).</summary>
internal sealed record UnknownObject(string Global);

internal static class PickleText
{
    public static string TypeName(object? value) => value switch
    {
        null => "None",
        string => "str",
        long => "int",
        double => "float",
        bool => "bool",
        byte[] => "bytes",
        PickleTuple => "tuple",
        List<object?> => "list",
        PickleDict => "dict",
        UnknownObject u => u.Global,
        _ => value.GetType().Name,
    };
}
