using TorchSparse.KernelMaps;

namespace TorchSparse.Tests.Oracles;

/// <summary>
/// The C# dense reference against every PyTorch fixture. Agreement validates both: the fixtures encode the sparse
/// conv semantics the way the reference reads them, and the reference is fit to judge the engine.
/// </summary>
public class ConvFixtureTests
{
    // Both sides sum the same float32-exact products in double, only in different orders.
    private const double RelativeTolerance = 1e-9;
    private static readonly int[] ChannelWidths = [1, 3, 8, 15, 16, 17, 31, 32, 33, 64, 96];

    public static TheoryData<string> Cases => ConvFixture.All();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Dense_reference_reproduces_the_pytorch_fixture(string name)
    {
        ConvFixture fixture = ConvFixture.LoadCase(name);
        SparseVoxels reference = SparseConvReference.Run(fixture);

        Assert.Equal(fixture.OutputCoords, reference.Coords);
        AssertClose(fixture.OutputFeats, reference.Feats, fixture.OutChannels, name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fixture_geometry_is_consistent(string name)
    {
        ConvFixture fixture = ConvFixture.LoadCase(name);
        var conv = ReferenceConv.From(fixture);
        Assert.Equal(name, fixture.Name);
        Assert.Matches(@"^\d+\.\d+", fixture.TorchVersion);
        Assert.False(string.IsNullOrEmpty(fixture.NumpyVersion));

        switch (fixture.Kind)
        {
            case ConvKind.Submanifold:
                Assert.Equal(fixture.InputCoords, fixture.OutputCoords);
                Assert.Equal(SparseConvReference.SubmanifoldPadLow(fixture.KernelSize, fixture.Dilation), fixture.Padding);
                Assert.Equal(fixture.InputGrid, fixture.OutputGrid);
                break;
            case ConvKind.Downsample:
                Assert.Equal(SparseConvReference.DownsampleOutputSize(conv, fixture.InputGrid), fixture.OutputGrid);
                break;
            case ConvKind.Inverse:
                // The coarse input is exactly what the matching downsample makes of the fine targets.
                Assert.Equal(fixture.TargetCoords, fixture.OutputCoords);
                Assert.Equal(SparseConvReference.DownsampleOutputSize(conv, fixture.OutputGrid), fixture.InputGrid);
                Assert.Equal(fixture.InputCoords, SparseConvReference.DownsampleCoords(conv, fixture.TargetCoords!,
                    fixture.Batches, fixture.OutputGrid));
                break;
            case ConvKind.Generative:
                Assert.Equal(SparseConvReference.GenerativeOutputSize(conv, fixture.InputGrid), fixture.OutputGrid);
                break;
        }

        if (fixture.Rule == DownsampleRule.TorchSparse)
        {
            int[] fine = fixture.Kind == ConvKind.Inverse ? fixture.TargetCoords! : fixture.InputCoords;
            int[] coarse = fixture.Kind == ConvKind.Inverse ? fixture.InputCoords : fixture.OutputCoords;
            Assert.Equal(FloorUnique(fine, fixture.Stride), coarse);
        }
    }

    [Fact]
    public void Fixture_set_covers_every_kind_kernel_dilation_channel_width_and_an_empty_cloud()
    {
        ConvFixture[] fixtures = [.. ConvFixture.Names().Select(ConvFixture.LoadCase)];

        Assert.InRange(fixtures.Length, 60, 100);
        foreach (ConvKind kind in Enum.GetValues<ConvKind>())
        {
            Assert.Contains(fixtures, f => f.Kind == kind && f.InputCount == 0);
            Assert.Contains(fixtures, f => f.Kind == kind && f.Batches == 2);
        }

        foreach (int k in new[] { 1, 2, 3, 5 })
        {
            Assert.Contains(fixtures, f => f.KernelSize == k);
        }

        Assert.Contains(fixtures, f => f.Dilation == 2 && f.Kind == ConvKind.Submanifold);
        Assert.Contains(fixtures, f => f.Rule == DownsampleRule.TorchSparse);
        Assert.Contains(fixtures, f => f.InputCount >= 2000);
        foreach (int width in ChannelWidths)
        {
            Assert.True(fixtures.Count(f => f.InChannels == width) >= 3, $"Cin={width} appears fewer than 3 times");
            Assert.True(fixtures.Count(f => f.OutChannels == width) >= 3, $"Cout={width} appears fewer than 3 times");
        }
    }

    [Fact]
    public void Load_rejects_a_truncated_file()
    {
        string source = Path.Combine(ConvFixture.Directory, ConvFixture.Names()[0] + ".bin");
        string truncated = Path.Combine(Path.GetTempPath(), $"truncated-{Guid.NewGuid():N}.bin");
        byte[] bytes = File.ReadAllBytes(source);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length - 9)]);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => ConvFixture.Load(truncated));
            Assert.Contains(truncated, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(truncated);
        }
    }

    private static void AssertClose(double[] expected, double[] actual, int channels, string name)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            Assert.True(error <= RelativeTolerance * (1 + Math.Abs(expected[i])),
                $"{name}: row {i / Math.Max(channels, 1)} channel {i % Math.Max(channels, 1)}: "
                + $"expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    /// <summary>unique(floor(c / s)) sorted by (b, x, y, z): the floor rule, written out independently.</summary>
    private static int[] FloorUnique(int[] coords, Int3 stride)
    {
        var cells = new SortedSet<(int B, int X, int Y, int Z)>();
        for (int row = 0; row < coords.Length / 4; row++)
        {
            cells.Add((coords[row * 4], coords[(row * 4) + 1] / stride.X, coords[(row * 4) + 2] / stride.Y,
                coords[(row * 4) + 3] / stride.Z));
        }

        return [.. cells.SelectMany(c => new[] { c.B, c.X, c.Y, c.Z })];
    }
}
