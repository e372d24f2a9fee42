using System.Buffers.Binary;
using System.Numerics;

namespace TorchSparse.Checkpoints;

/// <summary>
/// The pre-1.6 torch.save layout: pickles for the magic number, protocol version, system info and the object (whose
/// persistent ids name storages), then a pickled list of storage keys, then per key an int64 element count and the
/// raw little-endian elements.
/// </summary>
internal static class LegacyCheckpointReader
{
    private const long ProtocolVersion = 1001;
    private static readonly BigInteger MagicNumber = BigInteger.Parse("119547037146038801333356", null);

    public static object? Read(string path, TorchPickleHost host)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var machine = new PickleMachine(bytes, host);
        if (machine.Run(0) is not BigInteger magic || magic != MagicNumber)
        {
            throw new PickleFormatException("not a torch checkpoint: neither a zip nor the legacy magic number");
        }

        if (machine.Run(machine.Position) is not ProtocolVersion)
        {
            throw new PickleFormatException("legacy checkpoint has an unknown protocol version");
        }

        if (machine.Run(machine.Position) is PickleDict sysInfo
            && sysInfo.TryGet("little_endian", out object? little) && little is false)
        {
            throw new PickleFormatException("big-endian legacy checkpoints are not supported");
        }

        object? root = machine.Run(machine.Position);
        if (machine.Run(machine.Position) is not List<object?> keys)
        {
            throw new PickleFormatException("legacy checkpoint has no storage key list");
        }

        int at = machine.Position;
        foreach (object? key in keys)
        {
            if (key is not string name || !host.Storages.TryGetValue(name, out StorageRef? storage))
            {
                throw new PickleFormatException($"storage key '{key}' is not named by any tensor");
            }

            at = ReadStorage(bytes, at, storage);
        }

        foreach (StorageRef storage in host.Storages.Values.Where(s => s.Bytes is null))
        {
            throw new PickleFormatException($"storage record '{storage.Key}' is missing");
        }

        return root;
    }

    private static int ReadStorage(byte[] bytes, int at, StorageRef storage)
    {
        if (bytes.Length - at < 8)
        {
            throw new PickleFormatException($"file is truncated before storage '{storage.Key}'");
        }

        long numel = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at));
        if (numel != storage.Numel)
        {
            throw new PickleFormatException(
                $"storage '{storage.Key}' holds {numel} elements but the pickle says {storage.Numel}");
        }

        at += 8;
        if (numel < 0 || numel > (bytes.Length - at) / TensorMaterializer.ElementSize(storage.Kind))
        {
            throw new PickleFormatException($"file is truncated inside storage '{storage.Key}'");
        }

        int length = (int)numel * TensorMaterializer.ElementSize(storage.Kind);
        storage.Bytes = bytes.AsSpan(at, length).ToArray();
        return at + length;
    }
}
