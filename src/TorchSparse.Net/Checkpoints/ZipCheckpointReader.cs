using System.IO.Compression;
using TorchSparse.IO;

namespace TorchSparse.Checkpoints;

/// <summary>torch >= 1.6 format: a zip of &lt;name&gt;/data.pkl and one &lt;name&gt;/data/&lt;key&gt; per storage.
/// Every record read is checked against the CRC-32 the zip directory holds for it, as torch's reader does: nothing
/// else would notice a damaged byte inside tensor data.</summary>
internal static class ZipCheckpointReader
{
    public static object? Read(string path, TorchPickleHost host)
    {
        using ZipArchive zip = Open(path);
        // The top folder is named after the file torch.save first wrote, so find it through data.pkl.
        ZipArchiveEntry[] pickles = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)
            && e.FullName.IndexOf('/', StringComparison.Ordinal) == e.FullName.Length - "/data.pkl".Length).ToArray();
        if (pickles.Length != 1)
        {
            throw new PickleFormatException($"zip holds {pickles.Length} <folder>/data.pkl records, expected 1");
        }

        string prefix = pickles[0].FullName[..^"data.pkl".Length];
        long fileLength = new FileInfo(path).Length;
        object? root = new PickleMachine(ReadEntry(pickles[0], pickles[0].Length, fileLength), host).Run(0);
        foreach (StorageRef storage in host.Storages.Values)
        {
            ZipArchiveEntry entry = zip.GetEntry(prefix + "data/" + storage.Key)
                ?? throw new PickleFormatException($"storage record '{prefix}data/{storage.Key}' is missing");
            int elementSize = TensorMaterializer.ElementSize(storage.Kind);
            // Divided, not multiplied: a pickled element count near long.MaxValue must not overflow.
            if (entry.Length / elementSize < storage.Numel)
            {
                throw new PickleFormatException(
                    $"storage record '{entry.FullName}' holds {entry.Length} bytes, the pickle needs " +
                    $"{storage.Numel} elements of {elementSize} bytes");
            }

            storage.Bytes = ReadEntry(entry, storage.Numel * elementSize, fileLength);
        }

        return root;
    }

    private static ZipArchive Open(string path)
    {
        ZipArchive? zip = null;
        try
        {
            zip = ZipFile.OpenRead(path);
            // The central directory is read on first use of Entries: read it here, where its faults are named.
            _ = zip.Entries.Count;
            return zip;
        }
        catch (InvalidDataException e)
        {
            zip?.Dispose();
            throw new PickleFormatException($"zip directory is damaged: {e.Message}", e);
        }
    }

    /// <summary>The first <paramref name="count"/> bytes of a record, read to its end for the CRC check.</summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, long count, long fileLength)
    {
        if (count > Array.MaxLength)
        {
            throw new PickleFormatException($"record '{entry.FullName}' is too large ({count} bytes)");
        }

        try
        {
            return ReadChecked(entry, count, fileLength);
        }
        catch (InvalidDataException e)
        {
            throw new PickleFormatException($"record '{entry.FullName}' cannot be read: {e.Message}", e);
        }
    }

    private static byte[] ReadChecked(ZipArchiveEntry entry, long count, long fileLength)
    {
        using Stream stream = entry.Open();
        uint crc = 0xFFFFFFFFu;
        long total = 0;
        byte[]? bytes = null;
        // A stored record (torch never compresses) lies inside the file, so its declared size, at most the file's, is
        // safe to allocate at once and read into directly. A compressed one could claim anything: it grows with the
        // bytes that actually inflate. Either way reading stops one byte past the declared length, enough to tell a
        // record that runs on.
        if (entry.CompressedLength == entry.Length && entry.Length <= fileLength)
        {
            bytes = new byte[count];
            total = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            crc = Crc32.Update(crc, bytes.AsSpan(0, (int)total));
        }

        using MemoryStream? grown = bytes is null ? new MemoryStream() : null;
        byte[] chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, entry.Length + 1 - total))) > 0)
        {
            crc = Crc32.Update(crc, chunk.AsSpan(0, read));
            grown?.Write(chunk, 0, (int)Math.Clamp(count - grown.Length, 0, read));
            total += read;
        }

        if (total != entry.Length)
        {
            throw new PickleFormatException(
                $"record '{entry.FullName}' holds {total}{(total > entry.Length ? "+" : "")} bytes, but the zip " +
                $"directory says {entry.Length}");
        }

        if ((crc ^ 0xFFFFFFFFu) != entry.Crc32)
        {
            throw new PickleFormatException(
                $"record '{entry.FullName}' is damaged: its CRC-32 is {crc ^ 0xFFFFFFFFu:x8}, the zip directory " +
                $"says {entry.Crc32:x8}");
        }

        return bytes ?? grown!.ToArray();
    }
}
