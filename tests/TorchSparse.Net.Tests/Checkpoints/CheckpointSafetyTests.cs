using System.IO.Compression;
using TorchSparse.Checkpoints;

namespace TorchSparse.Tests.Checkpoints;

/// <summary>Hostile, foreign and damaged files: refused with a CheckpointException naming the file; nothing runs.
/// </summary>
public sealed class CheckpointSafetyTests : IDisposable
{
    // The marker the malicious fixture's command would create (see gen_checkpoints.py).
    private const string PwnedMarker = "/tmp/torchsparse_ckpt_pwned";
    private readonly string tempDir = Directory.CreateTempSubdirectory("ckpt-tests-").FullName;

    public void Dispose() => Directory.Delete(tempDir, recursive: true);

    [Fact]
    public void Os_system_pickle_is_refused_and_nothing_runs()
    {
        File.Delete(PwnedMarker);
        string path = Path.Combine(CheckpointFixtureTests.Folder, "malicious_os_system.pkl");

        var error = Assert.Throws<CheckpointException>(() => TorchCheckpoint.Load(path));
        Assert.Contains("os.system", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(PwnedMarker));

        // Even with unknown objects allowed the global is only a placeholder: still nothing runs, and no tensors.
        Assert.Throws<CheckpointException>(() =>
            TorchCheckpoint.Load(path, new CheckpointOptions { AllowUnknownObjects = true }));
        Assert.False(File.Exists(PwnedMarker));
    }

    [Theory]
    [InlineData("custom_object_zip.pt")]
    [InlineData("custom_object_legacy.pt")]
    public void Custom_object_is_refused_by_default_and_skipped_when_allowed(string file)
    {
        string path = Path.Combine(CheckpointFixtureTests.Folder, file);
        var error = Assert.Throws<CheckpointException>(() => TorchCheckpoint.Load(path));
        Assert.Contains("__main__.TrainConfig", error.Message, StringComparison.Ordinal);

        var loaded = TorchCheckpoint.Load(path, new CheckpointOptions { AllowUnknownObjects = true });
        Assert.Equal([0f, 1, 2, 3, 4, 5], loaded["w"].ToArray<float>());
    }

    [Theory]
    [InlineData("dtypes_zip.pt")]
    [InlineData("dtypes_legacy.pt")]
    [InlineData("views_legacy.pt")]
    public void Every_truncation_gives_a_checkpoint_exception_naming_the_file(string file)
    {
        byte[] full = File.ReadAllBytes(Path.Combine(CheckpointFixtureTests.Folder, file));
        string path = Path.Combine(tempDir, "truncated_" + file);
        for (int length = 0; length < full.Length; length++)
        {
            File.WriteAllBytes(path, full[..length]);
            var error = Assert.Throws<CheckpointException>(() => TorchCheckpoint.Load(path));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Flipped_bytes_either_load_or_give_a_checkpoint_exception()
    {
        var random = new Random(1234);
        foreach (string file in new[] { "views_legacy.pt", "dtypes_legacy.pt", "nested_zip.pt" })
        {
            byte[] full = File.ReadAllBytes(Path.Combine(CheckpointFixtureTests.Folder, file));
            string path = Path.Combine(tempDir, "flipped_" + file);
            for (int trial = 0; trial < 300; trial++)
            {
                byte[] copy = (byte[])full.Clone();
                copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                File.WriteAllBytes(path, copy);
                try
                {
                    TorchCheckpoint.Load(path);
                }
                catch (CheckpointException error)
                {
                    Assert.Contains(path, error.Message, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public void Unknown_opcode_is_named()
    {
        string path = Path.Combine(tempDir, "bad_opcode.pkl");
        File.WriteAllBytes(path, [0x80, 0x02, 0xff, (byte)'.']);
        var error = Assert.Throws<CheckpointException>(() => TorchCheckpoint.Load(path));
        Assert.Contains("opcode 0xff", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_storage_record_is_named()
    {
        string path = Path.Combine(tempDir, "missing_storage.pt");
        File.Copy(Path.Combine(CheckpointFixtureTests.Folder, "views_zip.pt"), path);
        using (ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            zip.GetEntry("views_zip/data/0")!.Delete();
        }

        var error = Assert.Throws<CheckpointException>(() => TorchCheckpoint.Load(path));
        Assert.Contains("views_zip/data/0", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void View_outside_its_storage_is_refused_naming_the_key()
    {
        // Shrink the storage size the pickle claims (BININT1 30 before TUPLE -> 10): the 5x6 views then overrun it.
        string path = Path.Combine(tempDir, "short_storage.pt");
        File.Copy(Path.Combine(CheckpointFixtureTests.Folder, "views_zip.pt"), path);
        using (ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            ZipArchiveEntry entry = zip.GetEntry("views_zip/data.pkl")!;
            byte[] pickle;
            using (var copy = new MemoryStream())
            {
                using (Stream stream = entry.Open())
                {
                    stream.CopyTo(copy);
                }

                pickle = copy.ToArray();
            }

            for (int i = 0; i + 2 < pickle.Length; i++)
            {
                if (pickle[i] == (byte)'K' && pickle[i + 1] == 30 && pickle[i + 2] == (byte)'t')
                {
                    pickle[i + 1] = 10;
                }
            }

            entry.Delete();
            using Stream output = zip.CreateEntry("views_zip/data.pkl").Open();
            output.Write(pickle);
        }

        var error = Assert.Throws<CheckpointException>(() => TorchCheckpoint.Load(path));
        Assert.Contains("tensor 'big'", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_a_checkpoint_exception()
    {
        string path = Path.Combine(tempDir, "absent.pt");
        var error = Assert.Throws<CheckpointException>(() => TorchCheckpoint.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }
}
